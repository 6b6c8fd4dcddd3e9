// The IPv6 half of a dual-stack router's bird.conf (BIRD 2), beside what bird.ts renders for IPv4:
// the IPv6 sets, kernel and static protocols, and IPv6 routes on BGP sessions in either layout:
//   - per-family: a second session per peer between IPv6 addresses, with an ipv6 channel;
//   - mp-over-v4: an ipv6 channel on the IPv4 sessions, IPv6 routes carried over them;
//   - v4-over-v6: the nodes' IPv6 sessions carry an ipv4 channel too (extended next hop), no IPv4 node
//     sessions; the routers peer per family.
// Facts about BIRD below are from its 2.0.12 source (Debian's bird2), proto/bgp/packets.c and bgp.c.
import type { DatacentreModel, LabModel, NodeModel, RouterModel } from '../topology/model.ts';
import { LAN_BRIDGE } from './ports.ts';

export interface BirdBlocks {
  block: (head: string, body: string[], nested?: boolean) => string[];
  /** Every session's timers and graceful restart. */
  timerLines: string[];
  /** The kernel protocol's graceful restart line, when the lab has it. */
  kernelLines: string[];
  /** `merge paths on` in the kernel protocols (bird.ts mergePaths). */
  mergePaths: boolean;
  /** The add-path line of an iBGP channel (bird.ts addPaths), by whether the peer is a reflector's client. */
  addPaths: (rrClient: boolean) => string[];
}

/** BIRD symbol of a session's IPv6 twin (per-family): router_dc2 -> router_dc2_v6. */
export const V6_SUFFIX = '_v6';
export const NODE_TEMPLATE6 = 'cilium_node6';

const v6 = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`dual-stack model without ${what}`); // resolveIpv6 sets every one
  return value;
};

export function defines6(m: LabModel): string[] {
  const size = v6(m.cluster.nodeMaskSize6, 'cluster.nodeMaskSize6');
  return [
    `define POD_CIDRS6 = [ ${v6(m.cluster.podCIDR6, 'cluster.podCIDR6')}{${size},${size}} ];`,
    // Every address of the IPv6 pool, each announced as a /128.
    ...(m.loadBalancer ? [`define LB_POOL6 = [ ${v6(m.loadBalancer.pool6, 'loadBalancer.pool6')}{128,128} ];`] : []),
  ];
}

export function kernel6(m: LabModel, b: BirdBlocks): string[] {
  return b.block('protocol kernel kernel6', ['scan time 20;', ...b.kernelLines, ...(b.mergePaths ? ['merge paths on;'] : []),
    ...b.block('ipv6', ['import none;', 'export where source = RTS_BGP;'], true)]);
}

export function static6(dc: DatacentreModel, b: BirdBlocks): string[] {
  return b.block('protocol static static6', ['ipv6;', `route ${v6(dc.lan6, 'lan6')} via "${LAN_BRIDGE}";`]);
}

function importSet6(m: LabModel): string {
  return m.loadBalancer ? 'net ~ POD_CIDRS6 || net ~ LB_POOL6' : 'net ~ POD_CIDRS6';
}

/** The next-hop line of an iBGP channel, either family (bird.ts says why `ebgp` with a reflector). */
export function nextHopSelf(m: LabModel): string {
  return m.routers.reflection ? 'next hop self ebgp;' : 'next hop self;';
}

/**
 * mp-over-v4: the ipv6 channel of an IPv4 iBGP session. With `next hop self`, BIRD announces the
 * channel's next_hop_addr: the session's source address only when it is IPv6 (or with extended next
 * hop, which would announce the IPv4-mapped one), else the "preferred" IPv6 address of the interface
 * (bgp.c bgp_channel_start). `next hop address` names the peering address instead of leaving it to
 * which address the peering port happens to hold first.
 */
export function ibgpChannel6OverV4(m: LabModel, self: RouterModel, rrClient: boolean, b: BirdBlocks): string[] {
  return b.block('ipv6', ['import all;', 'export all;', nextHopSelf(m), `next hop address ${v6(self.peeringAddress6, 'peeringAddress6')};`, ...b.addPaths(rrClient)], true);
}

/** per-family: the IPv6 session beside an IPv4 iBGP session, between the two peering addresses. */
export function ibgpSession6(m: LabModel, self: RouterModel, peer: RouterModel, rrClient: boolean, name: string, b: BirdBlocks): string[] {
  return b.block(`protocol bgp ${name}${V6_SUFFIX}`, [
    `description "iBGP (IPv6) to ${peer.name}";`,
    `local ${v6(self.peeringAddress6, 'peeringAddress6')} as ${m.routers.asn};`,
    `neighbor ${v6(peer.peeringAddress6, 'peeringAddress6')} as ${m.routers.asn};`,
    'direct;',
    ...(rrClient ? ['rr client;'] : []),
    ...b.timerLines,
    ...b.block('ipv6', ['import all;', 'export all;', nextHopSelf(m), ...b.addPaths(rrClient)], true),
  ]);
}

/**
 * The template of the IPv6 node sessions, as cilium_node is for IPv4. v4-over-v6 (ipv4Import given):
 * an ipv4 channel too, with `extended next hop on`. For an ipv4 channel BIRD negotiates it (bgp.c
 * bgp_channel_start: ext_next_hop = configured && the peer announced the capability, BIRD 2.0.12) and
 * Cilium's GoBGP announces it (its `show protocols all` lists "Extended next hop" among the neighbor's
 * capabilities); the IPv4 routes then come with the node's IPv6 next hop and the kernel gets them via
 * an IPv6 gateway (RFC 8950; Linux 5.2 on). Without it BIRD withdraws every one while decoding it
 * ("Invalid NEXT_HOP attribute - mismatched address family (<node IPv6> for ipv4)", cilium/cilium#29951).
 */
export function nodeTemplate6(m: LabModel, self: RouterModel, b: BirdBlocks, ipv4Import?: string): string[] {
  return b.block(`template bgp ${NODE_TEMPLATE6}`, [
    `local ${v6(self.address6, 'router address6')} as ${m.routers.asn};`,
    ...b.timerLines,
    ...(ipv4Import ? b.block('ipv4', ['extended next hop on;', ipv4Import, 'export none;'], true) : []),
    ...b.block('ipv6', [`import where ${importSet6(m)};`, 'export none;'], true),
  ]);
}

export function nodeSession6(m: LabModel, node: NodeModel, name: string, b: BirdBlocks): string[] {
  return b.block(`protocol bgp ${name}${V6_SUFFIX} from ${NODE_TEMPLATE6}`, [
    `description "Cilium on ${node.name} (IPv6)";`,
    `neighbor ${v6(node.address6, 'node address6')} as ${m.cluster.asn};`,
  ]);
}

/**
 * mp-over-v4: the ipv6 channel of a node's IPv4 session. Cilium's GoBGP sends IPv6 routes over an IPv4
 * session with the IPv4-mapped next hop ::ffff:<node IPv4> (cilium/cilium#37831). BIRD reads that as an
 * IPv4 address, and on an ipv6 channel without `extended next hop` withdraws the route while decoding it
 * ("Invalid NEXT_HOP attribute - mismatched address family", bgp_decode_next_hop_ip), before any filter
 * runs. With it on (for ipv6 channels no capability is negotiated: bgp.c sets ext_next_hop from the
 * config alone), the route is kept with the node's IPv4 address as gateway; the filter then sets the
 * node's own IPv6 address: `gw` is the route's next hop (what the kernel protocol installs; filter/f-inst.c
 * checks it is on a connected network), `bgp_next_hop` only the attribute (`show route all`): without
 * `gw` the route stays "via <node IPv4>" and the kernel refuses it (netlink: Invalid argument).
 */
export function nodeChannel6OverV4(m: LabModel, node: NodeModel, b: BirdBlocks): string[] {
  const address6 = v6(node.address6, 'node address6');
  return b.block('ipv6', [
    'extended next hop on;',
    ...b.block('import filter', [
      `if !(${importSet6(m)}) then reject;`,
      `bgp_next_hop = ${address6};`,
      `gw = ${address6};`,
      'accept;',
    ], true),
    'export none;',
  ], true);
}
