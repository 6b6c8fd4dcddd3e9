// The resolved lab: every address derived, every default applied. Renderers and runtimes read
// only this, never the raw topology file.

import type { BgpTimers, CiliumBgpApi, ClusterFamily, LoadBalancerMode, Role, RoutingMode, SessionLayout, TrafficPolicy } from './schema.ts';

export interface NodeModel {
  name: string;
  role: Role;
  dc: string;
  address: string;
  podCIDR: string;
  labels: Record<string, string>;
  /** Dual-stack only: the node's IPv6 address on its LAN and its IPv6 pod CIDR. */
  address6?: string;
  podCIDR6?: string;
}

export interface RouterModel {
  name: string; // e.g. router-dc1
  dc: string;
  address: string; // on the LAN
  peeringAddress: string;
  wanAddress: string;
  /** Dual-stack only. */
  address6?: string;
  peeringAddress6?: string;
  wanAddress6?: string;
}

export interface DatacentreModel {
  name: string;
  index: number;
  lan: string; // CIDR
  lanPrefix: number;
  /** Dual-stack only: the IPv6 LAN. */
  lan6?: string;
  router: RouterModel;
  nodes: NodeModel[];
  /** A host on the LAN outside the cluster ("database"), for source-address checks. */
  lanHost: { name: string; address: string; address6?: string };
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
  /** Dual-stack only: its IPv6 LoadBalancer address. */
  address6?: string;
}

export interface LabModel {
  name: string;
  routers: { asn: number; peering: string; peeringPrefix: number; reflection: boolean; peering6?: string };
  cluster: { asn: number; podCIDR: string; nodeMaskSize: number; family: ClusterFamily; podCIDR6?: string; nodeMaskSize6?: number };
  versions: { cilium: string; talos: string; openwrt: string };
  /** A timer left out (or all of them) renders as the daemons' own default. */
  timers: BgpTimers | undefined;
  /** Graceful restart on every session, restart time resolved; undefined: the products' defaults. */
  gracefulRestart: { enabled: boolean; restartTime: number } | undefined;
  /** How BGP sessions carry IPv6 routes (dual-stack); per-family for an IPv4 cluster. */
  sessions: SessionLayout;
  cilium: { autoDirectNodeRoutes: boolean; routingMode: RoutingMode; masquerade: boolean; bgpApi: CiliumBgpApi };
  internet: {
    wan: string; wanPrefix: number; gateway: string; hosts: string; server: string;
    /** Dual-stack only. */
    wan6?: string; gateway6?: string; hosts6?: string; server6?: string;
  };
  extraZones: ExtraZoneModel[];
  /** LB-IPAM pool and Cilium's load-balancer mode; undefined when the topology has none. */
  loadBalancer: { pool: string; mode: LoadBalancerMode; pool6?: string } | undefined;
  services: ServiceModel[];
  datacentres: DatacentreModel[];
}

export function allNodes(m: LabModel): NodeModel[] {
  return m.datacentres.flatMap((d) => d.nodes);
}

export function allRouters(m: LabModel): RouterModel[] {
  return m.datacentres.map((d) => d.router);
}


/** Whether the lab carries IPv6 beside IPv4. */
export function isDualStack(m: LabModel): boolean {
  return m.cluster.family === 'dual';
}
