// Which process runs a lab: its pid and /proc start time in /run/nrl-<run id>/owner, written before
// anything of the run exists. `lab down --all` leaves a run alone while that process lives (a live
// run is not a leftover); the start time tells a reused pid from the owner.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREFIX } from './names.ts';
import { createRunCgroup } from './cgroup.ts';

export const RUN_ROOT = '/run';

export function runDirOf(runId: string): string {
  return join(RUN_ROOT, `${PREFIX}-${runId}`);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined if gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export interface Owner {
  pid: number;
  start: string;
}

/**
 * Claims a run for this process before anything of it exists: the owner file, then the run's
 * cgroup. Returns why there is no cgroup, if there is none (the caller may note it).
 */
export async function claimRun(runId: string, runDir = runDirOf(runId)): Promise<{ cgroup?: string; why?: string }> {
  mkdirSync(runDir, { recursive: true });
  const owner: Owner = { pid: process.pid, start: startTime(process.pid) ?? '?' };
  writeFileSync(join(runDir, 'owner'), JSON.stringify(owner) + '\n');
  const cg = await createRunCgroup(runId);
  return cg.path ? { cgroup: cg.path } : { why: cg.why ?? 'no cgroup' };
}

export function ownerOf(runId: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(join(runDirOf(runId), 'owner'), 'utf8')) as Owner;
    return typeof o.pid === 'number' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** The run's orchestrator is still running (same pid, same start time). */
export function ownerAlive(runId: string): boolean {
  const o = ownerOf(runId);
  return o !== undefined && startTime(o.pid) === o.start;
}

/** Run ids with a run folder in /run. */
export function runDirs(): string[] {
  try {
    return readdirSync(RUN_ROOT).flatMap((d) => {
      const m = new RegExp(`^${PREFIX}-([0-9a-f]{6})$`).exec(d);
      return m ? [m[1]!] : [];
    });
  } catch {
    return [];
  }
}
