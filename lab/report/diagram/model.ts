// What the diagram shows, as data: datacentres, machines with their routing tables, the segments
// that join them (LANs, the peering network, the internet) and the path of a cross-DC packet.
// Pure. Machines and routes come from a run's report (as they really were) or, for `lab diagram`,
// from the topology alone (as the assertions expect them).
import { LAN_BRIDGE, ROUTER_PORTS, extraZonePort, extraZonesOf } from '../../render/ports.ts';
import { ibgpPeers } from '../../render/bird.ts';
import { parseIp6 } from '../../topology/cidr6.ts';
import { podOf } from '../../topology/pods.ts';
import { nodeNextHop } from '../../topology/sessions.ts';
import { expectedRoutes6 } from './expected6.ts';
import { announcers, backendPods } from '../../topology/services.ts';
import type { Route } from '../../runtime/lab.ts';
import { allRouters, type DatacentreModel, type LabModel } from '../../topology/model.ts';
import type { MachineState, Report } from '../model.ts';

export interface DiagramMachine {
  id: string;
  name: string;
  kind: string;
  dc?: string;
  address: string;
  routes: Route[];
  /** Dual-stack: drawn below the IPv4 table. */
  address6?: string;
  routes6?: Route[];
}

/** A shared network drawn as its own box (a LAN switch, the peering network, the internet). */
export interface DiagramSegment {
  id: string;
  label: string;
  detail: string;
  dc?: string;
  kind: 'lan' | 'peering' | 'internet';
}

export interface DiagramLink {
  id: string;
  from: string; // element id (segment or machine)
  to: string;
  label?: string;
  onPath: boolean;
  /** A hop of the path with no link of its own between the two machines (hops hidden, as in a tunnel). */
  hidden?: boolean;
}

export interface Diagram {
  title: string;
  subtitle: string;
  /** Where the routing tables come from. */
  routesFrom: string;
  datacentres: { name: string; label: string }[];
  segments: DiagramSegment[];
  machines: DiagramMachine[];
  links: DiagramLink[];
  /** Machine names a cross-DC packet visits, source pod first; empty when there is none. */
  path: string[];
  pathLabel: string;
}

export const machineId = (name: string): string => `m-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
const lanId = (dc: string): string => `s-lan-${dc.replace(/[^A-Za-z0-9_-]/g, '_')}`;
const PEERING = 's-peering';
const INTERNET = 's-internet';

/** Routing tables in the order people read them: default first, then IPv4 by address, then IPv6. */
export function sortRoutes(routes: Route[]): Route[] {
  const key = (r: Route): bigint[] => {
    if (r.dst === 'default') return [-1n];
    const [a = '0', p = '32'] = r.dst.split('/');
    if (a.includes(':')) return [1n, parseIp6(a) ?? 0n, BigInt(Number(p) || 0)];
    return [0n, ...a.split('.').map((x) => BigInt(Number(x) || 0)), BigInt(Number(p) || 0)];
  };
  return [...routes].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0n) !== (b[i] ?? 0n)) return (a[i] ?? 0n) < (b[i] ?? 0n) ? -1 : 1;
    return 0;
  });
}

/** Every machine of the lab with the routing table the topology implies (what the assertions expect). */
export function expectedMachines(m: LabModel): MachineState[] {
  const out: MachineState[] = [];
  const kernel = (dst: string, dev: string): Route => ({ dst, dev, protocol: 'kernel' });
  const internetRoutes: Route[] = [kernel(m.internet.wan, 'br0')];
  for (const dc of m.datacentres) {
    // The first router's WAN stands for the datacentre, as an upstream routes to one address.
    const wan = dc.routers[0]!.wanAddress;
    internetRoutes.push({ dst: dc.lan, gateway: wan, dev: 'br0' }, ...dc.nodes.map((n) => ({ dst: n.podCIDR, gateway: wan, dev: 'br0' })));
  }
  out.push({ name: 'internet', kind: 'internet', address: m.internet.server, routes: sortRoutes(internetRoutes) });
  // Equal-cost through every router of a datacentre where it has several.
  const via = (d: DatacentreModel, dev: string): Pick<Route, 'gateway' | 'nexthops' | 'dev' | 'protocol'> => (d.routers.length > 1
    ? { nexthops: d.routers.map((x) => x.peeringAddress), dev, protocol: 'bird' }
    : { gateway: d.routers[0]!.peeringAddress, dev, protocol: 'bird' });
  for (const dc of m.datacentres) for (const r of dc.routers) {
    const routes: Route[] = [
      { dst: 'default', gateway: m.internet.gateway, dev: ROUTER_PORTS.wan },
      kernel(dc.lan, LAN_BRIDGE),
      kernel(m.routers.peering, ROUTER_PORTS.peering),
      kernel(m.internet.wan, ROUTER_PORTS.wan),
      ...dc.nodes.map((n) => ({ dst: n.podCIDR, gateway: nodeNextHop(m, n, 4), dev: LAN_BRIDGE, protocol: 'bird' })),
    ];
    extraZonesOf(m, dc).forEach((z, i) => routes.push(kernel(z.subnet, extraZonePort(i))));
    // Each LoadBalancer address via the nodes of this LAN that announce it (equal cost when several
    // do), else via the first other datacentre's router with an announcer (assertion 10).
    for (const s of m.services) {
      const speakers = announcers(m, s);
      const local = speakers.filter((n) => n.dc === dc.name);
      const dst = `${s.address}/32`;
      const remote = m.datacentres.find((d) => d !== dc && speakers.some((n) => n.dc === d.name));
      if (local.length > 1) routes.push({ dst, nexthops: local.map((n) => nodeNextHop(m, n, 4)), dev: LAN_BRIDGE, protocol: 'bird' });
      else if (local.length === 1) routes.push({ dst, gateway: nodeNextHop(m, local[0]!, 4), dev: LAN_BRIDGE, protocol: 'bird' });
      else if (remote) routes.push({ dst, ...via(remote, ROUTER_PORTS.peering) });
    }
    // Full mesh (every peer of ibgpPeers), or reflection: either way every router learns every
    // other datacentre's LAN and pod CIDRs with the originating router's peering address as next
    // hop (`next hop self`; a reflector keeps the originator's).
    const peers = new Set(ibgpPeers(m, r).map((p) => p.peer.dc));
    for (const other of m.datacentres) {
      if (other === dc || !(peers.has(other.name) || m.routers.reflection)) continue;
      const hop = via(other, ROUTER_PORTS.peering);
      routes.push({ dst: other.lan, ...hop }, ...other.nodes.map((n) => ({ dst: n.podCIDR, ...hop })));
    }
    out.push({ name: r.name, kind: 'router', dc: dc.name, address: r.address, routes: sortRoutes(routes) });
  }
  for (const dc of m.datacentres) {
    // The LAN's gateway: its router, or the VRRP address of its several routers.
    const r = { address: dc.gateway };
    out.push({ name: dc.lanHost.name, kind: 'lanhost', dc: dc.name, address: dc.lanHost.address, routes: sortRoutes([{ dst: 'default', gateway: r.address, dev: 'eth0' }, kernel(dc.lan, 'eth0')]) });
    for (const z of extraZonesOf(m, dc)) {
      out.push({ name: `${z.name}-${dc.name}`, kind: 'zonehost', dc: dc.name, address: z.hostAddress, routes: sortRoutes([{ dst: 'default', gateway: z.routerAddress, dev: 'eth0' }, kernel(z.subnet, 'eth0')]) });
    }
    for (const node of dc.nodes) {
      const pod = podOf(node);
      const nodeRoutes: Route[] = [{ dst: 'default', gateway: r.address, dev: 'eth0' }, kernel(dc.lan, 'eth0'), { dst: `${pod.address}/32`, dev: 'lxc0' }];
      if (m.cilium.autoDirectNodeRoutes) {
        for (const other of dc.nodes) if (other !== node) nodeRoutes.push({ dst: other.podCIDR, gateway: other.address, dev: 'eth0' });
      }
      // Its LoadBalancer backends: pods like the probe pod, behind lxcb<i> (the twin's names).
      const backends = backendPods(m).filter((b) => b.node === node.name);
      backends.forEach((b, i) => nodeRoutes.push({ dst: `${b.address}/32`, dev: `lxcb${i}` }));
      out.push({ name: node.name, kind: 'node', dc: dc.name, address: node.address, routes: sortRoutes(nodeRoutes) });
      out.push({ name: pod.name, kind: 'pod', dc: dc.name, node: node.name, address: pod.address, routes: sortRoutes([{ dst: 'default', gateway: pod.gateway, dev: 'eth0' }, { dst: `${pod.gateway}/32`, dev: 'eth0' }]) });
      for (const b of backends) {
        out.push({ name: b.name, kind: 'backend', dc: dc.name, node: node.name, address: b.address, routes: sortRoutes([{ dst: 'default', gateway: b.gateway, dev: 'eth0' }, { dst: `${b.gateway}/32`, dev: 'eth0' }]) });
      }
    }
  }
  const six = expectedRoutes6(m);
  if (six.size > 0) {
    const address6 = addresses6(m);
    for (const x of out) {
      const a = address6.get(x.name);
      if (a) x.address6 = a;
      x.routes6 = sortRoutes(six.get(x.name) ?? []);
    }
  }
  return out;
}

/** Every machine's IPv6 address in a dual-stack lab (the one others reach it by). */
function addresses6(m: LabModel): Map<string, string> {
  const out = new Map<string, string>([['internet', m.internet.server6!]]);
  for (const dc of m.datacentres) {
    for (const r of dc.routers) out.set(r.name, r.address6!);
    if (dc.lanHost.address6) out.set(dc.lanHost.name, dc.lanHost.address6);
    for (const n of dc.nodes) {
      out.set(n.name, n.address6!);
      const pod = podOf(n);
      if (pod.address6) out.set(pod.name, pod.address6);
    }
  }
  for (const b of backendPods(m)) if (b.address6) out.set(b.name, b.address6);
  return out;
}

/** The path the topology implies for the first cross-DC pod pair (first node of the first two datacentres). */
export function expectedPath(m: LabModel): string[] {
  const [a, b] = m.datacentres.filter((d) => d.nodes.length > 0);
  if (!a || !b) return [];
  const na = a.nodes[0]!;
  const nb = b.nodes[0]!;
  return [podOf(na).name, na.name, a.routers[0]!.name, b.routers[0]!.name, nb.name, podOf(nb).name];
}

/** The traceroute of assertion 4's first pod pair, as machine names, source pod first. */
export function reportedPath(r: Pick<Report, 'assertions'>): string[] {
  const first = r.assertions.find((a) => a.id === 4)?.results[0];
  if (!first) return [];
  const [from] = first.subject.split(' -> ');
  const hops = first.seen.split(' > ').map((h) => h.trim()).filter((h) => h && h !== 'nothing');
  return from ? [from.trim(), ...hops] : hops;
}

export interface DiagramInput {
  model: LabModel;
  /** Machines with their routing tables; default: the topology's expected ones. */
  machines?: MachineState[];
  path?: string[];
  routesFrom?: string;
  pathLabel?: string;
}

export function buildDiagram(input: DiagramInput): Diagram {
  const m = input.model;
  const states = input.machines && input.machines.length > 0 ? input.machines : expectedMachines(m);
  const expected = expectedMachines(m);
  // Every machine the topology has, in topology order, then any other machine the run reported.
  const order = [...expected.map((e) => e.name), ...states.map((s) => s.name).filter((n) => !expected.some((e) => e.name === n))];
  const byName = new Map(states.map((s) => [s.name, s]));
  const machines: DiagramMachine[] = order.map((name) => {
    const s = byName.get(name) ?? { ...expected.find((e) => e.name === name)!, routes: [] };
    const d: DiagramMachine = { id: machineId(s.name), name: s.name, kind: s.kind, address: s.address, routes: sortRoutes(s.routes) };
    if (s.address6) d.address6 = s.address6;
    if (s.routes6) d.routes6 = sortRoutes(s.routes6);
    if (s.dc) d.dc = s.dc;
    return d;
  });
  const segments: DiagramSegment[] = [
    { id: INTERNET, kind: 'internet', label: 'internet', detail: `WAN ${m.internet.wan} · hosts ${m.internet.hosts}${m.internet.wan6 ? ` · ${m.internet.wan6} · ${m.internet.hosts6}` : ''}` },
  ];
  if (allRouters(m).length > 1) {
    segments.push({ id: PEERING, kind: 'peering', label: 'peering network', detail: `${m.routers.peering}${m.routers.peering6 ? ` · ${m.routers.peering6}` : ''} · iBGP AS ${m.routers.asn}${m.routers.reflection ? ' (reflector: ' + m.datacentres[0]!.routers[0]!.name + ')' : ' full mesh'}` });
  }
  const links: DiagramLink[] = [];
  const link = (from: string, to: string, label?: string) => {
    const l: DiagramLink = { id: `e${links.length}`, from, to, onPath: false };
    if (label) l.label = label;
    links.push(l);
  };
  const internetMachine = machineId('internet');
  link(INTERNET, internetMachine);
  for (const dc of m.datacentres) {
    const vrrp = dc.routers.length > 1 ? ` · gateway ${dc.gateway} (VRRP)` : '';
    segments.push({ id: lanId(dc.name), kind: 'lan', dc: dc.name, label: `LAN ${dc.name}`, detail: `${dc.lan6 ? `${dc.lan} · ${dc.lan6}` : dc.lan}${vrrp}` });
    // A datacentre's routers side by side, each on the internet, the peering network and the LAN.
    for (const r of dc.routers) {
      const router = machineId(r.name);
      link(INTERNET, router, `wan ${r.wanAddress}`);
      if (allRouters(m).length > 1) link(PEERING, router, `peering ${r.peeringAddress}`);
      link(router, lanId(dc.name), `lan ${r.address}`);
    }
    for (const z of extraZonesOf(m, dc)) link(machineId(dc.routers[0]!.name), machineId(`${z.name}-${dc.name}`), `${z.name} ${z.subnet}`);
    link(lanId(dc.name), machineId(dc.lanHost.name));
    for (const node of dc.nodes) {
      link(lanId(dc.name), machineId(node.name));
      link(machineId(node.name), machineId(podOf(node).name), node.podCIDR6 ? `${node.podCIDR} · ${node.podCIDR6}` : node.podCIDR);
    }
  }
  const path = (input.path ?? expectedPath(m)).filter((p) => machines.some((x) => x.name === p));
  markPath(machines, links, path);
  return {
    title: `${m.name}: Cilium ${m.cilium.routingMode} routing over BGP`,
    subtitle: `Cilium ${m.versions.cilium} (${m.cilium.bgpApi}${m.cilium.masquerade ? ', masquerade' : ''}), cluster AS ${m.cluster.asn}, routers AS ${m.routers.asn}, pod CIDR ${m.cluster.podCIDR}${m.cluster.podCIDR6 ? ` and ${m.cluster.podCIDR6} (dual-stack, ${{ 'per-family': 'a BGP session per family', 'mp-over-v4': 'IPv6 over the IPv4 sessions', 'v4-over-v6': 'IPv4 over the nodes\' IPv6 sessions' }[m.sessions]})` : ''}`,
    routesFrom: input.routesFrom ?? 'expected routes, derived from the topology',
    datacentres: m.datacentres.map((d) => ({ name: d.name, label: `${d.name} · LAN ${d.lan}` })),
    segments,
    machines,
    links,
    path,
    pathLabel: input.pathLabel ?? (path.length > 0 ? `expected path ${path[0]} → ${path[path.length - 1]}` : ''),
  };
}

/** Marks the links between consecutive machines of the path (through a LAN or the peering network). */
function markPath(machines: DiagramMachine[], links: DiagramLink[], path: string[]): void {
  const mark = (a: string, b: string): boolean => {
    let found = false;
    for (const l of links) if ((l.from === a && l.to === b) || (l.from === b && l.to === a)) found = l.onPath = true;
    return found;
  };
  const dcOf = (name: string) => machines.find((x) => x.name === name)?.dc;
  const kindOf = (name: string) => machines.find((x) => x.name === name)?.kind;
  for (let i = 0; i + 1 < path.length; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const [ka, kb] = [kindOf(a), kindOf(b)];
    let drawn: boolean;
    if (ka === 'pod' || kb === 'pod') drawn = mark(machineId(a), machineId(b));
    else if (ka === 'router' && kb === 'router') drawn = mark(machineId(a), PEERING) && mark(PEERING, machineId(b));
    else if (dcOf(a) && dcOf(a) === dcOf(b)) {
      const lan = lanId(dcOf(a)!);
      drawn = mark(machineId(a), lan) && mark(lan, machineId(b));
    } else drawn = false;
    if (!drawn) links.push({ id: `e${links.length}`, from: machineId(a), to: machineId(b), label: 'hops hidden', onPath: true, hidden: true });
  }
}
