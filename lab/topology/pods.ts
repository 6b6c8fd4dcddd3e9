// The probe pod of every node, derived from the topology alone: both runtimes and the diagram
// place it the same way (the twin creates it; the VM lab pins a pod of that name to the node).
import * as ip from './cidr.ts';
import type { NodeModel } from './model.ts';

export interface PodPlan {
  name: string;
  node: string;
  address: string;
  gateway: string;
}

/** The probe pod of a node: the first address after the node's gateway address. */
export function podOf(node: NodeModel): PodPlan {
  const block = ip.cidr(node.podCIDR);
  return {
    name: `${node.name}-pod`,
    node: node.name,
    address: ip.formatIp(ip.host(block, 10) ?? block.network + 1),
    gateway: ip.formatIp(ip.host(block, 1) ?? block.network),
  };
}
