// The hop-by-hop path the topology implies ("How this works"): pod -> node -> router -> peer router
// -> remote node -> pod, shortened where nodes share a LAN (via the router, or directly with
// autoDirectNodeRoutes) or a pod's own node.
import { allNodes, type NodeModel } from '../topology/model.ts';
import type { Lab } from '../runtime/lab.ts';

export function podNode(lab: Lab, pod: string): NodeModel | undefined {
  const name = lab.machines().find((m) => m.name === pod)?.node;
  return allNodes(lab.model).find((n) => n.name === name);
}

/** Machines a packet from pod `from` visits on its way to pod `to`, the destination last. */
export function expectedPath(lab: Lab, from: string, to: string): string[] {
  const a = podNode(lab, from);
  const b = podNode(lab, to);
  if (!a || !b) throw new Error(`${from} or ${to} is not a pod`);
  if (a === b) return [a.name, to];
  const routerOf = (n: NodeModel) => lab.model.datacentres.find((d) => d.name === n.dc)!.router.name;
  if (a.dc === b.dc) return lab.model.cilium.autoDirectNodeRoutes ? [a.name, b.name, to] : [a.name, routerOf(a), b.name, to];
  return [a.name, routerOf(a), routerOf(b), b.name, to];
}

/** Names the machine that owns an address, or the address itself. */
export function whoHas(lab: Lab, address: string): string {
  return lab.machines().find((m) => lab.addressesOf(m.name).includes(address))?.name ?? address;
}
