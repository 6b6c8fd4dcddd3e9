// The reference setup: two datacentres, one Talos node each, routers in AS 65000, cluster in AS 65001,
// and one LoadBalancer Service advertised over BGP.
import { NEWEST_CILIUM } from '../versions/cilium.ts';
import { NEWEST_OPENWRT } from '../versions/openwrt.ts';
import { NEWEST_TALOS } from '../versions/talos.ts';
import type { Topology } from './schema.ts';

/** Fast lab timers: the router dials at once and a dead peer is noticed within 9 s. */
export const LAB_TIMERS = { connectDelay: 0, connectRetry: 5, hold: 9, keepalive: 3 } as const;

export function referenceTopology(): Topology {
  return {
    name: 'reference',
    routers: { asn: 65000, peering: '172.16.0.0/24' },
    cluster: { asn: 65001, podCIDR: '10.244.0.0/16', nodeMaskSize: 24 },
    versions: { cilium: NEWEST_CILIUM, talos: NEWEST_TALOS, openwrt: NEWEST_OPENWRT },
    bgp: { timers: { ...LAB_TIMERS } },
    // One LoadBalancer Service whose only backend runs in dc2: policy Local keeps the client's address.
    loadBalancer: { pool: '10.250.0.0/28' },
    services: [{ name: 'web', port: 80, trafficPolicy: 'Local', backends: ['worker-1'] }],
    datacentres: [
      { name: 'dc1', lan: '10.0.0.0/24', nodes: [{ name: 'controlplane-1', role: 'controlplane' }] },
      { name: 'dc2', lan: '10.0.1.0/24', nodes: [{ name: 'worker-1', role: 'worker' }] },
    ],
  };
}
