// LoadBalancer Services: the LB-IPAM pool, each Service's address (given, or the pool's next free
// one), its traffic policy and backend nodes, and where each backend pod lives. Both runtimes and
// the assertions derive the same placement from here.
import * as ip from './cidr.ts';
import type { Collector } from './resolve.ts';
import type { LabModel, NodeModel, ServiceModel } from './model.ts';
import type { Topology } from './schema.ts';
import { podHost6 } from './pods.ts';

export interface ResolvedLoadBalancer {
  loadBalancer: LabModel['loadBalancer'];
  services: ServiceModel[];
}

/** Pool, services and their addresses; problems go to the collector, each naming its field and fix. */
export function resolveLoadBalancer(t: Topology, c: Collector): ResolvedLoadBalancer {
  const specs = t.services ?? [];
  if (!t.loadBalancer) {
    if (specs.length > 0) c.add('services', 'LoadBalancer Services need an address pool', 'add loadBalancer: { pool: <CIDR> } (e.g. 10.250.0.0/28), or remove services');
    return { loadBalancer: undefined, services: [] };
  }
  const pool = c.cidr('loadBalancer.pool', t.loadBalancer.pool);
  const loadBalancer = { pool: t.loadBalancer.pool, mode: t.loadBalancer.mode ?? 'snat' } as const;
  if (!pool) return { loadBalancer, services: [] };
  const claimed = new Set(specs.flatMap((s) => (s.address === undefined ? [] : [s.address])));
  let nextHost = 1;
  const nextFree = (): string | undefined => {
    for (;;) {
      const h = ip.host(pool, nextHost++);
      if (h === undefined) return undefined;
      if (!claimed.has(ip.formatIp(h))) return ip.formatIp(h);
    }
  };
  const seenAddresses = new Map<string, string>();
  const services = specs.map((s, i): ServiceModel => {
    const at = `services[${i}]`;
    let address: string | undefined;
    if (s.address === undefined) {
      address = nextFree();
      if (address === undefined) c.add(`${at}.address`, `loadBalancer.pool ${t.loadBalancer!.pool} has no free address left for ${s.name}`, 'widen loadBalancer.pool or give fewer services an address');
    } else {
      address = c.address(`${at}.address`, s.address, pool, 1);
      const dup = address === undefined ? undefined : seenAddresses.get(address);
      if (address !== undefined && dup) c.add(`${at}.address`, `address "${address}" is already used by ${dup}`, `give ${at} an address of its own inside ${t.loadBalancer!.pool}, or drop it to have one assigned`);
    }
    if (address !== undefined && !seenAddresses.has(address)) seenAddresses.set(address, `${at}.address`);
    return { name: s.name, port: s.port, trafficPolicy: s.trafficPolicy ?? 'Cluster', backends: [...s.backends], address: address ?? '' };
  });
  return { loadBalancer, services };
}

/** Rules that need the whole model: names, backend nodes, DSR's need for native routing. */
export function checkServices(t: Topology, m: LabModel, c: Collector): void {
  if (m.loadBalancer && m.loadBalancer.mode !== 'snat' && m.cilium.routingMode !== 'native') {
    c.add('loadBalancer.mode', `${m.loadBalancer.mode} needs native routing (Cilium's DSR dispatch rides on the native datapath), but cilium.routingMode is tunnel`, 'use loadBalancer.mode: snat, or cilium.routingMode: native');
  }
  const nodeNames = new Set(m.datacentres.flatMap((d) => d.nodes.map((n) => n.name)));
  const machines = new Set([...nodeNames, ...m.datacentres.flatMap((d) => [...d.routers.map((r) => r.name), d.lanHost.name, ...d.nodes.map((n) => `${n.name}-pod`)])]);
  const seenNames = new Map<string, string>();
  (t.services ?? []).forEach((s, i) => {
    const at = `services[${i}]`;
    const first = seenNames.get(s.name);
    if (first) c.add(`${at}.name`, `service name "${s.name}" is already used by ${first}`, `give ${at} a name of its own`);
    seenNames.set(s.name, `${at}.name`);
    s.backends.forEach((b, j) => {
      if (!nodeNames.has(b)) c.add(`${at}.backends[${j}]`, `no node is named "${b}"`, `use one of ${[...nodeNames].join(', ')}`);
      else if (s.backends.indexOf(b) !== j) c.add(`${at}.backends[${j}]`, `node "${b}" is listed twice`, 'list each backend node once: each runs one backend pod');
      else if (machines.has(`${s.name}-${b}`)) c.add(`${at}.name`, `its backend pod on ${b} would be named "${s.name}-${b}", like another machine of the lab`, `rename ${at}`);
    });
  });
}

export interface BackendPod {
  /** e.g. web-worker-1 */
  name: string;
  service: string;
  node: string;
  address: string;
  gateway: string;
  /** Dual-stack only. */
  address6?: string;
  gateway6?: string;
}

/** Backend pods sit at host 20 + the service's index of their node's pod CIDR (the probe pod has host 10). */
export function backendPods(m: LabModel): BackendPod[] {
  const nodes = new Map<string, NodeModel>(m.datacentres.flatMap((d) => d.nodes.map((n) => [n.name, n] as const)));
  return m.services.flatMap((s, i) => s.backends.flatMap((b) => {
    const node = nodes.get(b);
    if (!node) return [];
    const block = ip.cidr(node.podCIDR);
    const address6 = podHost6(node.podCIDR6, 20 + i);
    const gateway6 = podHost6(node.podCIDR6, 1);
    return [{
      name: `${s.name}-${b}`, service: s.name, node: b, address: ip.formatIp(ip.host(block, 20 + i) ?? block.network), gateway: ip.formatIp(ip.host(block, 1) ?? block.network),
      ...(address6 && gateway6 ? { address6, gateway6 } : {}),
    }];
  }));
}

/** The nodes that announce a service address, as Cilium's BGP control plane decides: with policy
 * Local only nodes with a ready local backend, with Cluster every node the advertisement selects
 * (here every node: each datacentre's resources select all its nodes). */
export function announcers(m: LabModel, s: ServiceModel): NodeModel[] {
  const nodes = m.datacentres.flatMap((d) => d.nodes);
  return s.trafficPolicy === 'Local' ? nodes.filter((n) => s.backends.includes(n.name)) : nodes;
}
