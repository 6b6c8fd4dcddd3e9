// Removes a run's namespaces (and so its links, routes, rulesets) and processes. Also finds
// leftovers by name, so a crashed run is removable with one command (`lab down --all`).
import { rmSync } from 'node:fs';
import { destroyNamespaces, listNamespaces } from './netns.ts';
import { isLabNamespace, runIdOf } from './names.ts';
import { forgetKept } from './state.ts';

export async function destroyRun(runId: string): Promise<string[]> {
  const present = (await listNamespaces()).filter((ns) => isLabNamespace(ns, runId));
  const failed = await destroyNamespaces(present);
  rmSync(`/run/nrl-${runId}`, { recursive: true, force: true });
  forgetKept(runId);
  return failed;
}

/** Every lab namespace on the machine, whichever run made it. */
export async function destroyAll(): Promise<{ runs: string[]; failed: string[] }> {
  const all = (await listNamespaces()).filter((ns) => isLabNamespace(ns));
  const runs = [...new Set(all.map((ns) => runIdOf(ns)!))];
  const failed: string[] = [];
  for (const id of runs) failed.push(...(await destroyRun(id)));
  return { runs, failed };
}
