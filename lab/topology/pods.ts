// The probe pod of every node, derived from the topology alone: both runtimes and the diagram
// place it the same way (the twin creates it; the VM lab pins a pod of that name to the node).
import * as ip from './cidr.ts';
import * as ip6 from './cidr6.ts';
import { mirrorHost } from './resolve6.ts';
import type { NodeModel } from './model.ts';

export interface PodPlan {
  name: string;
  node: string;
  address: string;
  gateway: string;
  /** Dual-stack only: the same host numbers in the node's IPv6 pod CIDR (::10, gateway ::1). */
  address6?: string;
  gateway6?: string;
}

/** Host n of a node's IPv6 pod CIDR, mirroring IPv4 host n (10 -> ::10). */
export function podHost6(podCIDR6: string | undefined, n: number): string | undefined {
  if (!podCIDR6) return undefined;
  const h = ip6.host6(ip6.cidr6(podCIDR6), mirrorHost(n));
  return h === undefined ? undefined : ip6.formatIp6(h);
}

/** The probe pod of a node: the first address after the node's gateway address. */
export function podOf(node: NodeModel): PodPlan {
  const block = ip.cidr(node.podCIDR);
  const address6 = podHost6(node.podCIDR6, 10);
  const gateway6 = podHost6(node.podCIDR6, 1);
  return {
    name: `${node.name}-pod`,
    node: node.name,
    address: ip.formatIp(ip.host(block, 10) ?? block.network + 1),
    gateway: ip.formatIp(ip.host(block, 1) ?? block.network),
    ...(address6 && gateway6 ? { address6, gateway6 } : {}),
  };
}
