// Synthetic topologies for scale runs: N datacentres with M nodes each, addressed like the reference.
import { LAB_TIMERS } from './reference.ts';
import type { Topology } from './schema.ts';

export interface GenerateOptions {
  datacentres: number;
  nodesPerDc: number;
  autoDirectNodeRoutes?: boolean;
  reflection?: boolean;
  /** Cluster pod CIDR and the per-node block size (default 10.244.0.0/16 in /24s). */
  podCIDR?: string;
  nodeMaskSize?: number;
  /** cluster.family dual: every IPv6 prefix and address from resolve6.ts's defaults. */
  dualStack?: boolean;
  /** Routers per datacentre (1-4; several share a VRRP gateway). */
  routersPerDc?: number;
}

export function generateTopology(o: GenerateOptions): Topology {
  const t: Topology = {
    name: `dc${o.datacentres}x${o.nodesPerDc}`,
    routers: { asn: 65000, peering: '172.16.0.0/24', ...(o.reflection ? { reflection: true } : {}) },
    cluster: { asn: 65001, podCIDR: o.podCIDR ?? '10.244.0.0/16', nodeMaskSize: o.nodeMaskSize ?? 24 },
    bgp: { timers: { ...LAB_TIMERS } },
    datacentres: Array.from({ length: o.datacentres }, (_, i) => ({
      name: `dc${i + 1}`,
      lan: `10.${Math.floor(i / 256)}.${i % 256}.0/24`,
      ...((o.routersPerDc ?? 1) > 1 ? { routers: o.routersPerDc } : {}),
      nodes: Array.from({ length: o.nodesPerDc }, (_, j) => ({
        name: `node-${i + 1}-${j + 1}`,
        role: i === 0 && j === 0 ? 'controlplane' as const : 'worker' as const,
      })),
    })),
  };
  if (o.autoDirectNodeRoutes) t.cilium = { autoDirectNodeRoutes: true };
  if (o.dualStack) t.cluster.family = 'dual';
  return t;
}
