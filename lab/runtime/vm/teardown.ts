// Teardown of a VM run: its QEMU processes first (found by the run's name in their command line,
// which also catches a guest whose namespace is already gone), then its uplink (slirp4netns, a
// process of the host whose command line names the run's internet namespace; it also exits by
// itself once the namespace's processes are gone, see uplink.ts), then every namespace of the run
// (the twin's destroyRun, which also kills whatever still runs inside them). `lab down --all` finds
// the VM lab's namespaces by the same nrl-<run id>- prefix, and QEMU runs inside them.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { destroyRun } from '../teardown.ts';
import { stopPid } from './qemu.ts';

/** PIDs of QEMU processes whose command line names this run (every guest is named nrl-<id>-...). */
export function qemuPidsOfRun(runId: string): number[] {
  return pidsOfRun(runId, /qemu-system/);
}

/** PIDs of the run's uplink (slirp4netns ... /run/netns/nrl-<id>-internet tap0). */
export function uplinkPidsOfRun(runId: string): number[] {
  return pidsOfRun(runId, /(^|\/)slirp4netns$/);
}

function pidsOfRun(runId: string, program: RegExp): number[] {
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
      if (program.test(argv[0] ?? '') && argv.some((a) => a.includes(`nrl-${runId}-`))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function killRunQemu(runId: string): Promise<void> {
  await Promise.all(qemuPidsOfRun(runId).map((pid) => stopPid(pid, 2000)));
}

export async function killRunUplink(runId: string): Promise<void> {
  await Promise.all(uplinkPidsOfRun(runId).map((pid) => stopPid(pid, 2000)));
}

export async function destroyVmRun(runId: string): Promise<string[]> {
  await killRunQemu(runId);
  await killRunUplink(runId);
  const failed = await destroyRun(runId);
  rmSync(`/run/nrl-${runId}`, { recursive: true, force: true });
  return failed;
}
