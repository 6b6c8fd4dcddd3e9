// A run's diagram, drawn beside the run instead of after it: ELK warms up in a worker thread while
// the lab comes up (laying out the topology's expected diagram, whose boxes a passing run's
// diagram shares, so that layout is reused), and the run's own diagram, PNG included, is drawn
// while teardown runs. Nothing here blocks the run: a diagram that cannot be drawn is a note.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svgToPng } from '../runtime/rsvg.ts';
import type { LabModel } from '../topology/model.ts';
import { elkWorker, type ElkWorker } from './diagram/elk-engine.ts';
import { buildDiagram, diagramSvg, reportDiagramInput } from './diagram/index.ts';
import { elkGraph } from './diagram/layout.ts';
import type { Report } from './model.ts';

export interface DrawnDiagram {
  /** Report files written: diagram.svg, and diagram.png where rsvg-convert works. */
  files: string[];
  /** Why no diagram, when there is none. */
  note?: string;
}

export type DiagramState = Pick<Report, 'runId' | 'machines' | 'assertions'>;

export class RunDiagram {
  private worker: ElkWorker | undefined;
  private drawing: Promise<DrawnDiagram> | undefined;

  constructor(private readonly model: LabModel) {}

  /**
   * Starts the layout worker and lays out the expected diagram. The e2e flow calls it once the lab
   * is up: loading elkjs and the first layout take a core for about 0.4 s, which the lab's start
   * needs more than the wait for BGP does.
   */
  warmUp(): void {
    if (this.worker || this.drawing) return;
    try {
      this.worker = elkWorker();
      void this.worker.engine(elkGraph(buildDiagram({ model: this.model }))).catch(() => undefined);
    } catch {
      this.worker = undefined; // no worker thread: drawn in process
    }
  }

  /** Starts drawing the run's diagram into dir; returns at once (the first call wins). */
  draw(dir: string, state: DiagramState): void {
    this.drawing ??= (async (): Promise<DrawnDiagram> => {
      try {
        const svgFile = join(dir, 'diagram.svg');
        writeFileSync(svgFile, await diagramSvg(reportDiagramInput(this.model, state), this.worker?.engine));
        const png = await svgToPng(svgFile, join(dir, 'diagram.png'));
        return { files: png ? ['diagram.svg', 'diagram.png'] : ['diagram.svg'] };
      } catch (e) {
        return { files: [], note: `diagram not drawn: ${(e as Error).message}` };
      }
    })();
  }

  /** The diagram drawn (drawing it now from `state` if draw() never ran); ends the worker. */
  async done(dir: string, state: DiagramState): Promise<DrawnDiagram> {
    this.draw(dir, state);
    const drawn = await this.drawing!;
    await this.worker?.close();
    return drawn;
  }
}
