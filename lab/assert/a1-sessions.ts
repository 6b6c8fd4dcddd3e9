// 1. Every router-router and router-node BGP session is Established, seen from both ends.
import { ibgpPeers } from '../render/bird.ts';
import type { BgpSession, Lab } from '../runtime/lab.ts';
import { isDualStack } from '../topology/model.ts';
import { nodeSessionFamilies, routerSessionFamilies } from '../topology/sessions.ts';
import type { Family } from './family.ts';
import { result, type Assertion, type Result } from './types.ts';

interface Expected {
  machine: string;
  peer: string;
  peerName: string;
  kind: 'ibgp' | 'ebgp';
  /** The family of the session's transport (a dual-stack lab's per-family layout has both). */
  family: Family;
}

/**
 * Every session the topology implies, from both ends: the routers' iBGP mesh (or reflection) and
 * each node with its router, in each transport family the layout has (lab/topology/sessions.ts):
 * both per family; IPv4 only with IPv6 over IPv4; for the nodes IPv6 only with IPv4 over IPv6.
 */
export function expectedSessions(lab: Lab): Expected[] {
  const m = lab.model;
  const out: Expected[] = [];
  const at = (f: Family, v4: string, v6: string | undefined) => (f === 4 ? v4 : v6 ?? '');
  const [routers, nodes] = [routerSessionFamilies(m), nodeSessionFamilies(m)];
  for (const f of [4, 6] as Family[]) {
    for (const dc of m.datacentres) {
      for (const r of dc.routers) {
        if (routers.includes(f)) {
          for (const { peer } of ibgpPeers(m, r)) out.push({ machine: r.name, peer: at(f, peer.peeringAddress, peer.peeringAddress6), peerName: peer.name, kind: 'ibgp', family: f });
        }
        if (!nodes.includes(f)) continue;
        // Every node with every router of its datacentre (several routers: one session each).
        for (const n of dc.nodes) {
          out.push({ machine: r.name, peer: at(f, n.address, n.address6), peerName: n.name, kind: 'ebgp', family: f });
          out.push({ machine: n.name, peer: at(f, r.address, r.address6), peerName: r.name, kind: 'ebgp', family: f });
        }
      }
    }
  }
  return out;
}

function diagnose(lab: Lab, e: Expected, seen: BgpSession | undefined, all: BgpSession[]): string {
  const m = lab.model;
  const isNode = (name: string) => m.datacentres.some((d) => d.nodes.some((n) => n.name === name));
  const node = isNode(e.machine) ? e.machine : isNode(e.peerName) ? e.peerName : undefined;
  if (node && !all.some((s) => s.machine === node)) {
    return `no BGP session is configured on ${node}: no Cilium BGP resource selects it (check the resource's nodeSelector against the node's labels, e.g. dc: ${m.datacentres.find((d) => d.nodes.some((n) => n.name === node))?.name})`;
  }
  if (!seen) return `${e.machine} has no session configured towards ${e.peer}: the rendered config or the BGP resource lacks this peer`;
  if (m.cluster.asn === m.routers.asn && e.kind === 'ebgp') return `cluster and routers share AS ${m.routers.asn}; see assertion 2`;
  return `configured on ${e.machine} but ${seen.state}: check that both ends agree on addresses and AS numbers (routers AS ${m.routers.asn}, cluster AS ${m.cluster.asn}) and that TCP 179 is allowed`;
}

export const sessionsEstablished: Assertion = {
  id: 1,
  title: 'BGP sessions established',
  quiet: true, // reads the speakers' sessions
  async run(lab: Lab): Promise<Result[]> {
    const all = await lab.bgpSessions();
    return expectedSessions(lab).map((e) => {
      const seen = all.find((s) => s.machine === e.machine && s.peerAddress === e.peer);
      const ok = seen?.established === true;
      const dual = isDualStack(lab.model);
      return result(1, `${e.machine} -> ${e.peerName} (${e.peer}, ${e.kind})`, ok, 'Established', seen ? seen.state : 'no such session', diagnose(lab, e, seen, all), undefined, dual ? e.family : undefined);
    });
  },
};
