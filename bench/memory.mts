// Memory of a running twin, per machine: the proportional set size (shared pages split between the
// processes sharing them) of every process in each namespace, found through /proc/<pid>/ns/net
// (one pass over /proc, no process per namespace). A node's figure is everything that runs for it:
// its speaker (Cilium's own or GoBGP) and the services of its pod.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { TwinLab } from '../lab/runtime/twin/twin-lab.ts';

export interface LabMemory {
  /** Sum of every lab process's PSS. */
  pssKiB: number;
  /** Sum of every lab process's peak RSS (shared pages counted per process). */
  peakRssKiB: number;
  /** Peak RSS per daemon name (the largest instance). */
  peakDaemonKiB: Record<string, number>;
  /** Per node: its namespace plus its pod's. */
  perNodePssKiB: number[];
  perRouterPssKiB: number[];
  /** Private memory (Private_Clean + Private_Dirty) of each node's speaker: Cilium's or GoBGP. */
  speakerPrivateKiB: number[];
  processes: number;
  threads: number;
}

function field(text: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

export function labMemory(lab: TwinLab): LabMemory {
  const byInode = new Map<number, string>();
  for (const n of lab.plan.namespaces) {
    try {
      byInode.set(statSync(`/run/netns/${n.ns}`).ino, n.ns);
    } catch {
      /* gone */
    }
  }
  const perNs = new Map<string, number>();
  const out: LabMemory = { pssKiB: 0, peakRssKiB: 0, peakDaemonKiB: {}, perNodePssKiB: [], perRouterPssKiB: [], speakerPrivateKiB: [], processes: 0, threads: 0 };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const inode = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]);
      const ns = byInode.get(inode);
      if (!ns) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '?';
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const pss = field(rollup, 'Pss');
      if (name === 'nrl-speaker' || name === 'gobgpd') out.speakerPrivateKiB.push(field(rollup, 'Private_Clean') + field(rollup, 'Private_Dirty'));
      const hwm = field(status, 'VmHWM');
      out.peakDaemonKiB[name] = Math.max(out.peakDaemonKiB[name] ?? 0, hwm);
      out.peakRssKiB += hwm;
      out.pssKiB += pss;
      out.processes++;
      out.threads += field(status, 'Threads');
      perNs.set(ns, (perNs.get(ns) ?? 0) + pss);
    } catch {
      /* exited meanwhile, or a kernel thread */
    }
  }
  for (const n of lab.plan.namespaces) {
    if (n.machine?.kind === 'router') out.perRouterPssKiB.push(perNs.get(n.ns) ?? 0);
    if (n.machine?.kind === 'node') {
      const pod = lab.plan.namespaces.find((p) => p.machine?.kind === 'pod' && p.machine.node === n.machine!.name);
      out.perNodePssKiB.push((perNs.get(n.ns) ?? 0) + (pod ? perNs.get(pod.ns) ?? 0 : 0));
    }
  }
  return out;
}
