// The twin's wiring as data: namespaces, veth pairs and the `ip -batch` lines that address them.
// Pure, so the layout is testable without root. Routers take their addresses and device names
// from the rendered /etc/config/network, as OpenWRT would.
import * as ip from '../../topology/cidr.ts';
import * as ip6 from '../../topology/cidr6.ts';
import type { LabModel } from '../../topology/model.ts';
import { podOf, type PodPlan } from '../../topology/pods.ts';
import { backendPods } from '../../topology/services.ts';
import { LAN_BRIDGE, ROUTER_PORTS, extraZonePort, extraZonesOf } from '../../render/ports.ts';
import { list, option, parseUci } from '../../render/uci.ts';
import type { Machine } from '../lab.ts';
import { nsName } from '../names.ts';

export interface NsPlan {
  ns: string;
  machine: Machine | undefined; // undefined for switches
  /** `ip -batch` lines, run once every veth exists. */
  batch: string[];
  forwarding: boolean;
}

export interface VethPlan {
  ns: string;
  name: string;
  peerNs: string;
  peerName: string;
  /** Fixed MACs, so every neighbour entry is known before anything exists (see staticNeighbours). */
  mac: string;
  peerMac: string;
  /** Interface indexes, unique within the run, so no end has its peer's index (see VETH_INDEX_BASE). */
  index: number;
  peerIndex: number;
}

/**
 * Every veth end gets an index of its own, above the few a namespace numbers by itself (lo, the
 * bridges). Left to the kernel, both ends of a pair in fresh namespaces often get the same index,
 * and then the kernel's link watcher takes the pair's carrier change for a non-urgent event and
 * delivers it at most once a second for the whole host (linkwatch_urgent_event: "ifindex !=
 * iflink" is urgent; torvalds/linux net/core/link_watch.c). A bridge port is enabled only on that
 * event, so br-lan stayed without carrier for up to a second and BIRD waited "for link on br-lan"
 * before its first dial. Distinct indexes make every such change urgent, as a real NIC's link is.
 */
export const VETH_INDEX_BASE = 1000;

/** One IP endpoint on an L2 segment: who owns the address, on which device, behind which MAC. */
interface L2Endpoint {
  ns: string;
  dev: string;
  ip: string;
  mac: string;
}

export interface TwinPlan {
  runId: string;
  namespaces: NsPlan[];
  veths: VethPlan[];
  pods: PodPlan[];
  /** Where a capture of a named segment listens (the bridge of its switch namespace), and the addresses on it. */
  segments: Record<string, { ns: string; dev: string; endpoints: { ns: string; ip: string }[] }>;
}

interface RouterIface {
  device: string;
  address: string;
  prefix: number;
  /** Its IPv6 addresses with their prefix lengths (`list ip6addr`), dual-stack only. */
  address6: string[];
}

/** Static interfaces of the rendered UCI network file (the WAN is DHCP there; the twin plays upstream). */
export function routerInterfaces(networkText: string): Record<string, RouterIface> {
  const out: Record<string, RouterIface> = {};
  for (const s of parseUci(networkText)) {
    if (s.type !== 'interface' || !s.name || option(s, 'proto') !== 'static' || s.name === 'loopback') continue;
    const mask = ip.parseIp(option(s, 'netmask') ?? '') ?? 0;
    out[s.name] = { device: option(s, 'device') ?? '', address: option(s, 'ipaddr') ?? '', prefix: mask.toString(2).replace(/0+$/, '').length, address6: list(s, 'ip6addr') };
  }
  return out;
}

/** Locally administered MACs (02:6e:72 = "nr"), numbered in plan order: unique within a run. */
function macOf(n: number): string {
  const hex = (v: number) => (v & 255).toString(16).padStart(2, '0');
  return `02:6e:72:${hex(n >> 16)}:${hex(n >> 8)}:${hex(n)}`;
}

export function twinPlan(m: LabModel, runId: string, networkFiles: Record<string, string>, opts: { ipv6LinkLocal?: boolean } = {}): TwinPlan {
  const ns = (machine: string) => nsName(runId, machine);
  const namespaces: NsPlan[] = [];
  const veths: VethPlan[] = [];
  const pods: PodPlan[] = [];
  const segments: TwinPlan['segments'] = {};
  const l2 = new Map<string, L2Endpoint[]>();
  let macs = 0;
  const nextMac = () => macOf(++macs);
  let ends = 0;
  const nextIndex = () => VETH_INDEX_BASE + ++ends;
  const onSegment = (segment: string, e: L2Endpoint) => l2.set(segment, [...(l2.get(segment) ?? []), e]);
  const veth = (v: Omit<VethPlan, 'mac' | 'peerMac' | 'index' | 'peerIndex'>): VethPlan => {
    const full = { ...v, mac: nextMac(), peerMac: nextMac(), index: nextIndex(), peerIndex: nextIndex() };
    veths.push(full);
    return full;
  };
  const sw = (name: string) => {
    // A switch, not a host: without multicast snooping the bridge joins no group of its own (the
    // snoopers' 224.0.0.106: br_multicast_join_snoopers, net/bridge/br_multicast.c), so it sends no
    // IGMP report onto the segments the assertions watch (6 counts every packet on the peering
    // network; a report still repeating when the capture began once failed it).
    const plan: NsPlan = { ns: ns(`sw-${name}`), machine: undefined, batch: ['link add br0 type bridge mcast_snooping 0', 'link set br0 up'], forwarding: false };
    namespaces.push(plan);
    segments[name] = { ns: plan.ns, dev: 'br0', endpoints: [] };
    return plan;
  };
  /** Plugs `dev` of a machine namespace into a switch as port pN. */
  const plug = (s: NsPlan, machineNs: string, dev: string): VethPlan => {
    const port = `p${s.batch.filter((l) => l.endsWith(' master br0')).length}`;
    s.batch.push(`link set ${port} master br0`, `link set ${port} up`);
    return veth({ ns: machineNs, name: dev, peerNs: s.ns, peerName: port });
  };

  const internetBridgeMac = nextMac();
  const internet: NsPlan = {
    ns: ns('internet'),
    machine: { name: 'internet', kind: 'internet', address: m.internet.server },
    batch: [`link add br0 address ${internetBridgeMac} type bridge mcast_snooping 0`, `addr add ${m.internet.gateway}/${m.internet.wanPrefix} dev br0`, 'link set br0 up',
      `addr add ${m.internet.server}/32 dev lo`],
    forwarding: true,
  };
  if (m.internet.gateway6 && m.internet.server6 && m.internet.wan6) {
    internet.machine!.address6 = m.internet.server6;
    internet.batch.push(`addr add ${m.internet.gateway6}/${ip6.cidr6(m.internet.wan6).prefix} dev br0 nodad`, `addr add ${m.internet.server6}/128 dev lo`);
  }
  namespaces.push(internet);
  onSegment('wan', { ns: internet.ns, dev: 'br0', ip: m.internet.gateway, mac: internetBridgeMac });
  if (m.internet.gateway6) onSegment('wan', { ns: internet.ns, dev: 'br0', ip: m.internet.gateway6, mac: internetBridgeMac });
  const peering = sw('peering');

  let wanPort = 0;
  for (const dc of m.datacentres) {
    const lan = sw(`lan-${dc.name}`);
    // Every router of the datacentre on its LAN, the peering network and the internet; the first
    // also owns any extra zone (rules.ts refuses zones where a datacentre has several routers).
    const routerPlans = dc.routers.map((r) => {
      const ifs = routerInterfaces(networkFiles[r.key] ?? '');
      const lanIf = ifs['lan'];
      const peerIf = ifs['peering'];
      if (!lanIf || !peerIf) throw new Error(`router ${r.name}: the rendered network file has no static lan or peering interface`);
      const lanBridgeMac = nextMac();
      const router: NsPlan = {
        ns: ns(r.name),
        machine: { name: r.name, kind: 'router', dc: dc.name, address: r.address },
        batch: [
          `link add ${LAN_BRIDGE} address ${lanBridgeMac} type bridge`, `link set ${ROUTER_PORTS.lan} master ${LAN_BRIDGE}`, `link set ${ROUTER_PORTS.lan} up`,
          `addr add ${lanIf.address}/${lanIf.prefix} dev ${lanIf.device}`, `link set ${lanIf.device} up`,
          `addr add ${peerIf.address}/${peerIf.prefix} dev ${peerIf.device}`, `link set ${peerIf.device} up`,
          `addr add ${r.wanAddress}/${m.internet.wanPrefix} dev ${ROUTER_PORTS.wan}`, `link set ${ROUTER_PORTS.wan} up`,
          `route add default via ${m.internet.gateway}`,
          // Dual-stack: the IPv6 addresses OpenWRT would set from `list ip6addr`, the WAN's (DHCPv6
          // there) from the emulated upstream. nodad: no second-long tentative state on a fresh link.
          ...lanIf.address6.map((a) => `addr add ${a} dev ${lanIf.device} nodad`),
          ...peerIf.address6.map((a) => `addr add ${a} dev ${peerIf.device} nodad`),
          ...(r.wanAddress6 && m.internet.wan6 && m.internet.gateway6
            ? [`addr add ${r.wanAddress6}/${ip6.cidr6(m.internet.wan6).prefix} dev ${ROUTER_PORTS.wan} nodad`, `route add ::/0 via ${m.internet.gateway6}`] : []),
        ],
        forwarding: true,
      };
      if (r.address6) router.machine!.address6 = r.address6;
      namespaces.push(router);
      plug(lan, router.ns, ROUTER_PORTS.lan);
      if (lanIf.device !== LAN_BRIDGE) throw new Error(`router ${r.name}: the rendered lan interface is on ${lanIf.device}, not ${LAN_BRIDGE}`);
      onSegment(`lan-${dc.name}`, { ns: router.ns, dev: LAN_BRIDGE, ip: lanIf.address, mac: lanBridgeMac });
      for (const a of lanIf.address6) onSegment(`lan-${dc.name}`, { ns: router.ns, dev: LAN_BRIDGE, ip: a.split('/')[0]!, mac: lanBridgeMac });
      const peeringPort = plug(peering, router.ns, ROUTER_PORTS.peering);
      onSegment('peering', { ns: router.ns, dev: ROUTER_PORTS.peering, ip: peerIf.address, mac: peeringPort.mac });
      for (const a of peerIf.address6) onSegment('peering', { ns: router.ns, dev: ROUTER_PORTS.peering, ip: a.split('/')[0]!, mac: peeringPort.mac });
      const port = `w${wanPort++}`;
      const wan = veth({ ns: router.ns, name: ROUTER_PORTS.wan, peerNs: internet.ns, peerName: port });
      onSegment('wan', { ns: router.ns, dev: ROUTER_PORTS.wan, ip: r.wanAddress, mac: wan.mac });
      if (r.wanAddress6) onSegment('wan', { ns: router.ns, dev: ROUTER_PORTS.wan, ip: r.wanAddress6, mac: wan.mac });
      internet.batch.push(`link set ${port} master br0`, `link set ${port} up`);
      return { router, ifs };
    });
    const { router, ifs } = routerPlans[0]!;
    const first = dc.routers[0]!;

    // The internet knows the lab's prefixes, as an upstream told about them would: masqueraded
    // replies never need these routes, but a knock on the wan->lan door (assertion 9) can be made.
    // With several routers, the first one's WAN stands for the datacentre.
    internet.batch.push(`route add ${dc.lan} via ${first.wanAddress}`, ...dc.nodes.map((n) => `route add ${n.podCIDR} via ${first.wanAddress}`));
    // Dual-stack: the lab's IPv6 prefixes, as an upstream routes a real allocation to its customer
    // (IPv6 egress is not masqueraded: the internet must know the way back to the pods).
    if (dc.lan6 && first.wanAddress6) {
      internet.batch.push(`route add ${dc.lan6} via ${first.wanAddress6}`, ...dc.nodes.flatMap((n) => (n.podCIDR6 ? [`route add ${n.podCIDR6} via ${first.wanAddress6}`] : [])));
    }
    extraZonesOf(m, dc).forEach((z, i) => {
      const zoneIf = ifs[z.name];
      if (!zoneIf) throw new Error(`router ${first.name}: the rendered network file has no interface ${z.name}`);
      router.batch.push(`addr add ${zoneIf.address}/${zoneIf.prefix} dev ${zoneIf.device}`, `link set ${zoneIf.device} up`);
      const name = `${z.name}-${dc.name}`;
      const zoneHost: NsPlan = {
        ns: ns(name),
        machine: { name, kind: 'zonehost', dc: dc.name, address: z.hostAddress },
        batch: [`addr add ${z.hostAddress}/${zoneIf.prefix} dev eth0`, 'link set eth0 up', `route add default via ${z.routerAddress}`],
        forwarding: false,
      };
      namespaces.push(zoneHost);
      const zoneLink = veth({ ns: router.ns, name: extraZonePort(i), peerNs: zoneHost.ns, peerName: 'eth0' });
      onSegment(`zone-${name}`, { ns: router.ns, dev: extraZonePort(i), ip: zoneIf.address, mac: zoneLink.mac });
      onSegment(`zone-${name}`, { ns: zoneHost.ns, dev: 'eth0', ip: z.hostAddress, mac: zoneLink.peerMac });
    });

    const host = (name: string, address: string, kind: Machine['kind'], address6: string | undefined): NsPlan => {
      const plan: NsPlan = {
        ns: ns(name),
        machine: { name, kind, dc: dc.name, address, ...(address6 ? { address6 } : {}) },
        // The LAN's gateway: its router, or the VRRP address its several routers share.
        batch: [`addr add ${address}/${dc.lanPrefix} dev eth0`, 'link set eth0 up', `route add default via ${dc.gateway}`],
        forwarding: kind === 'node',
      };
      if (address6 && dc.lan6 && dc.gateway6) plan.batch.push(`addr add ${address6}/${ip6.cidr6(dc.lan6).prefix} dev eth0 nodad`, `route add ::/0 via ${dc.gateway6}`);
      namespaces.push(plan);
      const port = plug(lan, plan.ns, 'eth0');
      onSegment(`lan-${dc.name}`, { ns: plan.ns, dev: 'eth0', ip: address, mac: port.mac });
      if (address6) onSegment(`lan-${dc.name}`, { ns: plan.ns, dev: 'eth0', ip: address6, mac: port.mac });
      return plan;
    };
    host(dc.lanHost.name, dc.lanHost.address, 'lanhost', dc.lanHost.address6);
    for (const node of dc.nodes) {
      const nodeNs = host(node.name, node.address, 'node', node.address6);
      const pod = podOf(node);
      pods.push(pod);
      // Cilium's cilium_host address: the pod's gateway, owned by the node.
      nodeNs.batch.push(`addr add ${pod.gateway}/32 dev lo`, 'link set lxc0 up', `route add ${pod.address}/32 dev lxc0 scope link`);
      const podNs: NsPlan = {
        ns: ns(pod.name),
        machine: { name: pod.name, kind: 'pod', dc: dc.name, node: node.name, address: pod.address, ...(pod.address6 ? { address6: pod.address6 } : {}) },
        batch: [`addr add ${pod.address}/32 dev eth0`, 'link set eth0 up', `route add ${pod.gateway}/32 dev eth0 scope link`, `route add default via ${pod.gateway} dev eth0`],
        forwarding: false,
      };
      if (pod.address6 && pod.gateway6) {
        nodeNs.batch.push(`addr add ${pod.gateway6}/128 dev lo`, `route add ${pod.address6}/128 dev lxc0`);
        podNs.batch.push(`addr add ${pod.address6}/128 dev eth0 nodad`, `route add ${pod.gateway6}/128 dev eth0`, `route add ::/0 via ${pod.gateway6} dev eth0`);
      }
      namespaces.push(podNs);
      const podLink = veth({ ns: nodeNs.ns, name: 'lxc0', peerNs: podNs.ns, peerName: 'eth0' });
      onSegment(`pod-${pod.name}`, { ns: nodeNs.ns, dev: 'lxc0', ip: pod.gateway, mac: podLink.mac });
      onSegment(`pod-${pod.name}`, { ns: podNs.ns, dev: 'eth0', ip: pod.address, mac: podLink.peerMac });
      if (pod.address6 && pod.gateway6) {
        onSegment(`pod-${pod.name}`, { ns: nodeNs.ns, dev: 'lxc0', ip: pod.gateway6, mac: podLink.mac });
        onSegment(`pod-${pod.name}`, { ns: podNs.ns, dev: 'eth0', ip: pod.address6, mac: podLink.peerMac });
      }
      // LoadBalancer backends on this node: pods like the probe pod, behind lxcb<i> (lab/topology/services.ts).
      backendPods(m).filter((b) => b.node === node.name).forEach((b, i) => {
        const dev = `lxcb${i}`;
        nodeNs.batch.push(`link set ${dev} up`, `route add ${b.address}/32 dev ${dev} scope link`);
        const backendNs: NsPlan = {
          ns: ns(b.name),
          machine: { name: b.name, kind: 'backend', dc: dc.name, node: node.name, service: b.service, address: b.address, ...(b.address6 ? { address6: b.address6 } : {}) },
          batch: [`addr add ${b.address}/32 dev eth0`, 'link set eth0 up', `route add ${b.gateway}/32 dev eth0 scope link`, `route add default via ${b.gateway} dev eth0`],
          forwarding: false,
        };
        if (b.address6 && b.gateway6) {
          nodeNs.batch.push(`route add ${b.address6}/128 dev ${dev}`);
          backendNs.batch.push(`addr add ${b.address6}/128 dev eth0 nodad`, `route add ${b.gateway6}/128 dev eth0`, `route add ::/0 via ${b.gateway6} dev eth0`);
        }
        namespaces.push(backendNs);
        const link = veth({ ns: nodeNs.ns, name: dev, peerNs: backendNs.ns, peerName: 'eth0' });
        onSegment(`pod-${b.name}`, { ns: nodeNs.ns, dev, ip: b.gateway, mac: link.mac });
        onSegment(`pod-${b.name}`, { ns: backendNs.ns, dev: 'eth0', ip: b.address, mac: link.peerMac });
        if (b.address6 && b.gateway6) {
          onSegment(`pod-${b.name}`, { ns: nodeNs.ns, dev, ip: b.gateway6, mac: link.mac });
          onSegment(`pod-${b.name}`, { ns: backendNs.ns, dev: 'eth0', ip: b.address6, mac: link.peerMac });
        }
      });
    }
  }
  const byNs = new Map(namespaces.map((n) => [n.ns, n]));
  for (const line of staticNeighbours(l2)) byNs.get(line.ns)!.batch.push(line.command);
  for (const n of namespaces) {
    // No IPv6 link-local addresses: every one costs duplicate address detection, router
    // solicitations and MLD reports on every segment, and a dual-stack lab addresses every link
    // globally. Routes come out the same: BIRD sends its link-local next hop beside the global one
    // ("Missing link-local address" in its log here) and installs the global one where both came
    // (bgp_apply_next_hop, GW_DIRECT: proto/bgp/packets.c, BIRD 2.0.12).
    if (opts.ipv6LinkLocal === false) n.batch = withoutLinkLocal(n.batch);
    // A switch needs its ports before it can enslave them; lo must be up for every local service.
    n.batch.unshift('link set lo up');
  }
  // A segment's endpoints are its IPv4 ones: captures end with an IPv4 marker datagram between the first two.
  for (const [name, seg] of Object.entries(segments)) seg.endpoints = (l2.get(name) ?? []).filter((e) => !e.ip.includes(':')).map((e) => ({ ns: e.ns, ip: e.ip }));
  return { runId, namespaces, veths, pods, segments: { ...segments } };
}

/**
 * Permanent neighbour (ARP) entries between every two addresses on one segment. The kernel keeps
 * one neighbour table for all network namespaces and caps its garbage-collected entries at the root
 * namespace's gc_thresh3 (1024 by default); past it, new entries fail ("neighbor table overflow")
 * and packets to them are dropped. Entries added as NUD_PERMANENT are exempt from that count
 * (neigh_add: exempt_from_gc = ndm_permanent; neigh_alloc skips the gc_entries check; torvalds/linux
 * net/core/neighbour.c, since 4.19), so a lab of any size leaves the shared count where it was.
 */
export function staticNeighbours(l2: Map<string, L2Endpoint[]>): { ns: string; command: string }[] {
  const out: { ns: string; command: string }[] = [];
  for (const endpoints of l2.values()) {
    for (const a of endpoints) {
      for (const b of endpoints) {
        if (a !== b && a.ip !== b.ip && a.ns !== b.ns && a.ip.includes(':') === b.ip.includes(':')) out.push({ ns: a.ns, command: `neigh replace ${b.ip} lladdr ${b.mac} dev ${a.dev} nud permanent` });
      }
    }
  }
  return out;
}

/** Each device turned addrgenmode none just before it first comes up (the bridge ones included). */
function withoutLinkLocal(batch: string[]): string[] {
  const seen = new Set<string>(['lo']);
  return batch.flatMap((line) => {
    const dev = /^link set (\S+) up$/.exec(line)?.[1];
    if (!dev || seen.has(dev)) return [line];
    seen.add(dev);
    return [`link set ${dev} addrgenmode none`, line];
  });
}

export function machinesOf(plan: TwinPlan): Machine[] {
  return plan.namespaces.flatMap((n) => (n.machine ? [n.machine] : []));
}

