// The hop-by-hop path the topology implies ("How this works"): pod -> node -> router -> peer router
// -> remote node -> pod, shortened where nodes share a LAN (via the router, or directly with
// autoDirectNodeRoutes) or a pod's own node.
import { allNodes, type NodeModel } from '../topology/model.ts';
import type { Lab } from '../runtime/lab.ts';

export function podNode(lab: Lab, pod: string): NodeModel | undefined {
  const name = lab.machines().find((m) => m.name === pod)?.node;
  return allNodes(lab.model).find((n) => n.name === name);
}

/**
 * Machines a packet from pod `from` visits on its way to pod `to`, the destination last; at a
 * datacentre with several routers, any one of them (VRRP picks the way out, ECMP the way in).
 */
export function expectedHops(lab: Lab, from: string, to: string): string[][] {
  const a = podNode(lab, from);
  const b = podNode(lab, to);
  if (!a || !b) throw new Error(`${from} or ${to} is not a pod`);
  if (a === b) return [[a.name], [to]];
  const routersOf = (n: NodeModel) => lab.model.datacentres.find((d) => d.name === n.dc)!.routers.map((r) => r.name);
  if (a.dc === b.dc) return lab.model.cilium.autoDirectNodeRoutes ? [[a.name], [b.name], [to]] : [[a.name], routersOf(a), [b.name], [to]];
  return [[a.name], routersOf(a), routersOf(b), [b.name], [to]];
}

/** expectedHops written out: "worker-1 > router-dc1-1|router-dc1-2 > ...". */
export function expectedPath(lab: Lab, from: string, to: string): string[] {
  return expectedHops(lab, from, to).map((h) => h.join('|'));
}

/** A traceroute's hops (machine names) follow the expected ones, one of the alternatives at each. */
export function followsPath(seen: string[], hops: string[][]): boolean {
  return seen.length === hops.length && seen.every((s, i) => hops[i]!.includes(s));
}

/** Names the machine that owns an address, or the address itself. */
export function whoHas(lab: Lab, address: string): string {
  return lab.machines().find((m) => lab.addressesOf(m.name).includes(address))?.name ?? address;
}
