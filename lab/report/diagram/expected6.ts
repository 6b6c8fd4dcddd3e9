// The IPv6 routing table the topology implies for every machine of a dual-stack lab, beside
// model.ts's IPv4 ones and in the same shape: what the assertions expect, what `lab diagram` draws.
// An address added as a /128 (pods, the node's pod gateway, the internet's server) brings a kernel
// route of its own in IPv6's main table, where IPv4 keeps it in the local table.
import { LAN_BRIDGE, ROUTER_PORTS } from '../../render/ports.ts';
import { ibgpPeers } from '../../render/bird.ts';
import type { Route } from '../../runtime/lab.ts';
import { isDualStack, type LabModel } from '../../topology/model.ts';
import { podOf } from '../../topology/pods.ts';
import { announcers, backendPods } from '../../topology/services.ts';

const kernel = (dst: string, dev: string): Route => ({ dst, dev, protocol: 'kernel' });
const bird = (dst: string, gateway: string, dev: string): Route => ({ dst, gateway, dev, protocol: 'bird' });

/** Machine name -> its IPv6 routes (unsorted); empty for an IPv4 lab. Extra zones stay IPv4 only. */
export function expectedRoutes6(m: LabModel): Map<string, Route[]> {
  const out = new Map<string, Route[]>();
  if (!isDualStack(m)) return out;
  const internet = [kernel(m.internet.wan6!, 'br0'), kernel(`${m.internet.server6!}/128`, 'lo')];
  for (const dc of m.datacentres) {
    const via = { gateway: dc.routers[0]!.wanAddress6!, dev: 'br0' };
    internet.push({ dst: dc.lan6!, ...via }, ...dc.nodes.map((n) => ({ dst: n.podCIDR6!, ...via })));
  }
  out.set('internet', internet);
  const backends = backendPods(m);
  for (const dc of m.datacentres) {
    const r = dc.routers[0]!; // dual-stack labs have one router per datacentre (rules6.ts)
    const routes: Route[] = [
      { dst: 'default', gateway: m.internet.gateway6!, dev: ROUTER_PORTS.wan },
      kernel(dc.lan6!, LAN_BRIDGE), kernel(m.routers.peering6!, ROUTER_PORTS.peering), kernel(m.internet.wan6!, ROUTER_PORTS.wan),
      ...dc.nodes.map((n) => bird(n.podCIDR6!, n.address6!, LAN_BRIDGE)),
    ];
    for (const s of m.services) {
      if (!s.address6) continue;
      const speakers = announcers(m, s);
      const local = speakers.filter((n) => n.dc === dc.name);
      const remote = m.datacentres.find((d) => d !== dc && speakers.some((n) => n.dc === d.name));
      const dst = `${s.address6}/128`;
      if (local.length > 1) routes.push({ dst, nexthops: local.map((n) => n.address6!), dev: LAN_BRIDGE, protocol: 'bird' });
      else if (local.length === 1) routes.push(bird(dst, local[0]!.address6!, LAN_BRIDGE));
      else if (remote) routes.push(bird(dst, remote.routers[0]!.peeringAddress6!, ROUTER_PORTS.peering));
    }
    const peers = new Set(ibgpPeers(m, r).map((p) => p.peer.dc));
    for (const other of m.datacentres) {
      if (other === dc || !(peers.has(other.name) || m.routers.reflection)) continue;
      const gw = other.routers[0]!.peeringAddress6!;
      routes.push(bird(other.lan6!, gw, ROUTER_PORTS.peering), ...other.nodes.map((n) => bird(n.podCIDR6!, gw, ROUTER_PORTS.peering)));
    }
    out.set(r.name, routes);
    out.set(dc.lanHost.name, [{ dst: 'default', gateway: r.address6!, dev: 'eth0' }, kernel(dc.lan6!, 'eth0')]);
    for (const node of dc.nodes) {
      const pod = podOf(node);
      const routes6: Route[] = [{ dst: 'default', gateway: r.address6!, dev: 'eth0' }, kernel(dc.lan6!, 'eth0'),
        kernel(`${pod.gateway6!}/128`, 'lo'), { dst: `${pod.address6!}/128`, dev: 'lxc0' }];
      if (m.cilium.autoDirectNodeRoutes) {
        for (const other of dc.nodes) if (other !== node) routes6.push({ dst: other.podCIDR6!, gateway: other.address6!, dev: 'eth0' });
      }
      const own = backends.filter((b) => b.node === node.name);
      own.forEach((b, i) => routes6.push({ dst: `${b.address6!}/128`, dev: `lxcb${i}` }));
      out.set(node.name, routes6);
      const podRoutes = (address: string, gateway: string): Route[] => [{ dst: 'default', gateway, dev: 'eth0' }, { dst: `${gateway}/128`, dev: 'eth0' }, kernel(`${address}/128`, 'eth0')];
      out.set(pod.name, podRoutes(pod.address6!, pod.gateway6!));
      for (const b of own) out.set(b.name, podRoutes(b.address6!, b.gateway6!));
    }
  }
  return out;
}
