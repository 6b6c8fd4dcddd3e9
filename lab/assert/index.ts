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
import { crossDcPairs, sameDcPairs } from './pairs.ts';
import type { Assertion, Result } from './types.ts';

export const ASSERTIONS: Assertion[] = [sessionsEstablished, routesPresent, podToPod, hopByHop, sourcePreserved, noOverlay, egressMasqueraded, dnsThroughRouter, zonesHold];

export interface AssertionRun {
  assertion: Assertion;
  results: Result[];
  ms: number;
}

export async function runAssertions(lab: Lab, opts: { seed?: number; only?: number[] } = {}): Promise<AssertionRun[]> {
  const seed = opts.seed ?? 1;
  const ctx = { seed, pairs: crossDcPairs(lab, seed), sameDcPairs: sameDcPairs(lab, seed) };
  const runs: AssertionRun[] = [];
  for (const a of ASSERTIONS.filter((x) => !opts.only || opts.only.includes(x.id))) {
    const t0 = Date.now();
    let results: Result[];
    try {
      results = await a.run(lab, ctx);
    } catch (e) {
      results = [{ assertion: a.id, subject: a.title, ok: false, expected: 'the check to run', seen: (e as Error).message, diagnosis: 'the check itself failed; see the message' }];
    }
    runs.push({ assertion: a, results, ms: Date.now() - t0 });
  }
  return runs;
}
