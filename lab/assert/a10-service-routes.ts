// 10. Service addresses routed as the policy says: every router routes each LoadBalancer address via
// exactly the nodes that should announce it (externalTrafficPolicy Local: the nodes with a backend;
// Cluster: every node), as equal-cost next hops where several share its LAN, and via a peer router
// when none is on its LAN.
import type { Lab, Route } from '../runtime/lab.ts';
import { announcers } from '../topology/services.ts';
import { pool } from '../util/pool.ts';
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
    const tables = new Map(await pool(m.datacentres, PROBE_PARALLELISM, async (dc) => [dc.name, await lab.routes(dc.router.name)] as const));
    const routedAnywhere = (dst: string) => [...tables.values()].some((t) => t.some((r) => r.dst === dst));
    const out: Result[] = [];
    for (const s of m.services) {
      const dst = `${s.address}/32`;
      const speakers = announcers(m, s);
      for (const dc of m.datacentres) {
        const local = speakers.filter((n) => n.dc === dc.name);
        // Remote: a peer router of a datacentre with announcers (its `next hop self`), whichever BGP picked.
        const remote = m.datacentres.filter((d) => d !== dc && speakers.some((n) => n.dc === d.name)).map((d) => d.router.peeringAddress);
        const hops = nextHops(tables.get(dc.name)!.find((r) => r.dst === dst));
        const want = local.map((n) => n.address).sort();
        const ok = local.length > 0 ? hops.join(',') === want.join(',') : hops.length > 0 && hops.every((h) => remote.includes(h));
        const expected = local.length > 0 ? `via ${want.join(' and ')}${want.length > 1 ? ' (equal cost)' : ''}` : `via a peer router (${remote.join(' or ')})`;
        const seen = hops.length === 0 ? 'no route' : `via ${hops.join(' and ')}`;
        let diagnosis: string;
        if (!routedAnywhere(dst)) {
          const up = sessions.some((x) => x.kind === 'ebgp' && x.established && speakers.some((n) => n.name === x.machine));
          diagnosis = up
            ? `no router has a route to ${s.address} although the announcing nodes' sessions are up: the routers' import filter from nodes accepts only the pod CIDRs, so the service /32s are refused (accept loadBalancer.pool ${m.loadBalancer?.pool} too: net ~ LB_POOL), or the nodes do not advertise the service (serviceSelector / a Service CiliumBGPAdvertisement)`
            : `no router has a route to ${s.address}, and no announcing node (${speakers.map((n) => n.name).join(', ')}) has an established session (see assertion 1)`;
        } else if (local.length > 0 && hops.length < want.length && hops.every((h) => want.includes(h))) {
          diagnosis = `only ${hops.join(', ') || 'none'} of the ${want.length} equal-cost next hops is installed: BIRD's kernel protocol needs \`merge paths on\` to install every node announcing ${s.address}`;
        } else {
          const extra = hops.filter((h) => !want.includes(h) && !remote.includes(h));
          diagnosis = extra.length > 0
            ? `routed via ${extra.join(', ')}, which should not announce ${s.address}: with externalTrafficPolicy ${s.trafficPolicy} ${s.trafficPolicy === 'Local' ? 'only nodes with a ready backend announce it' : 'every node announces it'}`
            : `routed ${seen}, expected ${expected}: a node that should announce ${s.address} does not (policy ${s.trafficPolicy}, backends ${s.backends.join(', ')})`;
        }
        out.push(result(10, `${dc.router.name}: ${s.name} ${s.address}`, ok, expected, seen, diagnosis));
      }
    }
    return out;
  },
};
