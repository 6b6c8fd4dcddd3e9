// A fault, measured through the Lab interface only: inject it, time how long until BGP notices
// (bounded by the hold time when the fault is silent), record which routes were withdrawn and which
// pod pairs fail, heal it, time the recovery, and check that every assertion holds again.
import { runAssertions } from '../assert/index.ts';
import { expectedSessions } from '../assert/a1-sessions.ts';
import { waitForConvergence } from '../assert/converge.ts';
import { crossDcPairs } from '../assert/pairs.ts';
import { allNodes } from '../topology/model.ts';
import type { FaultKind, Lab } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';

/** BGP's hold time when the topology leaves it to the daemons (BIRD and Cilium: 90 s; GoBGP likewise). */
const DEFAULT_HOLD_S = 90;
const POLL_MS = 100;

export interface FaultReport {
  kind: FaultKind;
  target: string;
  description: string;
  holdTimeS: number;
  /** ms from injection until a session dropped or a route changed; undefined if nothing changed. */
  detectMs: number | undefined;
  /** For silent faults: detection came within the hold time (plus one keepalive and polling). */
  withinHold: boolean;
  whatChanged: string[];
  withdrawn: { router: string; prefixes: string[] }[];
  failingPairs: string[];
  recoverMs: number | undefined;
  recovered: boolean;
  afterRecovery: { id: number; ok: boolean }[];
  ok: boolean;
}

async function state(lab: Lab): Promise<Map<string, string>> {
  const s = new Map<string, string>();
  const sessions = await lab.bgpSessions();
  for (const e of expectedSessions(lab)) {
    const up = sessions.some((x) => x.machine === e.machine && x.peerAddress === e.peer && x.established);
    s.set(`session ${e.machine} -> ${e.peerName}`, up ? 'up' : 'down');
  }
  const pods = new Set(allNodes(lab.model).map((n) => n.podCIDR));
  for (const dc of lab.model.datacentres) {
    for (const r of await lab.routes(dc.router.name)) if (pods.has(r.dst)) s.set(`route ${dc.router.name} ${r.dst}`, r.gateway ?? r.dev ?? '?');
  }
  return s;
}

function diff(before: Map<string, string>, now: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of before) {
    const n = now.get(k);
    if (n !== v) out.push(n === undefined ? `${k}: withdrawn` : `${k}: ${v} -> ${n}`);
  }
  return out;
}

export async function runFault(lab: Lab, kind: FaultKind): Promise<FaultReport> {
  const hold = lab.model.timers?.hold ?? DEFAULT_HOLD_S;
  const keepalive = lab.model.timers?.keepalive ?? hold / 3;
  const before = await state(lab);
  const fault = await lab.injectFault(kind);
  const t0 = Date.now();
  let detectMs: number | undefined;
  // Daemon faults show at once; silent link faults within the hold time. Give both some slack.
  const deadline = t0 + (hold + keepalive + 5) * 1000;
  while (Date.now() < deadline) {
    if (diff(before, await state(lab)).length > 0) {
      detectMs = Date.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // The two ends of a silently cut session time out up to a keepalive apart, and withdrawals then
  // spread over iBGP: look at the damage once the state has stopped changing for a keepalive.
  let during = await state(lab);
  let stableSince = Date.now();
  while (detectMs !== undefined && Date.now() - stableSince < keepalive * 1000 + 500 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const now = await state(lab);
    if (diff(during, now).length > 0 || diff(now, during).length > 0) {
      during = now;
      stableSince = Date.now();
    }
  }
  const changed = diff(before, during);
  const withdrawn = lab.model.datacentres.map((dc) => ({
    router: dc.router.name,
    prefixes: [...before.keys()].filter((k) => k.startsWith(`route ${dc.router.name} `) && !during.has(k)).map((k) => k.split(' ')[2]!),
  })).filter((w) => w.prefixes.length > 0);
  const pairs = crossDcPairs(lab, 1);
  const probes = await pool(pairs, 8, async (p) => ({ p, ok: (await lab.ping(p.from, p.to)).ok }));
  const failingPairs = probes.filter((x) => !x.ok).map((x) => `${x.p.from} -> ${x.p.to}`);

  const t1 = Date.now();
  await fault.heal();
  const conv = await waitForConvergence(lab, { deadlineMs: 60_000 });
  const recoverMs = conv.converged ? Date.now() - t1 : undefined;
  const runs = await runAssertions(lab);
  const afterRecovery = runs.map((r) => ({ id: r.assertion.id, ok: r.results.length > 0 && r.results.every((x) => x.ok) }));
  const withinHold = !fault.silent || (detectMs !== undefined && detectMs <= (hold + keepalive) * 1000 + 1000);
  return {
    kind, target: fault.target, description: fault.description, holdTimeS: hold,
    detectMs, withinHold, whatChanged: changed, withdrawn, failingPairs,
    recoverMs, recovered: conv.converged, afterRecovery,
    ok: detectMs !== undefined && withinHold && conv.converged && afterRecovery.every((a) => a.ok),
  };
}

export function formatFault(f: FaultReport): string {
  const lines = [
    `fault ${f.kind}: ${f.description}`,
    `  detected after ${f.detectMs === undefined ? 'NEVER' : `${f.detectMs} ms`} (hold time ${f.holdTimeS} s${f.withinHold ? '' : ', EXCEEDED'})`,
    ...f.withdrawn.map((w) => `  ${w.router} withdrew ${w.prefixes.join(', ')}`),
    ...f.whatChanged.filter((c) => c.startsWith('session')).slice(0, 6).map((c) => `  ${c}`),
    `  pod pairs failing during the fault: ${f.failingPairs.length === 0 ? 'none' : f.failingPairs.join(', ')}`,
    `  recovered after ${f.recoverMs === undefined ? 'NOT recovered' : `${f.recoverMs} ms`}; assertions afterwards: ${f.afterRecovery.filter((a) => a.ok).length}/${f.afterRecovery.length} hold`,
    `${f.ok ? 'PASS' : 'FAIL'}: fault ${f.kind}`,
  ];
  return lines.join('\n') + '\n';
}
