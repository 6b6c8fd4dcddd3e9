// Runs the assertions in order against any Lab.
import type { Lab } from '../runtime/lab.ts';
import { sessionsEstablished } from './a1-sessions.ts';
import { routesPresent } from './a2-routes.ts';
import { podToPod } from './a3-reachability.ts';
import { hopByHop } from './a4-path.ts';
import { sourcePreserved } from './a5-source-ip.ts';
import { noOverlay } from './a6-no-overlay.ts';
import { egressMasqueraded } from './a7-egress.ts';
import { dnsThroughRouter } from './a8-dns.ts';
import { zonesHold } from './a9-firewall.ts';
import { serviceRoutes } from './a10-service-routes.ts';
import { inboundSourcePreserved } from './a11-inbound-source.ts';
import { nextHopsUsable } from './a12-next-hops.ts';
import { crossDcPairs, sameDcPairs } from './pairs.ts';
import { readOnce } from './read-once.ts';
import type { Assertion, Result } from './types.ts';

export const ASSERTIONS: Assertion[] = [sessionsEstablished, routesPresent, podToPod, hopByHop, sourcePreserved, noOverlay, egressMasqueraded, dnsThroughRouter, zonesHold, serviceRoutes, inboundSourcePreserved, nextHopsUsable];

export interface AssertionRun {
  assertion: Assertion;
  results: Result[];
  ms: number;
}

/** Wraps each assertion's run (the e2e flow passes telemetry's span wrapper; assert imports none). */
export type OnAssertion = (a: Assertion, run: () => Promise<Result[]>) => Promise<Result[]>;

/**
 * Runs the assertions and returns them in order, against one reading of the lab's state
 * (read-once.ts), as many at once as what they observe allows (their commands go through the
 * runtime's bounded command pool): the first exclusive one (6 counts what crosses the peering
 * network, 4 needs every hop's rate-limited ICMP error) beside the quiet ones only, any other
 * alone, then all the others together.
 */
export async function runAssertions(labItself: Lab, opts: { seed?: number; only?: number[]; onAssertion?: OnAssertion; assertions?: Assertion[] } = {}): Promise<AssertionRun[]> {
  const lab = readOnce(labItself);
  const seed = opts.seed ?? 1;
  const ctx = { seed, pairs: crossDcPairs(lab, seed), sameDcPairs: sameDcPairs(lab, seed) };
  const one = async (a: Assertion): Promise<AssertionRun> => {
    const t0 = Date.now();
    const run = async (): Promise<Result[]> => {
      try {
        return await a.run(lab, ctx);
      } catch (e) {
        return [{ assertion: a.id, subject: a.title, ok: false, expected: 'the check to run', seen: (e as Error).message, diagnosis: 'the check itself failed; see the message' }];
      }
    };
    const results = await (opts.onAssertion ? opts.onAssertion(a, run) : run());
    return { assertion: a, results, ms: Date.now() - t0 };
  };
  const chosen = (opts.assertions ?? ASSERTIONS).filter((x) => !opts.only || opts.only.includes(x.id));
  const [first, ...others] = chosen.filter((x) => x.exclusive);
  // The first exclusive one beside the quiet ones, any other exclusive one alone, then the rest together.
  const runs = await Promise.all([first, ...chosen.filter((x) => x.quiet && !x.exclusive)].filter((a) => a !== undefined).map(one));
  for (const a of others) runs.push(await one(a));
  runs.push(...(await Promise.all(chosen.filter((x) => !x.quiet && !x.exclusive).map(one))));
  return runs.sort((a, b) => a.assertion.id - b.assertion.id);
}
