// 5. Source IP preserved: a TCP server in a remote pod and on the remote LAN host each report the
// peer address they saw; it is the client pod's own IP, in each family the cluster has.
import type { Lab } from '../runtime/lab.ts';
import { whoHas } from './path.ts';
import { pool } from '../util/pool.ts';
import { addressOf, familiesOf, familyResult, type Family } from './family.ts';
import { PROBE_PARALLELISM, type Assertion, type AssertContext, type Result } from './types.ts';

export function masqueradeDiagnosis(lab: Lab, seen: string, f: Family = 4): string {
  const owner = whoHas(lab, seen);
  const kind = lab.machines().find((m) => m.name === owner)?.kind;
  const option = f === 4 ? 'enableIPv4Masquerade' : 'enableIPv6Masquerade';
  if (kind === 'node') return `the server saw node ${owner} (${seen}): the node masquerades pod traffic (Cilium ${option}: true); set it to false for native routing`;
  if (kind === 'router') return `the server saw router ${owner} (${seen}): the router masquerades traffic it should route (a masq${f === 6 ? '6' : ''} zone on the path)`;
  return `the server saw ${seen} (${owner}), not the client pod's address`;
}

export const sourcePreserved: Assertion = {
  id: 5,
  title: 'source IP preserved (remote pod and remote LAN host)',
  async run(lab: Lab, ctx: AssertContext): Promise<Result[]> {
    const cases = familiesOf(lab).flatMap((f) => ctx.pairs.map((pair) => ({ ...pair, f })));
    const perPair = await pool(cases, PROBE_PARALLELISM, async ({ from, to, f }) => {
      const client = addressOf(lab, from, f) ?? '';
      const dc = lab.machines().find((m) => m.name === to)?.dc;
      const lanHost = lab.model.datacentres.find((d) => d.name === dc)!.lanHost.name;
      return Promise.all([to, lanHost].map(async (server) => {
        const r = await lab.tcpWhoAmI(from, addressOf(lab, server, f) ?? server);
        const ok = r.ok && r.seenSource === client;
        const diagnosis = r.ok ? masqueradeDiagnosis(lab, r.seenSource ?? '', f) : `no answer from ${server}: ${r.detail}`;
        return familyResult(lab, f, 5, `${from} -> ${server}`, ok, client, r.seenSource ?? r.detail, diagnosis);
      }));
    });
    return perPair.flat();
  },
};
