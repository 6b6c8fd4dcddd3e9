// 5. Source IP preserved: a TCP server in a remote pod and on the remote LAN host each report the
// peer address they saw; it is the client pod's own IP.
import type { Lab } from '../runtime/lab.ts';
import { whoHas } from './path.ts';
import { pool } from '../util/pool.ts';
import { PROBE_PARALLELISM, result, type Assertion, type AssertContext, type Result } from './types.ts';

export function masqueradeDiagnosis(lab: Lab, seen: string): string {
  const owner = whoHas(lab, seen);
  const kind = lab.machines().find((m) => m.name === owner)?.kind;
  if (kind === 'node') return `the server saw node ${owner} (${seen}): the node masquerades pod traffic (Cilium enableIPv4Masquerade: true); set it to false for native routing`;
  if (kind === 'router') return `the server saw router ${owner} (${seen}): the router masquerades traffic it should route (a masq zone on the path)`;
  return `the server saw ${seen} (${owner}), not the client pod's address`;
}

export const sourcePreserved: Assertion = {
  id: 5,
  title: 'source IP preserved (remote pod and remote LAN host)',
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const perPair = await pool(ctx.pairs, PROBE_PARALLELISM, async ({ from, to }) => {
      const client = lab.machines().find((m) => m.name === from)!;
      const dc = lab.machines().find((m) => m.name === to)?.dc;
      const lanHost = lab.model.datacentres.find((d) => d.name === dc)!.lanHost.name;
      return Promise.all([to, lanHost].map(async (server) => {
        const r = await lab.tcpWhoAmI(from, server);
        const ok = r.ok && r.seenSource === client.address;
        const diagnosis = r.ok ? masqueradeDiagnosis(lab, r.seenSource ?? '') : `no answer from ${server}: ${r.detail}`;
        return result(5, `${from} -> ${server}`, ok, client.address, r.seenSource ?? r.detail, diagnosis);
      }));
    });
    return perPair.flat();
  },
};
