// A fault, measured through the Lab interface only: inject it, time how long until BGP notices
// (bounded by the hold time when the fault is silent), record which routes were withdrawn and which
// pod pairs fail, heal it, time the recovery, and check that every assertion holds again.
import { runAssertions } from '../assert/index.ts';
import { expectedSessions } from '../assert/a1-sessions.ts';
import { waitForConvergence } from '../assert/converge.ts';
import { crossDcPairs } from '../assert/pairs.ts';
import { allNodes, allRouters } from '../topology/model.ts';
import { gatewaysOf } from '../assert/a2-routes.ts';
import type { BgpSession, FaultKind, Lab } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { ciliumLineOf } from '../versions/cilium.ts';
import { boundViolations, lossBound, type LossBound } from './bounds.ts';
import { faultFlows } from './flows.ts';
import { masterDownMs } from '../render/keepalived.ts';
import { formatFlow, type FlowResult } from '../runtime/flows.ts';

/**
 * Hold times when neither the topology nor the speaker says (a session not established before the
 * fault): BIRD's default 240 s (doc/bird.sgml, "hold time"), Cilium's and GoBGP's 90 s. Normally
 * every bound comes from the negotiated hold time each speaker reports for the session it holds.
 */
const DEFAULT_HOLD_S = { BIRD: 240, GoBGP: 90, Cilium: 90 } as const;
/**
 * How long a healed lab may take to converge again. Without bgp.timers BIRD restarts a failed
 * session after its error wait (60 s, growing to 300 s on consecutive errors) and redials every
 * connect retry (120 s) (BIRD doc/bird.sgml, "error wait time", "connect retry time").
 */
const RECOVERY_DEFAULT_MS = 60_000;
const RECOVERY_UNTIMED_MS = 420_000;
const POLL_MS = 100;
/** Traffic flows this long before the fault, so loss before it (an unconverged lab) shows as such. */
const WARMUP_MS = 1000;
/** And this long after recovery, so the end of an outage is measured, not cut off. */
const TAIL_MS = 1000;

type Speaker = keyof typeof DEFAULT_HOLD_S;

/** One BGP session the fault cuts, with the hold time bounding its detection. */
export interface SessionBound {
  /** "router-dc1 -> router-dc2" */
  session: string;
  holdTimeS: number;
  keepaliveS: number;
  /** Who said so: "BIRD on router-dc1", "GoBGP on worker-1", or the default used. */
  reportedBy: string[];
  source: 'negotiated' | 'configured' | 'default';
}

export interface FaultReport {
  kind: FaultKind;
  target: string;
  description: string;
  /** The bound: the smallest negotiated hold time of the sessions the fault cuts (the first to expire). */
  holdTimeS: number;
  /** Every session the fault cuts and its hold time, as its speakers report it. */
  sessions: SessionBound[];
  /** The sessions whose hold time is the bound. */
  boundedBy: string[];
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
  /** The loss meter's flows, measured from before the fault until after recovery (ms relative to the injection). */
  flows: FlowResult[];
  /** Why no flow was measured, where none was. */
  flowsNote?: string;
  /** What bounds the loss, and each flow that exceeded it. */
  lossBound: LossBound;
  lossViolations: string[];
  /** ms from injection to heal. */
  heldMs: number;
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
  for (const router of allRouters(lab.model)) {
    for (const r of await lab.routes(router.name)) if (pods.has(r.dst)) s.set(`route ${router.name} ${r.dst}`, gatewaysOf(r).join(',') || r.dev || '?');
  }
  return s;
}

/**
 * The state without what a stopped router says of itself (its BIRD does not answer, so all its
 * sessions look down at once): whether BGP noticed is its peers' view.
 */
function others(s: Map<string, string>, blind: string | undefined): Map<string, string> {
  if (!blind) return s;
  return new Map([...s].filter(([k]) => !k.startsWith(`session ${blind} -> `) && !k.startsWith(`route ${blind} `)));
}

function diff(before: Map<string, string>, now: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of before) {
    const n = now.get(k);
    if (n !== v) out.push(n === undefined ? `${k}: withdrawn` : `${k}: ${v} -> ${n}`);
  }
  return out;
}

function speakerOf(lab: Lab, machine: string): Speaker {
  const kind = lab.machines().find((m) => m.name === machine)?.kind;
  return kind === 'router' ? 'BIRD' : lab.runtime === 'twin' ? 'GoBGP' : 'Cilium';
}

/** Which sessions the fault cuts: those touching its target; a peering cut only the iBGP ones. */
function sessionsCut(lab: Lab, kind: FaultKind, target: string) {
  return expectedSessions(lab).filter((e) => (e.machine === target || e.peerName === target) && (kind !== 'peering-down' || e.kind === 'ibgp'));
}

/** Per cut session (both ends are one session): the hold time its speakers negotiated. */
export function sessionBounds(lab: Lab, kind: FaultKind, target: string, seen: BgpSession[]): SessionBound[] {
  const bounds = new Map<string, SessionBound>();
  for (const e of sessionsCut(lab, kind, target)) {
    const name = [e.machine, e.peerName].sort().join(' -> ');
    const s = seen.find((x) => x.machine === e.machine && x.peerAddress === e.peer);
    const speaker = speakerOf(lab, e.machine);
    const b = bounds.get(name);
    if (s?.holdTimeS !== undefined) {
      const mine = { holdTimeS: s.holdTimeS, keepaliveS: s.keepaliveS ?? s.holdTimeS / 3 };
      if (!b || b.source !== 'negotiated') bounds.set(name, { session: name, ...mine, reportedBy: [`${speaker} on ${e.machine}`], source: 'negotiated' });
      else {
        // Both ends negotiate min(own, peer's); should they ever disagree, the larger one bounds.
        b.reportedBy.push(`${speaker} on ${e.machine}`);
        b.holdTimeS = Math.max(b.holdTimeS, mine.holdTimeS);
        b.keepaliveS = Math.max(b.keepaliveS, mine.keepaliveS);
      }
    } else if (!b) {
      const t = lab.model.timers;
      const hold = t?.hold ?? DEFAULT_HOLD_S[speaker];
      bounds.set(name, { session: name, holdTimeS: hold, keepaliveS: t?.keepalive ?? hold / 3, reportedBy: [t?.hold ? 'bgp.timers.hold' : `${speaker}'s default`], source: t?.hold ? 'configured' : 'default' });
    }
  }
  return [...bounds.values()];
}

export async function runFault(lab: Lab, kind: FaultKind): Promise<FaultReport> {
  const seen = await lab.bgpSessions();
  const before = await state(lab);
  const specs = faultFlows(lab);
  const meter = lab.startFlows && specs.length > 0 ? await lab.startFlows(specs) : undefined;
  const flowsNote = meter ? undefined : !lab.startFlows ? `the ${lab.runtime} lab runs no loss meter` : 'no pod pair across two datacentres and no LoadBalancer Service to measure';
  if (meter) await new Promise((r) => setTimeout(r, WARMUP_MS));
  // The fault starts when its injection does (a speaker's stop or a router's freeze takes a while).
  const t0 = Date.now();
  const fault = await lab.injectFault(kind);
  const blind = kind === 'router-down' || kind === 'router-restart' ? fault.target : undefined;
  const seenBefore = others(before, blind);
  const now = async () => others(await state(lab), blind);
  const sessions = sessionBounds(lab, kind, fault.target, seen);
  // The first cut session to time out is the first a silent fault can show in.
  const hold = sessions.length > 0 ? Math.min(...sessions.map((b) => b.holdTimeS)) : (lab.model.timers?.hold ?? DEFAULT_HOLD_S.GoBGP);
  const boundedBy = sessions.filter((b) => b.holdTimeS === hold).map((b) => b.session);
  const keepalive = Math.max(...sessions.map((b) => b.keepaliveS), hold / 3);
  const longest = Math.max(hold, ...sessions.map((b) => b.holdTimeS));
  let detectMs: number | undefined;
  // Daemon faults show at once; silent link faults within the hold time. Wait for the longest cut
  // session to time out too, with some slack.
  // A flap lasts what it lasts; the runner then heals it, whatever BGP noticed by then.
  const deadline = fault.flapMs !== undefined ? t0 + fault.flapMs : t0 + (longest + keepalive + 5) * 1000;
  while (Date.now() < deadline) {
    if (diff(seenBefore, await now()).length > 0) {
      detectMs = Date.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // The two ends of a silently cut session time out up to a keepalive apart, and withdrawals then
  // spread over iBGP: look at the damage once the state has stopped changing for a keepalive.
  let during = await now();
  let stableSince = Date.now();
  while (detectMs !== undefined && Date.now() - stableSince < keepalive * 1000 + 500 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const current = await now();
    if (diff(during, current).length > 0 || diff(current, during).length > 0) {
      during = current;
      stableSince = Date.now();
    }
  }
  const changed = diff(seenBefore, during);
  const withdrawn = allRouters(lab.model).map((r) => ({
    router: r.name,
    prefixes: [...seenBefore.keys()].filter((k) => k.startsWith(`route ${r.name} `) && !during.has(k)).map((k) => k.split(' ')[2]!),
  })).filter((w) => w.prefixes.length > 0);
  const pairs = fault.flapMs !== undefined ? [] : crossDcPairs(lab, 1);
  const probes = await pool(pairs, 8, async (p) => ({ p, ok: (await lab.ping(p.from, p.to)).ok }));
  const failingPairs = probes.filter((x) => !x.ok).map((x) => `${x.p.from} -> ${x.p.to}`);
  const flapMs = fault.flapMs;
  if (flapMs !== undefined) await new Promise((r) => setTimeout(r, Math.max(0, t0 + flapMs - Date.now())));

  const t1 = Date.now();
  await fault.heal();
  // A healed lab is expected to recover: no early "settled" verdict while BIRD waits to redial.
  const recovery = lab.model.timers ? RECOVERY_DEFAULT_MS : RECOVERY_UNTIMED_MS;
  const conv = await waitForConvergence(lab, { deadlineMs: recovery, settleMs: recovery });
  const recoverMs = conv.converged ? Date.now() - t1 : undefined;
  // The meter stops before the assertions run again: its datagrams to a pod that was unreachable
  // drew ICMP errors, and the kernel's per-destination ICMP rate limit would then starve the
  // traceroutes of assertion 4.
  if (meter) await new Promise((r) => setTimeout(r, TAIL_MS));
  const flows = meter ? await meter.stop(t0) : [];
  const runs = await runAssertions(lab);
  const afterRecovery = runs.map((r) => ({ id: r.assertion.id, ok: r.results.length > 0 && r.results.every((x) => x.ok) }));
  const withinHold = !fault.silent || (detectMs !== undefined && detectMs <= (hold + keepalive) * 1000 + 1000);
  // The datacentre whose router the fault struck, if it struck one.
  const struckDc = lab.model.datacentres.find((d) => d.routers.some((r) => r.name === fault.target));
  const bound = lossBound({
    kind, gracefulRestart: lab.model.gracefulRestart, heldMs: t1 - t0, timers: lab.model.timers,
    speakerFirstDialS: ciliumLineOf(lab.model.versions.cilium).gobgp.firstDialS[1], flapMs: fault.flapMs,
    ...(struckDc && struckDc.routers.length > 1 ? { redundancy: { masterDownMs: masterDownMs(struckDc), holdS: longest } } : {}),
  });
  const lossViolations = [
    ...boundViolations(bound, flows),
    // Loss before the fault is the lab's, not the fault's: it makes the measurement meaningless.
    ...flows.filter((f) => f.windows.some((w) => w.toMs <= 0)).map((f) => `${f.from} -> ${f.to}: lost datagrams before the fault (the lab was not converged)`),
  ];
  // A flap is meant to pass unnoticed by BGP; every other fault must be noticed.
  const noticed = fault.flapMs !== undefined || detectMs !== undefined;
  return {
    kind, target: fault.target, description: fault.description, holdTimeS: hold, sessions, boundedBy,
    detectMs, withinHold, whatChanged: changed, withdrawn, failingPairs,
    recoverMs, recovered: conv.converged, afterRecovery,
    flows, ...(flowsNote ? { flowsNote } : {}), lossBound: bound, lossViolations, heldMs: t1 - t0,
    ok: noticed && withinHold && conv.converged && afterRecovery.every((a) => a.ok) && lossViolations.length === 0,
  };
}

export function formatFault(f: FaultReport): string {
  const lines = [
    `fault ${f.kind}: ${f.description}`,
    `  detected after ${f.detectMs === undefined ? 'NEVER' : `${f.detectMs} ms`} (hold time ${f.holdTimeS} s${f.withinHold ? '' : ', EXCEEDED'}; bounded by ${(f.boundedBy ?? []).join(', ') || 'no session'})`,
    ...(f.sessions ?? []).map((b) => `  cuts ${b.session}: hold time ${b.holdTimeS} s, keepalive ${b.keepaliveS} s (${b.source}: ${b.reportedBy.join(', ')})`),
    ...f.withdrawn.map((w) => `  ${w.router} withdrew ${w.prefixes.join(', ')}`),
    ...f.whatChanged.filter((c) => c.startsWith('session')).slice(0, 6).map((c) => `  ${c}`),
    `  pod pairs failing during the fault: ${f.failingPairs.length === 0 ? 'none' : f.failingPairs.join(', ')}`,
    `  recovered after ${f.recoverMs === undefined ? 'NOT recovered' : `${f.recoverMs} ms`} of the heal (held ${f.heldMs} ms); assertions afterwards: ${f.afterRecovery.filter((a) => a.ok).length}/${f.afterRecovery.length} hold`,
    ...(f.flowsNote ? [`  loss not measured: ${f.flowsNote}`] : f.flows.map((x) => `  flow ${formatFlow(x)}`)),
    `  loss bound: ${f.lossBound.name}, ${f.lossBound.maxGapMs === 0 ? 'no loss' : `gap up to ${f.lossBound.maxGapMs} ms`}: ${f.lossBound.explains}`,
    ...f.lossViolations.map((v) => `  EXCEEDED: ${v}`),
    `${f.ok ? 'PASS' : 'FAIL'}: fault ${f.kind}`,
  ];
  return lines.join('\n') + '\n';
}
