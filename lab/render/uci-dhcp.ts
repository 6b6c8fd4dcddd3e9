// /etc/config/dhcp for one router: dnsmasq answering pods too (localservice '0': pod addresses are
// not on a subnet attached to the router), static leases for the nodes, names for every lab machine
// (dual-stack: an AAAA name beside the A name of every machine with an IPv6 address, and odhcpd
// serving each node its address6 by DHCPv6 with Router Advertisements on the LAN: see dhcpv6.ts).
import { allNodes, allRouters, isDualStack, type DatacentreModel, type LabModel, type RouterModel } from '../topology/model.ts';
import { dhcpv6Match, hostIdOf } from './dhcpv6.ts';
import { macFor } from './ports.ts';
import { talosLine } from './talos-patch.ts';
import { uci, type UciSection } from './uci.ts';

export const LAB_DOMAIN = 'lab';

export interface HostRecord {
  name: string;
  address: string;
  /** Dual-stack only: the machine's IPv6 address, answered as AAAA. */
  address6?: string;
}

/** Every name the lab's DNS answers, so a pod can look up a machine in another datacentre. */
export function labHostRecords(m: LabModel): HostRecord[] {
  const record = (name: string, address: string, address6: string | undefined): HostRecord => (address6 ? { name, address, address6 } : { name, address });
  return [
    ...allRouters(m).map((r) => record(r.name, r.address, r.address6)),
    ...allNodes(m).map((n) => record(n.name, n.address, n.address6)),
    ...m.datacentres.map((d) => record(d.lanHost.name, d.lanHost.address, d.lanHost.address6)),
    record('internet-server', m.internet.server, m.internet.server6),
  ];
}

/**
 * Several routers on a LAN: every one hands out the nodes' static leases, with the VRRP address as
 * their gateway and DNS server (dnsmasq answers on every address of the interface, the virtual one
 * included); only the first has a dynamic pool, so two servers never lease one address twice.
 */
function sharedLan(dc: DatacentreModel, r: RouterModel): UciSection['options'] {
  if (dc.routers.length === 1) return [];
  return [['dhcp_option', [`3,${dc.gateway}`, `6,${dc.gateway}`]], ...(r.index > 0 ? [['dynamicdhcp', '0'] as [string, string]] : [])];
}

export function renderDhcp(m: LabModel, dc: DatacentreModel, r: RouterModel): string {
  const sections: UciSection[] = [
    {
      type: 'dnsmasq',
      options: [
        ['domainneeded', '1'], ['localise_queries', '1'], ['rebind_protection', '1'], ['rebind_localhost', '1'],
        ['local', `/${LAB_DOMAIN}/`], ['domain', LAB_DOMAIN], ['expandhosts', '1'], ['authoritative', '1'],
        ['readethers', '1'], ['leasefile', '/tmp/dhcp.leases'], ['resolvfile', '/tmp/resolv.conf.d/resolv.conf.auto'],
        ['localservice', '0'], ['ednspacket_max', '1232'],
      ],
    },
    { type: 'dhcp', name: 'lan', options: [['interface', 'lan'], ['start', '100'], ['limit', '150'], ['leasetime', '12h'], ...sharedLan(dc, r), ...odhcpdLan(m)] },
    { type: 'dhcp', name: 'wan', options: [['interface', 'wan'], ['ignore', '1']] },
    { type: 'dhcp', name: 'peering', options: [['interface', 'peering'], ['ignore', '1']] },
    ...odhcpdMain(m),
  ];
  dc.nodes.forEach((n, j) => {
    sections.push({ type: 'host', options: [['name', n.name], ['mac', macFor(dc.index, 10 + j)], ['ip', n.address], ...odhcpdHost(m, dc, j)] });
  });
  // OpenWRT's dnsmasq init script writes each domain section as an "ip name" line of a hosts file
  // (dnsmasq.init dhcp_domain_add): two sections of one name give it an A and an AAAA record.
  for (const r of labHostRecords(m)) {
    for (const address of r.address6 ? [r.address, r.address6] : [r.address]) {
      sections.push({ type: 'domain', options: [['name', `${r.name}.${LAB_DOMAIN}`], ['ip', address]] });
    }
  }
  return uci(sections);
}

// odhcpd's options (README.md and src/config.c of odhcpd's openwrt-25.12 branch), dual-stack only.

/**
 * The LAN's DHCPv6 server and RA server: the RA's managed flag sends clients to DHCPv6, no SLAAC (the
 * prefix's A flag off) so the DHCPv6 address is a node's only global one, and ra_default 2 announces the
 * router as default router whether or not it has an IPv6 default route itself or a non-ULA prefix
 * (src/router.c send_router_advert: otherwise the router lifetime is 0). The prefix is the lan's static
 * ip6addr: odhcpd serves the interface's own addresses (netlink.c), no ip6assign needed.
 */
function odhcpdLan(m: LabModel): UciSection['options'] {
  if (!isDualStack(m)) return [];
  return [['dhcpv6', 'server'], ['ra', 'server'], ['ra_flags', ['managed-config']], ['ra_slaac', '0'], ['ra_default', '2']];
}

/**
 * An odhcpd section present in the file: OpenWRT's first-boot script (odhcpd.defaults, run as
 * /etc/uci-defaults/15_odhcpd) rewrites the lan section (ra_slaac 1, more ra_flags) unless it finds one.
 * maindhcp 0: dnsmasq stays the DHCPv4 server.
 */
function odhcpdMain(m: LabModel): UciSection[] {
  return isDualStack(m) ? [{ type: 'odhcpd', name: 'odhcpd', options: [['maindhcp', '0']] }] : [];
}

/** The static DHCPv6 lease: the node's address6 as hostid, matched by MAC or by DUID and IAID (dhcpv6.ts). */
function odhcpdHost(m: LabModel, dc: DatacentreModel, index: number): UciSection['options'] {
  const address6 = dc.nodes[index]!.address6;
  if (!isDualStack(m) || !address6) return [];
  const match = dhcpv6Match(talosLine(m), dc, index);
  return [['hostid', hostIdOf(address6)], ...('duid' in match ? [['duid', match.duid]] as UciSection['options'] : [])];
}
