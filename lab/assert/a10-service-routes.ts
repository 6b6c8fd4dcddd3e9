// 10. Service addresses routed as the policy says: every router routes each LoadBalancer address via
// exactly the nodes that should announce it (externalTrafficPolicy Local: the nodes with a backend;
// Cluster: every node), as equal-cost next hops where several share its LAN, and via a peer router
// when none is on its LAN; in each family the cluster has (IPv6: the /128 of the Service's IPv6 address).
import type { Lab, Route } from '../runtime/lab.ts';
import { allNodes, allRouters } from '../topology/model.ts';
import { nodeNextHop } from '../topology/sessions.ts';
import { announcers } from '../topology/services.ts';
import { pool } from '../util/pool.ts';
import { familiesOf, familyResult } from './family.ts';
import { PROBE_PARALLELISM, result, type Assertion, type Result } from './types.ts';

function nextHops(r: Route | undefined): string[] {
  if (!r) return [];
  return [...new Set(r.nexthops && r.nexthops.length > 0 ? r.nexthops : r.gateway ? [r.gateway] : [])].sort();
}

export const serviceRoutes: Assertion = {
  id: 10,
  title: 'service addresses routed as the policy says',
  quiet: true, // reads sessions and routing tables
  async run(lab: Lab): Promise<Result[]> {
    const m = lab.model;
    if (m.services.length === 0) return [result(10, '(no LoadBalancer services in this topology)', true, 'nothing to route', 'nothing to route')];
    const sessions = await lab.bgpSessions();
    const families = familiesOf(lab);
    const cases = allRouters(m).flatMap((r) => families.map((f) => ({ r, f })));
    const tables = new Map(await pool(cases, PROBE_PARALLELISM, async ({ r, f }) => [`${r.name}/${f}`, await lab.routes(r.name, f)] as const));
    const routedAnywhere = (dst: string) => [...tables.values()].some((t) => t.some((r) => r.dst === dst));
    const out: Result[] = [];
    for (const f of families) for (const s of m.services) {
      const address = (f === 4 ? s.address : s.address6) ?? '';
      const dst = `${address}/${f === 4 ? 32 : 128}`;
      const speakers = announcers(m, s);
      for (const router of allRouters(m)) {
        const dc = m.datacentres.find((d) => d.name === router.dc)!;
        const local = speakers.filter((n) => n.dc === dc.name);
        // Remote: a peer router of a datacentre with announcers (its `next hop self`), whichever BGP picked.
        const remote = m.datacentres.filter((d) => d !== dc && speakers.some((n) => n.dc === d.name)).flatMap((d) => d.routers.map((r) => (f === 4 ? r.peeringAddress : r.peeringAddress6 ?? '')));
        const hops = nextHops(tables.get(`${router.name}/${f}`)!.find((r) => r.dst === dst));
        const want = local.map((n) => nodeNextHop(m, n, f)).sort();
        const ok = local.length > 0 ? hops.join(',') === want.join(',') : hops.length > 0 && hops.every((h) => remote.includes(h));
        const expected = local.length > 0 ? `via ${want.join(' and ')}${want.length > 1 ? ' (equal cost)' : ''}` : `via a peer router (${remote.join(' or ')})`;
        const seen = hops.length === 0 ? 'no route' : `via ${hops.join(' and ')}`;
        let diagnosis: string;
        if (!routedAnywhere(dst)) {
          const up = sessions.some((x) => x.kind === 'ebgp' && x.established && speakers.some((n) => n.name === x.machine));
          const noPodRoutes = ![...tables.entries()].some(([k, t]) => k.endsWith(`/${f}`) && t.some((r) => allNodes(m).some((n) => (f === 4 ? n.podCIDR : n.podCIDR6) === r.dst)));
          diagnosis = up && noPodRoutes
            ? `no router has a route to ${address}, nor to any node's IPv${f} pod CIDR, although the sessions are up: no IPv${f} route of the nodes arrives: refused for its next hop (assertion 12 shows the router's log) or not advertised (the ipv${f} family of their CiliumBGPPeerConfig selects no advertisement${f === 6 ? ', cilium/cilium#24362' : ''})`
            : up
            ? `no router has a route to ${address} although the announcing nodes' sessions are up: the routers' import filter from nodes accepts only the pod CIDRs, so the service ${f === 4 ? '/32s' : '/128s'} are refused (accept loadBalancer.${f === 4 ? `pool ${m.loadBalancer?.pool}` : `pool6 ${m.loadBalancer?.pool6}`} too: net ~ ${f === 4 ? 'LB_POOL' : 'LB_POOL6'}), or the nodes do not advertise the service (serviceSelector / a Service CiliumBGPAdvertisement${f === 6 ? ' in the ipv6 family' : ''})`
            : `no router has a route to ${address}, and no announcing node (${speakers.map((n) => n.name).join(', ')}) has an established session (see assertion 1)`;
        } else if (local.length > 0 && hops.length < want.length && hops.every((h) => want.includes(h))) {
          diagnosis = `only ${hops.join(', ') || 'none'} of the ${want.length} equal-cost next hops is installed: BIRD's kernel protocol needs \`merge paths on\` to install every node announcing ${address}`;
        } else {
          const extra = hops.filter((h) => !want.includes(h) && !remote.includes(h));
          diagnosis = extra.length > 0
            ? `routed via ${extra.join(', ')}, which should not announce ${address}: with externalTrafficPolicy ${s.trafficPolicy} ${s.trafficPolicy === 'Local' ? 'only nodes with a ready backend announce it' : 'every node announces it'}`
            : `routed ${seen}, expected ${expected}: a node that should announce ${address} does not (policy ${s.trafficPolicy}, backends ${s.backends.join(', ')})`;
        }
        out.push(familyResult(lab, f, 10, `${router.name}: ${s.name} ${address}`, ok, expected, seen, diagnosis));
      }
    }
    return out;
  },
};
