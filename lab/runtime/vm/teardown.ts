// Teardown of a VM run: its QEMU processes first (found by the run's name in their command line,
// which also catches a guest whose namespace is already gone), then every namespace of the run
// (the twin's destroyRun, which also kills whatever still runs inside them). `lab down --all` finds
// the VM lab's namespaces by the same nrl-<run id>- prefix, and QEMU runs inside them.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { destroyRun } from '../teardown.ts';
import { stopPid } from './qemu.ts';

/** PIDs of QEMU processes whose command line names this run (every guest is named nrl-<id>-...). */
export function qemuPidsOfRun(runId: string): number[] {
  if (!/^[0-9a-f]{6}$/.test(runId)) return [];
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const p of entries) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (/qemu-system/.test(argv[0] ?? '') && argv.some((a) => a.includes(`nrl-${runId}-`))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function killRunQemu(runId: string): Promise<void> {
  await Promise.all(qemuPidsOfRun(runId).map((pid) => stopPid(pid, 2000)));
}

export async function destroyVmRun(runId: string): Promise<string[]> {
  await killRunQemu(runId);
  const failed = await destroyRun(runId);
  rmSync(`/run/nrl-${runId}`, { recursive: true, force: true });
  return failed;
}
