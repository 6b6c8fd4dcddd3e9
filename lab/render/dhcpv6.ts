// How a dual-stack VM lab's Talos nodes get their IPv6 address: odhcpd on the router's LAN answers
// DHCPv6 with each node's model address6 (a static lease) and sends Router Advertisements with the
// managed flag and a default route. Pure; the UCI side is in uci-dhcp.ts, the Talos side in talos-network.ts.
// Checked against odhcpd's openwrt-25.12 branch (the odhcpd OpenWRT 25.12 builds); facts cited where used.
import * as ip6 from '../topology/cidr6.ts';
import type { DatacentreModel } from '../topology/model.ts';
import type { TalosLine } from '../versions/talos.ts';
import { macFor } from './ports.ts';

/**
 * The DUID every node of a v1alpha1 Talos line sends (dhcpOptions.duidv6): DUID-EN (type 2) with the
 * documentation enterprise number 32473 (RFC 5612) and the identifier "nrl". Without it Talos's client
 * (insomniacslk/dhcp NewSolicit, dhcpv6/dhcpv6message.go) sends a DUID-LLT whose time field changes with
 * every Solicit, and odhcpd refuses a second binding of one static hostid while the first is still valid
 * (src/dhcpv6-ia.c assign_na), so a renewal or the reboot after install would find no address. One patch
 * serves every node, so the DUID is shared and the IAID (the MAC's last four bytes, same NewSolicit) tells
 * the nodes apart: odhcpd matches a host's "DUID%IAID" first (config.c config_find_lease_cfg_by_duid_and_iaid).
 */
export const SHARED_DUID = '000200007ed96e726c';

/** The node's MAC (the VM lab's NIC, the static DHCPv4 lease's key). */
export function nodeMac(dc: DatacentreModel, index: number): string {
  return macFor(dc.index, 10 + index);
}

/** The IAID Talos's client puts in IA_NA: the last four bytes of the MAC, as odhcpd reads it (hex, host order). */
export function iaidOf(mac: string): string {
  return mac.split(':').slice(2).join('');
}

/**
 * odhcpd's `hostid` for a node: its address's interface identifier in hex. odhcpd reads it with
 * strtoull(.., 16) (config.c) and hands out the LAN address with its last min(128 - prefix, 64) bits
 * replaced by it (dhcpv6-ia.c in6_from_prefix_and_iid), serving LAN prefixes up to /96 (dhcpv6-ia.h
 * valid_addr). Without `hostid` it would derive one from the IPv4 address's last octet, which mirrors
 * address6 only for the default addresses of a LAN no larger than /24.
 */
export function hostIdOf(address6: string): string {
  const a = ip6.parseIp6(address6);
  if (a === undefined) throw new Error(`not an IPv6 address: ${address6}`);
  return (a & ((1n << 64n) - 1n)).toString(16);
}

/**
 * The address odhcpd hands out for a hostid on a LAN whose router address is `routerAddress6`
 * (in6_from_prefix_and_iid), or undefined where odhcpd serves no DHCPv6 address (prefix longer than /96).
 * Ported for the tests and for a check of every rendered lease; it is not what the router runs.
 */
export function odhcpdAddress(lan6: string, routerAddress6: string, hostId: string): string | undefined {
  const prefix = ip6.cidr6(lan6).prefix;
  if (prefix > 96) return undefined;
  const iidBits = BigInt(Math.min(128 - prefix, 64));
  const keep = ((1n << 128n) - 1n) ^ ((1n << iidBits) - 1n);
  const router = ip6.parseIp6(routerAddress6)!;
  return ip6.formatIp6((router & keep) | (BigInt(`0x${hostId}`) & ((1n << iidBits) - 1n)));
}

/** How the router recognises a node's DHCPv6 requests, by what its Talos line sends. */
export function dhcpv6Match(line: TalosLine, dc: DatacentreModel, index: number): { mac: string } | { duid: string } {
  const mac = nodeMac(dc, index);
  // 1.14's DHCPv6Config defaults to clientIdentifier mac: a DUID-LL of the link's MAC
  // (operator/client_identifier.go GetDHCPv6ClientIdentifier), from which odhcpd takes the MAC
  // (dhcpv6-ia.c dhcpv6_ia_handle_IAs) to look up the host's `mac`.
  if (line.patch === 'multi-doc') return { mac };
  return { duid: `${SHARED_DUID}%${iaidOf(mac)}` };
}
