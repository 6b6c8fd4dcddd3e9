// 2. Every router's kernel table routes every node's pod CIDR (local ones via the node, remote ones
// via the peer router); nodes have no overlay device and no route through one.
import { allNodes } from '../topology/model.ts';
import type { Lab, Link, Route } from '../runtime/lab.ts';
import { pool } from '../util/pool.ts';
import { PROBE_PARALLELISM, result, type Assertion, type Result } from './types.ts';

export const OVERLAY_KINDS = ['vxlan', 'geneve', 'ipip', 'gre', 'sit'];

export function isOverlay(l: Link): boolean {
  return OVERLAY_KINDS.includes(l.kind ?? '') || /^cilium_(vxlan|geneve)/.test(l.name);
}

export const routesPresent: Assertion = {
  id: 2,
  title: 'pod CIDR routes on every router, no overlay on nodes',
  quiet: true, // reads routing tables and links
  async run(lab: Lab): Promise<Result[]> {
    const m = lab.model;
    const out: Result[] = [];
    const sessions = await lab.bgpSessions();
    const tables = new Map(await pool(m.datacentres, PROBE_PARALLELISM, async (dc) => [dc.name, await lab.routes(dc.router.name)] as const));
    for (const dc of m.datacentres) {
      const table: Route[] = tables.get(dc.name)!;
      for (const node of allNodes(m)) {
        const home = m.datacentres.find((d) => d.name === node.dc)!;
        const expectedVia = home === dc ? node.address : home.router.peeringAddress;
        const route = table.find((r) => r.dst === node.podCIDR);
        const ok = route?.gateway === expectedVia;
        const seen = route ? `via ${route.gateway ?? '(none)'} dev ${route.dev ?? '?'}` : 'no route';
        let diagnosis: string;
        if (route && !ok) {
          diagnosis = `routed via ${route.gateway ?? route.dev}, not ${expectedVia}: the next hop the route was announced with is not the ${home === dc ? 'node' : 'originating router (next hop self)'}`;
        } else if (m.cluster.asn === m.routers.asn) {
          diagnosis = `cluster and routers share AS ${m.routers.asn}: the node sessions are iBGP, so a router does not pass what a node announces to the other routers (iBGP split horizon), and BIRD resolves iBGP next hops recursively, so even ${home.router.name} may not install ${node.podCIDR}; give the cluster its own AS`;
        } else if (!sessions.some((s) => s.machine === node.name && s.established)) {
          diagnosis = `${node.name} has no established BGP session, so nothing advertises ${node.podCIDR} (see assertion 1)`;
        } else {
          diagnosis = `${node.name}'s session is up but ${node.podCIDR} is not announced: the node does not export its PodCIDR (exportPodCIDR / a PodCIDR CiliumBGPAdvertisement selected by the peer config) or the router's import filter refuses it`;
        }
        out.push(result(2, `${dc.router.name}: ${node.podCIDR} (${node.name})`, ok, `via ${expectedVia}`, seen, diagnosis));
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
