// A run's diagram, drawn beside the run instead of after it. While BGP converges (the CPU idles),
// ELK loads in a worker thread and the diagram a passing run will show is laid out and rendered,
// PNG included; after the assertions the run's own diagram is drawn (the layout of the same boxes
// reused) and, where its SVG is byte for byte the predicted one, the predicted PNG is its PNG.
// Nothing here blocks the run: a diagram that cannot be drawn is a note.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svgToPng } from '../runtime/rsvg.ts';
import type { LabModel } from '../topology/model.ts';
import { elkWorker, type ElkWorker } from './diagram/elk-engine.ts';
import { buildDiagram, diagramSvg, expectedMachines, reportDiagramInput } from './diagram/index.ts';
import { elkGraph } from './diagram/layout.ts';
import type { Report } from './model.ts';
import type { Lab } from '../runtime/lab.ts';
import { hopByHop } from '../assert/a4-path.ts';
import { expectedPath } from '../assert/path.ts';
import { crossDcPairs } from '../assert/pairs.ts';

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
  /** The predicted diagram's SVG and its PNG (a hidden file until it proves to be the run's). */
  private predicted: Promise<{ svg: string; png?: string } | undefined> | undefined;

  /** runId: the run whose cgroup rsvg-convert joins, so a crashed run's teardown ends it too. */
  constructor(private readonly model: LabModel, private readonly runId?: string) {}

  /**
   * Starts the layout worker and, while BGP converges, lays out and renders what a passing run
   * will show (`predict`; a prediction that fails is no prediction): loading elkjs, the first layout and the PNG take a core for about
   * half a second, which the lab's start and the assertions need more than the wait for BGP does.
   */
  warmUp(dir?: string, predict?: () => DiagramState): void {
    if (this.worker || this.drawing) return;
    try {
      this.worker = elkWorker();
    } catch {
      return; // no worker thread: drawn in process
    }
    const engine = this.worker.engine;
    void engine(elkGraph(buildDiagram({ model: this.model }))).catch(() => undefined);
    if (!dir || !predict) return;
    this.predicted = (async () => {
      const predicted = predict(); // a lab that cannot say (no pods, a partial runtime) has no prediction
      const svg = await diagramSvg(reportDiagramInput(this.model, predicted), engine);
      const svgFile = join(dir, '.diagram-predicted.svg');
      const png = join(dir, '.diagram-predicted.png');
      writeFileSync(svgFile, svg);
      const ok = await svgToPng(svgFile, png, this.runId);
      rmSync(svgFile, { force: true });
      return ok ? { svg, png } : { svg };
    })().catch(() => undefined);
  }

  /** Starts drawing the run's diagram into dir; returns at once (the first call wins). */
  draw(dir: string, state: DiagramState): void {
    this.drawing ??= (async (): Promise<DrawnDiagram> => {
      try {
        const svgFile = join(dir, 'diagram.svg');
        const svg = await diagramSvg(reportDiagramInput(this.model, state), this.worker?.engine);
        writeFileSync(svgFile, svg);
        const pngFile = join(dir, 'diagram.png');
        // The same picture as predicted: its PNG is this run's (compared as SVG text, byte for byte).
        const guess = await this.predicted;
        let png: boolean;
        if (guess?.png && guess.svg === svg) {
          renameSync(guess.png, pngFile);
          png = true;
        } else png = await svgToPng(svgFile, pngFile, this.runId);
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
    const guess = await this.predicted;
    if (guess?.png) rmSync(guess.png, { force: true }); // not the run's picture (or already moved)
    await this.worker?.close();
    return drawn;
  }
}

/**
 * What a passing run's diagram shows: every table as the topology implies it, and assertion 4's
 * first pod pair (the same seeded pair the assertion takes) on the expected path.
 */
export function predictedDiagram(lab: Lab, runId: string, seed: number): DiagramState {
  const pair = crossDcPairs(lab, seed)[0];
  const path = pair ? expectedPath(lab, pair.from, pair.to).join(' > ') : '';
  const results = pair ? [{ assertion: 4, subject: `${pair.from} -> ${pair.to}`, ok: true, expected: path, seen: path }] : [];
  return { runId, machines: expectedMachines(lab.model), assertions: [{ id: 4, title: hopByHop.title, ok: true, ms: 0, passed: results.length, failed: 0, results }] };
}
