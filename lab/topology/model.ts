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
  name: string; // router-dc1, or router-dc1-1, router-dc1-2... where a datacentre has several
  dc: string;
  /** Its folder of rendered files and its BIRD symbols: the datacentre's name, or dc1-2... */
  key: string;
  /** Its place among its datacentre's routers (0: the VRRP master while it lives). */
  index: number;
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
  /** One or more (VRRP between them); routers[0] is the preferred master. */
  routers: RouterModel[];
  /** The nodes' default gateway: the one router's LAN address, or the VRRP address of several. */
  gateway: string;
  gateway6?: string;
  /** Several routers: VRRP for the gateway (keepalived). */
  vrrp?: { routerId: number; advertInterval: number };
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


/** Whether the lab carries IPv6 beside IPv4. */
export function isDualStack(m: LabModel): boolean {
  return m.cluster.family === 'dual';
}

/** Every router of the lab, datacentre by datacentre. */
export function allRouters(m: LabModel): RouterModel[] {
  return m.datacentres.flatMap((d) => d.routers);
}
