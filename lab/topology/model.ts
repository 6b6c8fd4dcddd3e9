// The resolved lab: every address derived, every default applied. Renderers and runtimes read
// only this, never the raw topology file.

import type { BgpTimers, CiliumBgpApi, LoadBalancerMode, Role, RoutingMode, TrafficPolicy } from './schema.ts';

export interface NodeModel {
  name: string;
  role: Role;
  dc: string;
  address: string;
  podCIDR: string;
  labels: Record<string, string>;
}

export interface RouterModel {
  name: string; // e.g. router-dc1
  dc: string;
  address: string; // on the LAN
  peeringAddress: string;
  wanAddress: string;
}

export interface DatacentreModel {
  name: string;
  index: number;
  lan: string; // CIDR
  lanPrefix: number;
  router: RouterModel;
  nodes: NodeModel[];
  /** A host on the LAN outside the cluster ("database"), for source-address checks. */
  lanHost: { name: string; address: string };
}

export interface ExtraZoneModel {
  name: string;
  dc: string;
  subnet: string;
  routerAddress: string;
  hostAddress: string;
  forwardTo: string[];
}

export interface ServiceModel {
  name: string;
  port: number;
  trafficPolicy: TrafficPolicy;
  /** Node names, one backend pod each. */
  backends: string[];
  /** The LoadBalancer address (given, or the pool's next free one). */
  address: string;
}

export interface LabModel {
  name: string;
  routers: { asn: number; peering: string; peeringPrefix: number; reflection: boolean };
  cluster: { asn: number; podCIDR: string; nodeMaskSize: number };
  versions: { cilium: string; talos: string; openwrt: string };
  /** A timer left out (or all of them) renders as the daemons' own default. */
  timers: BgpTimers | undefined;
  cilium: { autoDirectNodeRoutes: boolean; routingMode: RoutingMode; masquerade: boolean; bgpApi: CiliumBgpApi };
  internet: { wan: string; wanPrefix: number; gateway: string; hosts: string; server: string };
  extraZones: ExtraZoneModel[];
  /** LB-IPAM pool and Cilium's load-balancer mode; undefined when the topology has none. */
  loadBalancer: { pool: string; mode: LoadBalancerMode } | undefined;
  services: ServiceModel[];
  datacentres: DatacentreModel[];
}

export function allNodes(m: LabModel): NodeModel[] {
  return m.datacentres.flatMap((d) => d.nodes);
}

export function allRouters(m: LabModel): RouterModel[] {
  return m.datacentres.map((d) => d.router);
}

