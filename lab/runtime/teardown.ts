// Removes a run's processes (its cgroup), namespaces (and so its links, routes, rulesets) and run
// folder. Also finds leftovers of crashed runs, by namespace name, cgroup or run folder, so one
// command removes them (`lab down --all`), and leaves alone runs whose orchestrator still lives.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './exec.ts';
import { killRunCgroup, runCgroups } from './cgroup.ts';
import { destroyNamespaces, listNamespaces, sealRun } from './netns.ts';
import { isLabNamespace, runIdOf } from './names.ts';
import { ownerAlive, RUN_ROOT, runDirOf, runDirs } from './owner.ts';
import { forgetKept, listKept } from './state.ts';

export async function destroyRun(runId: string): Promise<string[]> {
  // Nothing of the run starts any more (this process), and creations under way have landed...
  await sealRun(runId);
  // ...so the cgroup holds every process there is, whichever namespace (named or not) it is in.
  const failed = await killRunCgroup(runId);
  const present = (await listNamespaces()).filter((ns) => isLabNamespace(ns, runId));
  failed.push(...(await destroyNamespaces(present)));
  rmSync(runDirOf(runId), { recursive: true, force: true });
  forgetKept(runId);
  return failed;
}

/** Every run with something left on this machine: namespaces, a cgroup, a run folder or a kept-lab file. */
export async function presentRuns(): Promise<string[]> {
  const fromNs = (await listNamespaces()).filter((ns) => isLabNamespace(ns)).map((ns) => runIdOf(ns)!);
  return [...new Set([...fromNs, ...runCgroups(), ...runDirs(), ...listKept().map((k) => k.runId)])].sort();
}

export interface DestroyAllResult {
  runs: string[];
  /** Runs whose orchestrator is still alive (not leftovers), left alone without force. */
  skipped: string[];
  failed: string[];
}

/**
 * Every run's leftovers, whichever process made them; runs with a live orchestrator only with
 * force. Kept labs (`lab up`) have no live orchestrator and are removed.
 */
export async function destroyAll(opts: { force?: boolean; only?: (runId: string) => boolean } = {}): Promise<DestroyAllResult> {
  const candidates = (await presentRuns()).filter((id) => opts.only?.(id) ?? true);
  const skipped = opts.force ? [] : candidates.filter(ownerAlive);
  const runs = candidates.filter((id) => !skipped.includes(id));
  const failed: string[] = [];
  for (const id of runs) failed.push(...(await destroyRun(id)));
  removeDeadShellDirs();
  return { runs, skipped, failed };
}

/** Scratch folders of the shell pool (twin/shell-pool.ts, /run/nrl-shells-<pid>) whose process is gone. */
function removeDeadShellDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(RUN_ROOT);
  } catch {
    return;
  }
  for (const d of entries) {
    const pid = /^nrl-shells-(\d+)$/.exec(d)?.[1];
    if (pid && !isAlive(Number(pid))) rmSync(join(RUN_ROOT, d), { recursive: true, force: true });
  }
}
