// 2. Every router's kernel table routes every node's pod CIDR (local ones via the node, remote ones
// via the peer router), in each family the cluster has; nodes have no overlay device and no route
// through one.
import { allNodes, allRouters, isDualStack, type RouterModel } from '../topology/model.ts';
import { carrierFamily, nodeNextHop } from '../topology/sessions.ts';
import type { BgpSession, Lab, Link, Route } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { familiesOf, familyResult, type Family } from './family.ts';
import { PROBE_PARALLELISM, result, type Assertion, type Result } from './types.ts';

export const OVERLAY_KINDS = ['vxlan', 'geneve', 'ipip', 'gre', 'sit'];

export function isOverlay(l: Link): boolean {
  return OVERLAY_KINDS.includes(l.kind ?? '') || /^cilium_(vxlan|geneve)/.test(l.name);
}

/** A route's next hops: its gateway, or each of an equal-cost route's. */
export function gatewaysOf(route: Route): string[] {
  return route.nexthops && route.nexthops.length > 0 ? route.nexthops : route.gateway ? [route.gateway] : [];
}

function podRoute(lab: Lab, sessions: BgpSession[], table: Route[], router: RouterModel, nodeName: string, f: Family): Result {
  const m = lab.model;
  const dc = m.datacentres.find((d) => d.name === router.dc)!;
  const node = allNodes(m).find((n) => n.name === nodeName)!;
  const home = m.datacentres.find((d) => d.name === node.dc)!;
  const podCIDR = f === 4 ? node.podCIDR : node.podCIDR6 ?? '';
  // A remote datacentre's pods: through every one of its routers, as equal-cost next hops.
  const expectedVia = home === dc ? [nodeNextHop(m, node, f)] : home.routers.map((r) => (f === 4 ? r.peeringAddress : r.peeringAddress6) ?? '');
  const carrier = carrierFamily(m, f);
  const route = table.find((r) => r.dst === podCIDR);
  const via = route ? gatewaysOf(route) : [];
  const ok = route !== undefined && via.length === expectedVia.length && expectedVia.every((a) => via.includes(a));
  const seen = route ? `via ${via.join(', ') || '(none)'} dev ${route.dev ?? '?'}` : 'no route';
  let diagnosis: string;
  if (route && !ok && via.length > 0 && via.length < expectedVia.length && via.every((a) => expectedVia.includes(a))) {
    const missing = home.routers.filter((r) => !via.includes((f === 4 ? r.peeringAddress : r.peeringAddress6) ?? '')).map((r) => r.name);
    diagnosis = `only ${via.join(', ')}: no equal-cost path through ${missing.join(', ')}, so traffic to ${home.name} cannot spread over its routers nor survive losing one without waiting for BGP; the kernel gets one next hop unless BIRD's kernel protocol has \`merge paths on\`${m.routers.reflection ? ', and a route reflector passes on only its best path unless add-path is on (`add paths tx` on the reflector, `rx` on its clients)' : ''}, or ${missing.join(', ')} does not announce it (see assertion 1)`;
  } else if (route && !ok && home === dc && dc.routers.some((r) => r !== router && via.includes((f === 4 ? r.peeringAddress : r.peeringAddress6) ?? ''))) {
    const sibling = dc.routers.find((r) => r !== router && via.includes((f === 4 ? r.peeringAddress : r.peeringAddress6) ?? ''))!;
    diagnosis = `learned from ${sibling.name} over iBGP, not from ${node.name} itself: ${node.name} has no session with ${router.name} (see assertion 1); every node must peer with every router of its datacentre, or this router's paths are missing from the others`;
  } else if (route && !ok) {
    diagnosis = `routed via ${via.join(', ') || route.dev}, not ${expectedVia.join(', ')}: the next hop the route was announced with is not the ${home === dc ? 'node' : 'originating router (next hop self)'}`;
    if (f === 6 && route.gateway && !route.gateway.includes(':')) diagnosis += `; an IPv6 route through an IPv4 gateway is what BIRD makes of an IPv4-mapped next hop (::ffff:${route.gateway}) taken with \`extended next hop\`: Cilium sends IPv6 routes over an IPv4 session that way (cilium/cilium#37831); see assertion 12`;
  } else if (m.cluster.asn === m.routers.asn) {
    diagnosis = `cluster and routers share AS ${m.routers.asn}: the node sessions are iBGP, so a router does not pass what a node announces to the other routers (iBGP split horizon), and BIRD resolves iBGP next hops recursively, so even ${home.routers.map((r) => r.name).join(' or ')} may not install ${podCIDR}; give the cluster its own AS`;
  } else if (!sessions.some((s) => s.machine === node.name && s.established && s.peerAddress.includes(':') === (carrier === 6))) {
    diagnosis = `${node.name} has no established ${isDualStack(m) ? `IPv${carrier} ` : ''}BGP session, so nothing advertises ${podCIDR} (see assertion 1)`;
  } else if (f === 4 && carrier === 6) {
    diagnosis = `${node.name}'s IPv6 session is up but ${podCIDR} is not announced over it, or is refused: IPv4 routes over an IPv6 session come with the node's IPv6 next hop, which BIRD refuses while decoding ("Invalid NEXT_HOP attribute", assertion 12 shows its log) unless the ipv4 channel has \`extended next hop on\` (cilium/cilium#29951); or the ipv4 family has no advertisement`;
  } else if (f === 6 && m.sessions === 'mp-over-v4') {
    diagnosis = `${node.name}'s IPv4 session is up but ${podCIDR} is not announced over it, or is refused: Cilium sends IPv6 routes over an IPv4 session with the IPv4-mapped next hop ::ffff:${node.address} (cilium/cilium#37831), which BIRD refuses while decoding ("Invalid NEXT_HOP attribute", assertion 12 shows its log) unless the ipv6 channel has \`extended next hop on\` and an import filter setting the node's IPv6 next hop; or the ipv6 family has no advertisement (see the IPv6 family of the peer config)`;
  } else {
    diagnosis = `${node.name}'s session is up but ${podCIDR} is not announced: the node does not export its PodCIDR (${f === 6 ? 'the ipv6 family of its CiliumBGPPeerConfig selects no PodCIDR advertisement, cilium/cilium#24362' : 'exportPodCIDR / a PodCIDR CiliumBGPAdvertisement selected by the peer config'}) or the router's import filter refuses it`;
  }
  return familyResult(lab, f, 2, `${router.name}: ${podCIDR} (${node.name})`, ok, `via ${expectedVia.join(', ')}`, seen, diagnosis);
}

export const routesPresent: Assertion = {
  id: 2,
  title: 'pod CIDR routes on every router, no overlay on nodes',
  quiet: true, // reads routing tables and links
  async run(lab: Lab): Promise<Result[]> {
    const m = lab.model;
    const out: Result[] = [];
    const sessions = await lab.bgpSessions();
    const families = familiesOf(lab);
    const cases = allRouters(m).flatMap((r) => families.map((f) => ({ r, f })));
    const tables = new Map(await pool(cases, PROBE_PARALLELISM, async ({ r, f }) => [`${r.name}/${f}`, await lab.routes(r.name, f)] as const));
    for (const f of families) {
      for (const r of allRouters(m)) {
        const table: Route[] = tables.get(`${r.name}/${f}`)!;
        for (const node of allNodes(m)) out.push(podRoute(lab, sessions, table, r, node.name, f));
      }
    }
    const nodeState = await pool(allNodes(m), PROBE_PARALLELISM, async (node) => ({ node, links: await lab.links(node.name), routes: await lab.routes(node.name) }));
    for (const { node, links, routes } of nodeState) {
      const overlays = links.filter(isOverlay).map((l) => `${l.name} (${l.kind ?? '?'})`);
      const viaOverlay = routes.filter((r) => overlays.some((o) => o.startsWith(`${r.dev} `))).map((r) => `${r.dst} dev ${r.dev}`);
      out.push(result(2, `${node.name}: no overlay`, overlays.length === 0 && viaOverlay.length === 0, 'no overlay device, no route via one',
        overlays.length === 0 ? 'none' : `${overlays.join(', ')}; routes: ${viaOverlay.join(', ') || 'none'}`,
        'an overlay device exists: Cilium is in tunnel mode (routingMode: tunnel); set routingMode: native'));
    }
    return out;
  },
};
