// Shared by the twin's integration tests: run the real CLI, decide whether this machine can run the
// twin (root and the daemons; in CI it must), and snapshot the host's root namespace.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { referenceTopology } from '../../lab/topology/reference.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { isRoot, missingTools, TWIN_TOOLS } from '../../lab/runtime/tools.ts';
import type { Route } from '../../lab/runtime/lab.ts';
import { expectedMachines, sortRoutes } from '../../lab/report/diagram/index.ts';
import type { LabModel } from '../../lab/topology/model.ts';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const LAB = join(REPO, 'bin', 'lab.mjs');

/** Why the twin cannot run here, or undefined. In CI a missing prerequisite is a failure, not a skip. */
export function twinUnavailable(): string | undefined {
  const missing = missingTools(TWIN_TOOLS).commands;
  const why = !isRoot() ? 'not root' : missing.length > 0 ? `missing ${missing.join(', ')} (run: node bin/lab.mjs doctor --install)` : undefined;
  if (why && process.env['CI']) throw new Error(`the twin tests must run in CI, but: ${why}`);
  return why ? `twin tests skipped: ${why}` : undefined;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function lab(args: string[], timeoutMs = 120_000): CliResult {
  const r = spawnSync(process.execPath, [LAB, ...args], { cwd: REPO, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function labAsync(args: string[]) {
  return spawn(process.execPath, [LAB, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'nrl-test-'));
}

export function topologyFile(mutate: (t: Topology) => void = () => undefined): string {
  const t = referenceTopology();
  mutate(t);
  const file = join(tmp(), 'topology.yaml');
  writeFileSync(file, stringify(t));
  return file;
}

/** Lab namespaces on the machine, or only one run's (other runs may be going on beside a test). */
export function labNamespaces(runId?: string): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(runId ? `nrl-${runId}-` : 'nrl-'));
}

/** Links, routes and nftables of the root namespace, to prove the lab never touched them. */
export function rootSnapshot(): string {
  const out = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout;
  const links = (JSON.parse(out(['ip', '-j', 'link', 'show'])) as { ifname: string; mtu: number; operstate: string; address?: string }[])
    .map((l) => `${l.ifname} ${l.mtu} ${l.operstate} ${l.address ?? ''}`).sort().join('\n');
  return [links, out(['ip', 'route', 'show', 'table', 'all']), out(['ip', '-6', 'route', 'show', 'table', 'all']), out(['ip', 'rule', 'show']), out(['ip', '-6', 'rule', 'show']),
    out(['nft', 'list', 'ruleset']), out(['sysctl', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'])].join('\n---\n');
}

/** Report JSON from `lab e2e --json`. */
export interface JsonReport {
  ok: boolean;
  runId: string;
  assertions: { id: number; ok: boolean; results: { ok: boolean; subject: string; seen: string; expected?: string; diagnosis?: string; family?: 4 | 6 }[] }[];
  notes: string[];
  artifacts: string;
  fidelity?: string;
  machines?: { name: string; routes: Route[]; routes6?: Route[] }[];
}

/**
 * Machines whose routing table after the run differs from the one the topology implies (what
 * `lab diagram` draws, and what a run's diagram layout is prepared from while the lab comes up).
 */
export function tablesUnlikeExpected(r: JsonReport, model: LabModel): string[] {
  // Both families' tables (a dual-stack lab's IPv6 one after the IPv4 one).
  const key = (m: { routes: Route[]; routes6?: Route[] }) => JSON.stringify([sortRoutes(m.routes), ...(m.routes6 ? [sortRoutes(m.routes6)] : [])]);
  const expected = new Map(expectedMachines(model).map((m) => [m.name, key(m)]));
  const seen = new Map((r.machines ?? []).map((m) => [m.name, key(m)]));
  return [...new Set([...expected.keys(), ...seen.keys()])].filter((n) => expected.get(n) !== seen.get(n))
    .map((n) => `${n}: expected ${expected.get(n) ?? 'no such machine'}, seen ${seen.get(n) ?? 'no such machine'}`);
}

/** The families of a report's failed checks (absent: an IPv4-only lab's). */
export function failedFamilies(r: JsonReport): (4 | 6 | undefined)[] {
  return [...new Set(r.assertions.flatMap((a) => a.results.filter((x) => !x.ok).map((x) => x.family)))];
}

export function failedIds(r: JsonReport): number[] {
  return r.assertions.filter((a) => !a.ok).map((a) => a.id);
}

export function diagnoses(r: JsonReport, id: number): string {
  return r.assertions.find((a) => a.id === id)?.results.filter((x) => !x.ok).map((x) => x.diagnosis ?? '').join('\n') ?? '';
}
