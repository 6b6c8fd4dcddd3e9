// Waits for the lab to converge: every expected BGP session up and every router routing every pod
// CIDR. A lab that cannot converge (a negative control) is detected by its state settling, so a
// broken setup costs settleMs, not the whole deadline; the assertions then say what is missing.
// Polls the routers only (their sessions and tables): a router's session is Established only once
// both ends exchanged KEEPALIVEs, so the nodes' own view (assertion 1 checks it) adds nothing here,
// and asking every speaker would cost a process per node per poll.
import { allNodes, allRouters } from '../topology/model.ts';
import type { Lab } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { expectedSessions } from './a1-sessions.ts';
import { ciliumLineOf } from '../versions/cilium.ts';

export interface Convergence {
  converged: boolean;
  ms: number;
  missing: string[];
}

async function snapshot(lab: Lab): Promise<string[]> {
  const routerNames = new Set(allRouters(lab.model).map((r) => r.name));
  const sessions = await lab.bgpSessions('routers');
  const missing = expectedSessions(lab)
    .filter((e) => routerNames.has(e.machine))
    .filter((e) => !sessions.some((s) => s.machine === e.machine && s.peerAddress === e.peer && s.established))
    .map((e) => `session ${e.machine} -> ${e.peerName}`);
  if (missing.length > 0) return missing; // routes cannot be complete yet: skip reading the tables
  const pods = allNodes(lab.model).map((n) => n.podCIDR);
  const tables = await pool(allRouters(lab.model), 8, async (r) => ({ r, routes: new Set((await lab.routes(r.name)).map((x) => x.dst)) }));
  for (const { r, routes } of tables) for (const p of pods) if (!routes.has(p)) missing.push(`route ${r.name} -> ${p}`);
  return missing;
}

export async function waitForConvergence(lab: Lab, opts: { deadlineMs?: number; settleMs?: number; intervalMs?: number } = {}): Promise<Convergence> {
  const deadline = opts.deadlineMs ?? 30_000;
  // Do not call the lab settled before the routers' first dial (after BIRD's connect delay, 5 s by
  // default and never under 1 s: bgp_active() in BIRD's proto/bgp/bgp.c waits MAX(1, connect delay))
  // and a retry of a refused dial (after the connect-retry time) had their chance.
  const t = lab.model.timers;
  const firstDial = Math.max(1, t?.connectDelay ?? 5) * 1000 + 2_000;
  const retry = t?.connectRetry === undefined ? 0 : t.connectRetry * 1000 + 2_000;
  // Nodes whose speaker only dials (Cilium's) come up no sooner than their GoBGP's first dial:
  // 1-2 s on most lines, 5-10 s on 1.14's GoBGP v3.23 (lab/versions/cilium.ts).
  const speakerDial = ciliumLineOf(lab.model.versions.cilium).gobgp.firstDialS[1] * 1000 + 2_000;
  const settle = opts.settleMs ?? Math.min(deadline, Math.max(3_000, firstDial, retry, speakerDial));
  // A poll costs a process per router: poll small labs often, large ones less.
  const interval = opts.intervalMs ?? Math.min(250, 10 + 5 * lab.model.datacentres.length);
  const start = Date.now();
  let last = '';
  let since = start;
  for (;;) {
    const missing = await snapshot(lab);
    const now = Date.now();
    if (missing.length === 0) return { converged: true, ms: now - start, missing };
    const key = missing.join('|');
    if (key !== last) {
      last = key;
      since = now;
    }
    if (now - since >= settle || now - start >= deadline) return { converged: false, ms: now - start, missing };
    await new Promise((r) => setTimeout(r, interval));
  }
}
