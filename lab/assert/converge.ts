// Waits for the lab to converge: every expected BGP session up and every router routing every pod
// CIDR. A lab that cannot converge (a negative control) is detected by its state settling, so a
// broken setup costs settleMs, not the whole deadline; the assertions then say what is missing.
import { allNodes } from '../topology/model.ts';
import type { Lab } from '../runtime/lab.ts';
import { expectedSessions } from './a1-sessions.ts';

export interface Convergence {
  converged: boolean;
  ms: number;
  missing: string[];
}

async function snapshot(lab: Lab): Promise<string[]> {
  const sessions = await lab.bgpSessions();
  const missing = expectedSessions(lab)
    .filter((e) => !sessions.some((s) => s.machine === e.machine && s.peerAddress === e.peer && s.established))
    .map((e) => `session ${e.machine} -> ${e.peerName}`);
  const pods = allNodes(lab.model).map((n) => n.podCIDR);
  for (const dc of lab.model.datacentres) {
    const routes = new Set((await lab.routes(dc.router.name)).map((r) => r.dst));
    for (const p of pods) if (!routes.has(p)) missing.push(`route ${dc.router.name} -> ${p}`);
  }
  return missing;
}

export async function waitForConvergence(lab: Lab, opts: { deadlineMs?: number; settleMs?: number; intervalMs?: number } = {}): Promise<Convergence> {
  const deadline = opts.deadlineMs ?? 30_000;
  // Do not call the lab settled before the routers' first dial (after BIRD's connect delay, 5 s by
  // default) and a retry of a refused dial (after the connect-retry time) had their chance.
  const t = lab.model.timers;
  const firstDial = (t?.connectDelay ?? 5) * 1000 + 2_000;
  const retry = t?.connectRetry === undefined ? 0 : t.connectRetry * 1000 + 2_000;
  const settle = opts.settleMs ?? Math.min(deadline, Math.max(3_000, firstDial, retry));
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
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
