// The topology diagram: from a run's report (routing tables as they were, the traced path) or from
// the topology alone (expected routes and path).
import type { LabModel } from '../../topology/model.ts';
import type { Report } from '../model.ts';
import type { ElkEngine } from './elk-engine.ts';
import { layout } from './layout.ts';
import { buildDiagram, reportedPath, type DiagramInput } from './model.ts';
import { renderSvg } from './svg.ts';

export { buildDiagram, expectedMachines, expectedPath, reportedPath, sortRoutes } from './model.ts';

export async function diagramSvg(input: DiagramInput, elk?: ElkEngine): Promise<string> {
  const d = buildDiagram(input);
  return renderSvg(d, await layout(d, elk));
}

/** The diagram of a run: its machines' routing tables as the assertions found them, assertion 4's first traceroute. */
export function reportDiagramInput(model: LabModel, r: Pick<Report, 'runId' | 'machines' | 'assertions'>): DiagramInput {
  const path = reportedPath(r);
  const subject = r.assertions.find((a) => a.id === 4)?.results[0]?.subject;
  return {
    model,
    machines: r.machines,
    ...(path.length > 0 ? { path } : {}),
    routesFrom: r.machines.length > 0 ? `as the assertions found them (run ${r.runId})` : `not captured in run ${r.runId} (the run stopped early); expected routes shown`,
    pathLabel: subject ? `traceroute ${subject} (assertion 4)` : 'no traceroute in this run; expected path',
  };
}
