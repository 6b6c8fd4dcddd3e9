// Which BGP sessions a lab has, per family, and where a router routes what a node announced: one
// place for the dual-stack session layouts (bgp.sessions) the render, the assertions and the diagram
// all follow.
import { isDualStack, type LabModel, type NodeModel } from './model.ts';

export type Family = 4 | 6;

/** The transport families of the node–router sessions. */
export function nodeSessionFamilies(m: LabModel): Family[] {
  if (!isDualStack(m)) return [4];
  return { 'per-family': [4, 6] as Family[], 'mp-over-v4': [4] as Family[], 'v4-over-v6': [6] as Family[] }[m.sessions];
}

/** The transport families of the router–router sessions: per family unless IPv6 rides the IPv4 ones. */
export function routerSessionFamilies(m: LabModel): Family[] {
  return !isDualStack(m) || m.sessions === 'mp-over-v4' ? [4] : [4, 6];
}

/** The transport family of the node session that carries a node's routes of family f. */
export function carrierFamily(m: LabModel, f: Family): Family {
  if (!isDualStack(m)) return 4;
  return { 'per-family': f, 'mp-over-v4': 4 as Family, 'v4-over-v6': 6 as Family }[m.sessions];
}

/**
 * Where a router routes a prefix of family f a node announced: the node's address of that family,
 * except IPv4 routes over IPv6 sessions, which come with the node's IPv6 next hop (RFC 8950). IPv6
 * routes over IPv4 sessions get the node's IPv6 address from the router's import filter.
 */
export function nodeNextHop(m: LabModel, node: NodeModel, f: Family): string {
  if (f === 4) return isDualStack(m) && m.sessions === 'v4-over-v6' ? node.address6 ?? '' : node.address;
  return node.address6 ?? '';
}
