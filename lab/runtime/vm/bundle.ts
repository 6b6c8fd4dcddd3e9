// The failure bundle of a VM run: what a person needs to understand a failed stage without rerunning
// it, written into <artifacts>/failure/. The plan (which files, from which commands) is pure; each
// step then runs under its own short deadline, and a step that fails or hangs writes its error into
// its file and never stops the others.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunResult } from '../exec.ts';
import { DeadlineError, withDeadline } from './deadline.ts';

export type BundleSource =
  /** A shell command on a router (ssh, else its serial console). */
  | { kind: 'router'; machine: string; command: string }
  /** A command in the orchestrator's namespace (kubectl, talosctl). */
  | { kind: 'ctl'; argv: string[] }
  /** A file the run already wrote (a serial console log). */
  | { kind: 'file'; path: string };

export interface BundleEntry {
  /** Relative to the bundle folder. */
  file: string;
  what: string;
  source: BundleSource;
}

export interface BundleInput {
  routers: string[];
  consoles: { machine: string; path: string }[];
  /** Cilium agent pods found at failure time, by node. */
  agents: { node: string; pod: string }[];
  /** `cilium` (<= 1.14) or `cilium-dbg` (lab/versions/cilium.ts). */
  agentCli: string;
  kubectl: (...args: string[]) => string[];
}

/** Every file of the bundle and where its text comes from. Pure. */
export function bundlePlan(i: BundleInput): BundleEntry[] {
  const agentExec = (pod: string, ...argv: string[]) => i.kubectl('exec', '--namespace', 'kube-system', pod, '--container', 'cilium-agent', '--', i.agentCli, ...argv);
  return [
    ...i.consoles.map((c) => ({ file: `consoles/${c.machine}.log`, what: `serial console of ${c.machine}`, source: { kind: 'file' as const, path: c.path } })),
    ...i.routers.flatMap((r) => [
      { file: `${r}/birdc-show-protocols-all.txt`, what: `birdc show protocols all on ${r}`, source: { kind: 'router' as const, machine: r, command: 'birdc show protocols all' } },
      { file: `${r}/birdc-show-route.txt`, what: `birdc show route on ${r}`, source: { kind: 'router' as const, machine: r, command: 'birdc show route' } },
    ]),
    { file: 'kubectl-get-pods.txt', what: 'kubectl get pods -A -o wide', source: { kind: 'ctl', argv: i.kubectl('get', 'pods', '--all-namespaces', '--output', 'wide') } },
    { file: 'kubectl-get-events.txt', what: 'kubectl get events -A', source: { kind: 'ctl', argv: i.kubectl('get', 'events', '--all-namespaces', '--sort-by=.lastTimestamp') } },
    ...i.agents.flatMap((a) => [
      { file: `cilium/${a.node}-status.txt`, what: `${i.agentCli} status on ${a.node}`, source: { kind: 'ctl' as const, argv: agentExec(a.pod, 'status', '--verbose') } },
      { file: `cilium/${a.node}-bgp-peers.txt`, what: `${i.agentCli} bgp peers on ${a.node}`, source: { kind: 'ctl' as const, argv: agentExec(a.pod, 'bgp', 'peers') } },
    ]),
  ];
}

/** A command's result as a bundle file: its output, then its stderr and exit code when it failed. Pure. */
export function resultText(r: RunResult): string {
  return `${r.stdout}${r.stderr ? `\n# stderr:\n${r.stderr}` : ''}${r.code !== 0 ? `\n# exit ${r.code}\n` : ''}`;
}

/** The reason file: the failure, and which named deadlines expired (deadline.ts). Pure. */
export function reasonText(reason: string, expired: DeadlineError[]): string {
  const lines = [`failure: ${reason}`];
  if (expired.length === 0) lines.push('deadline expired: none (the failure was not a timeout)');
  for (const d of expired) lines.push(`deadline expired: ${d.deadline} (${d.ms} ms): ${d.message}`);
  return lines.join('\n') + '\n';
}

/**
 * Writes the reason and every entry into dir. Each entry gets stepMs; its text, or the error that
 * stopped it, lands in its file. Never throws for a step; returns every file written.
 */
export async function writeBundle(dir: string, reason: string, entries: BundleEntry[], read: (s: BundleSource) => Promise<string>, stepMs: number): Promise<string[]> {
  const written: string[] = [];
  const put = (rel: string, text: string) => {
    try {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      written.push(p);
    } catch {
      /* an unwritable file must not stop the rest */
    }
  };
  put('reason.txt', reason);
  await Promise.all(entries.map(async (e) => {
    let text: string;
    try {
      text = await withDeadline(`bundle: ${e.what}`, stepMs, () => read(e.source));
    } catch (err) {
      text = `# ${e.what}: not collected: ${err instanceof Error ? err.message : String(err)}\n`;
    }
    put(e.file, text);
  }));
  return written;
}
