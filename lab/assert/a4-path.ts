// 4. The path matches the topology hop by hop (traceroute from the pod), in each family.
import type { Lab } from '../runtime/lab.ts';
import { expectedHops, followsPath, whoHas } from './path.ts';
import { pool } from '../util/pool.ts';
import { addressOf, familiesOf, familyResult } from './family.ts';
import { PROBE_PARALLELISM, type Assertion, type AssertContext, type Result } from './types.ts';

export const hopByHop: Assertion = {
  id: 4,
  title: 'hop-by-hop path matches the topology',
  exclusive: true, // every hop's ICMP error counts, and the kernel rate-limits them (types.ts)
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const cases = familiesOf(lab).flatMap((f) => [...ctx.pairs, ...ctx.sameDcPairs].map((pair) => ({ ...pair, f })));
    return pool(cases, PROBE_PARALLELISM, async ({ from, to, f }) => {
      const hops = expectedHops(lab, from, to);
      const expected = hops.map((h) => h.join('|'));
      const trace = await lab.traceroute(from, addressOf(lab, to, f) ?? to);
      const seen = trace.hops.map((h) => (h === '*' ? '*' : whoHas(lab, h)));
      const ok = trace.ok && followsPath(seen, hops);
      let diagnosis = `the packet took ${seen.join(' > ') || 'no hops'} instead of ${expected.join(' > ')}`;
      if (expected.length === 3 && seen.length > 3) diagnosis += ': same-LAN traffic went through the router; autoDirectNodeRoutes installs direct routes between nodes of one LAN';
      if (seen.length < expected.length && trace.ok) diagnosis += ': hops are hidden, as when traffic is encapsulated between nodes (tunnel mode)';
      if (!trace.ok) diagnosis += ': the destination never answered';
      return familyResult(lab, f, 4, `${from} -> ${to}`, ok, expected.join(' > '), seen.join(' > ') || 'nothing', diagnosis, [`traceroute: ${trace.detail}`]);
    });
  },
};
