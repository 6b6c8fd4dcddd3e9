// The report of one run: what the terminal shows, as data (report.json).
import type { AssertionRun } from '../assert/index.ts';
import type { Result } from '../assert/types.ts';
import type { Convergence } from '../assert/converge.ts';
import { isDualStack, type LabModel } from '../topology/model.ts';
import type { Lab, Route } from '../runtime/lab.ts';
import type { FaultReport } from '../faults/run.ts';

export interface Stage {
  name: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

export interface AssertionReport {
  id: number;
  title: string;
  ok: boolean;
  ms: number;
  passed: number;
  failed: number;
  results: Result[];
}

/** A machine as it really was at the end of the run: its kernel routing table. */
export interface MachineState {
  name: string;
  kind: string;
  dc?: string;
  node?: string;
  address: string;
  routes: Route[];
  /** Dual-stack: its IPv6 address and IPv6 routing table. */
  address6?: string;
  routes6?: Route[];
}

/** What a run left in its artifacts folder, as paths relative to it. */
export interface ArtifactsIndex {
  /** report.json, junit.xml, diagram.svg, diagram.png (the ones that were written). */
  reports: string[];
  /** Packet captures (pcap) behind the no-overlay assertion. */
  captures: string[];
  /** Every daemon's log. */
  logs: string[];
  /** Every rendered config, translated ruleset and daemon config. */
  configs: string[];
}

export interface Report {
  schemaVersion: 1;
  lab: string;
  runtime: 'twin' | 'vm';
  runId: string;
  fidelity: string;
  versions: LabModel['versions'];
  bgpApi: string;
  mode: {
    routingMode: string; masquerade: boolean; autoDirectNodeRoutes: boolean;
    /** How the routers exchange routes. */
    ibgp?: 'full mesh' | 'route reflection';
    /** Dual-stack: how BGP carries IPv6 (absent: an IPv4 lab). */
    dualStack?: 'per-family' | 'mp-over-v4' | 'v4-over-v6';
  };
  pitfall?: string;
  startedAt: string;
  stages: Stage[];
  convergence?: Convergence;
  assertions: AssertionReport[];
  /** Every machine's routing table as the assertions found it (their reads, shared) (for diagrams and summaries). */
  machines: MachineState[];
  notes: string[];
  /** `lab e2e --fault NAME`: what the fault did and how the lab recovered. */
  fault?: FaultReport;
  ok: boolean;
  /** The run's artifacts folder (absolute). */
  artifacts: string;
  /** What is in it, relative to it. */
  artifactsIndex?: ArtifactsIndex;
}

export function assertionReports(runs: AssertionRun[]): AssertionReport[] {
  return runs.map((r) => {
    const failed = r.results.filter((x) => !x.ok).length;
    return { id: r.assertion.id, title: r.assertion.title, ok: failed === 0 && r.results.length > 0, ms: r.ms, passed: r.results.length - failed, failed, results: r.results };
  });
}

export async function snapshotMachines(lab: Lab): Promise<MachineState[]> {
  return Promise.all(lab.machines().map(async (m) => {
    const state: MachineState = { name: m.name, kind: m.kind, address: m.address, routes: await lab.routes(m.name).catch(() => []) };
    if (isDualStack(lab.model)) {
      if (m.address6) state.address6 = m.address6;
      state.routes6 = await lab.routes(m.name, 6).catch(() => []);
    }
    if (m.dc) state.dc = m.dc;
    if (m.node) state.node = m.node;
    return state;
  }));
}
