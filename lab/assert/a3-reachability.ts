// 3. Pod to pod across datacentres, both directions, ICMP and TCP.
import type { Lab } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { PROBE_PARALLELISM, result, type Assertion, type AssertContext, type Result } from './types.ts';
import { podNode } from './path.ts';

export const podToPod: Assertion = {
  id: 3,
  title: 'pod to pod across datacentres (ICMP and TCP)',
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const perPair = await pool(ctx.pairs, PROBE_PARALLELISM, async ({ from, to }) => {
      const [icmp, tcp] = await Promise.all([lab.ping(from, to), lab.tcpWhoAmI(from, to)]);
      const target = lab.machines().find((x) => x.name === to)!;
      const diag = `no path from ${from} to ${to} (${target.address}): check assertion 2 for the routers' routes to ${podNode(lab, to)?.podCIDR ?? 'its pod CIDR'}`;
      return [
        result(3, `${from} -> ${to} icmp`, icmp.ok, 'echo reply', icmp.detail || 'no reply', diag),
        result(3, `${from} -> ${to} tcp`, tcp.ok, 'connected', tcp.ok ? 'connected' : tcp.detail, diag),
      ];
    });
    return perPair.flat();
  },
};
