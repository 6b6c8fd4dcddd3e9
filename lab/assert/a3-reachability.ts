// 3. Pod to pod across datacentres, both directions, ICMP and TCP, in each family the cluster has.
import type { Lab } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { addressOf, familiesOf, familyResult } from './family.ts';
import { PROBE_PARALLELISM, type Assertion, type AssertContext, type Result } from './types.ts';
import { podNode } from './path.ts';

export const podToPod: Assertion = {
  id: 3,
  title: 'pod to pod across datacentres (ICMP and TCP)',
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const cases = familiesOf(lab).flatMap((f) => ctx.pairs.map((pair) => ({ ...pair, f })));
    const perPair = await pool(cases, PROBE_PARALLELISM, async ({ from, to, f }) => {
      const address = addressOf(lab, to, f) ?? to;
      const [icmp, tcp] = await Promise.all([lab.ping(from, address), lab.tcpWhoAmI(from, address)]);
      const node = podNode(lab, to);
      const diag = `no path from ${from} to ${to} (${address}): check assertion 2 for the routers' routes to ${(f === 4 ? node?.podCIDR : node?.podCIDR6) ?? 'its pod CIDR'}`;
      return [
        familyResult(lab, f, 3, `${from} -> ${to} icmp`, icmp.ok, 'echo reply', icmp.detail || 'no reply', diag),
        familyResult(lab, f, 3, `${from} -> ${to} tcp`, tcp.ok, 'connected', tcp.ok ? 'connected' : tcp.detail, diag),
      ];
    });
    return perPair.flat();
  },
};
