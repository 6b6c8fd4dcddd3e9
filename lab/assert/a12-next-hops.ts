// 12. Next hops: on every router, every BGP route's next hop is of the route's family and reachable:
// no IPv4-mapped IPv6 next hop (what Cilium sends for IPv6 routes over an IPv4 session,
// cilium/cilium#37831), no IPv6 next hop on an IPv4 route unless both ends negotiated extended
// next hop (a BIRD route reflector refuses to pass those on, cilium/cilium#29951), and no update
// the router refused for its next hop (BIRD turns those into withdraws: only its log tells).
import type { BgpRoute, BgpSession, Lab } from '../runtime/lab.ts';
import { allRouters } from '../topology/model.ts';
import { pool } from '../util/pool.ts';
import { familiesOf, familyResult, type Family } from './family.ts';
import { PROBE_PARALLELISM, type Assertion, type Result } from './types.ts';

const familyOfAddress = (a: string): Family => (a.includes(':') && !isMapped(a) ? 6 : 4);
const isMapped = (a: string) => /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) || /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(a);
export const routeFamily = (r: BgpRoute): Family => (r.prefix.includes(':') ? 6 : 4);

/** What is wrong with one route's next hop, or undefined. */
export function nextHopProblem(r: BgpRoute, f: Family, session: BgpSession | undefined): string | undefined {
  const announced = r.bgpNextHop ?? [];
  const mapped = announced.find(isMapped);
  if (mapped) return `IPv4-mapped next hop ${mapped}: nothing on an IPv6 network has that address`;
  const first = announced[0];
  if (first !== undefined && familyOfAddress(first) !== f) {
    if (f === 4 && session?.extendedNextHop) return undefined; // RFC 8950, negotiated both ways
    return f === 6
      ? `IPv6 route with the IPv4 next hop ${first}: sent over an IPv4 session (with an IPv4-mapped next hop) and taken with \`extended next hop\`; the route depends on the kernel's IPv6-via-IPv4 gateway, which other routers and speakers cannot pass on`
      : `IPv4 route with the IPv6 next hop ${first}, and extended next hop not negotiated on ${r.protocol}: a BIRD route reflector refuses to pass it on (cilium/cilium#29951)`;
  }
  if (r.nextHops.length === 0) return `no usable next hop: ${first ?? 'none announced'} is not resolvable from here`;
  return undefined;
}

export const nextHopsUsable: Assertion = {
  id: 12,
  title: 'BGP next hops of the route\'s family and reachable',
  quiet: true, // reads the routers' tables and logs, pings next hops on their own links
  async run(lab: Lab): Promise<Result[]> {
    const m = lab.model;
    const sessions = await lab.bgpSessions('routers');
    const state = await pool(allRouters(m), PROBE_PARALLELISM, async (r) => ({
      r, routes: await lab.bgpRoutes(r.name), refusals: await lab.bgpRefusals(r.name),
    }));
    // Each distinct gateway once, from its router: a next hop BIRD resolved may still not answer.
    const gateways = [...new Set(state.flatMap(({ r: router, routes }) => routes.filter((r) => r.best).flatMap((r) => r.nextHops.map((h) => `${router.name} ${h}`))))];
    const answers = new Map(await pool(gateways, PROBE_PARALLELISM, async (key) => {
      const [router, gw] = key.split(' ') as [string, string];
      return [key, await lab.ping(router, gw)] as const;
    }));
    const out: Result[] = [];
    for (const f of familiesOf(lab)) {
      for (const { r: self, routes, refusals } of state) {
        const router = self.name;
        const mine = routes.filter((r) => routeFamily(r) === f);
        const problems = mine.flatMap((r) => {
          const session = sessions.find((s) => s.machine === router && s.protocol === r.protocol);
          const wrong = nextHopProblem(r, f, session);
          if (wrong) return [`${r.prefix} from ${r.protocol}: ${wrong}`];
          const silent = r.best ? r.nextHops.filter((h) => !answers.get(`${router} ${h}`)?.ok) : [];
          return silent.length > 0 ? [`${r.prefix} from ${r.protocol}: next hop ${silent.join(', ')} does not answer`] : [];
        });
        const refused = refusals.filter((l) => refusalFamily(l) === f);
        const ok = problems.length === 0 && refused.length === 0 && mine.length > 0;
        const seen = mine.length === 0 ? `no ${f === 4 ? 'IPv4' : 'IPv6'} BGP routes`
          : `${mine.length} routes, ${problems.length} with an unusable next hop${refused.length > 0 ? `; ${refused.length} updates refused` : ''}`;
        let diagnosis = problems[0] ?? '';
        if (refused.length > 0) {
          diagnosis = `${router} refused ${refused.length} update(s) for their next hop (${refused[0]}): ` + (f === 6 && m.sessions === 'mp-over-v4'
            ? `Cilium sends IPv6 routes over an IPv4 session with the IPv4-mapped next hop ::ffff:<node IPv4> (cilium/cilium#37831), and BIRD drops them unless the ipv6 channel has \`extended next hop on\` and an import filter that sets the node's own IPv6 next hop; or carry IPv6 on sessions of its own (bgp.sessions: per-family)`
            : f === 4 && m.sessions === 'v4-over-v6'
              ? `Cilium sends IPv4 routes over an IPv6 session with the node's IPv6 next hop, and BIRD drops them on an ipv4 channel without \`extended next hop on\` (RFC 8950; what a BIRD route reflector does in cilium/cilium#29951); or carry IPv4 on sessions of its own (bgp.sessions: per-family)`
              : 'the speaker announced a next hop the router cannot use on that session');
        } else if (mine.length === 0) diagnosis = `${router} holds no ${f === 4 ? 'IPv4' : 'IPv6'} BGP route at all: see assertions 1 and 2`;
        out.push(familyResult(lab, f, 12, `${router}: next hops of its BGP routes`, ok, 'every next hop of the route\'s family, resolved and answering; no update refused', seen, diagnosis,
          [...problems.slice(0, 3), ...refused.slice(0, 2)]));
      }
    }
    return out;
  },
};

/** The family of the channel a refusal names (BIRD: "... (10.0.0.10 for ipv6)"); IPv4 when it says none. */
function refusalFamily(line: string): Family {
  return /\bipv6\b/i.test(line) ? 6 : 4;
}
