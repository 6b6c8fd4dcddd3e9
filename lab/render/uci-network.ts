// /etc/config/network for one router: lan bridge, DHCP wan, static peering, and any extra zone.
// Dual-stack: the static interfaces get their IPv6 address too, and the WAN a DHCPv6 twin.
import * as ip from '../topology/cidr.ts';
import { isDualStack, type DatacentreModel, type LabModel, type RouterModel } from '../topology/model.ts';
import { LAN_BRIDGE, ROUTER_PORTS, extraZonePort, extraZonesOf } from './ports.ts';
import { netmask, uci, type UciSection } from './uci.ts';

/** `list ip6addr` of a static interface (netifd's address/prefix form), or nothing in an IPv4 lab. */
function ip6addr(m: LabModel, address: string | undefined, network: string | undefined): UciSection['options'] {
  if (!isDualStack(m) || !address || !network) return [];
  return [['ip6addr', [`${address}/${network.split('/')[1]}`]]];
}

export function renderNetwork(m: LabModel, dc: DatacentreModel, r: RouterModel): string {
  const sections: UciSection[] = [
    { type: 'interface', name: 'loopback', options: [['device', 'lo'], ['proto', 'static'], ['ipaddr', '127.0.0.1'], ['netmask', '255.0.0.0']] },
    { type: 'device', options: [['name', LAN_BRIDGE], ['type', 'bridge'], ['ports', [ROUTER_PORTS.lan]]] },
    { type: 'interface', name: 'lan', options: [['device', LAN_BRIDGE], ['proto', 'static'], ['ipaddr', r.address], ['netmask', netmask(dc.lanPrefix)], ...ip6addr(m, r.address6, dc.lan6)] },
    // The WAN takes its address from upstream (QEMU user networking in the VM lab; the twin's emulated internet).
    { type: 'interface', name: 'wan', options: [['device', ROUTER_PORTS.wan], ['proto', 'dhcp']] },
    // OpenWRT's own default pairs a dhcp wan with a DHCPv6 client on its device (package/base-files/
    // files/bin/config_generate, generate_network: network.wan6, proto dhcpv6).
    ...(isDualStack(m) ? [{ type: 'interface', name: 'wan6', options: [['device', ROUTER_PORTS.wan], ['proto', 'dhcpv6']] } satisfies UciSection] : []),
    { type: 'interface', name: 'peering', options: [['device', ROUTER_PORTS.peering], ['proto', 'static'], ['ipaddr', r.peeringAddress], ['netmask', netmask(m.routers.peeringPrefix)], ...ip6addr(m, r.peeringAddress6, m.routers.peering6)] },
  ];
  extraZonesOf(m, dc).forEach((z, i) => {
    const prefix = ip.cidr(z.subnet).prefix;
    sections.push({ type: 'interface', name: z.name, options: [['device', extraZonePort(i)], ['proto', 'static'], ['ipaddr', z.routerAddress], ['netmask', netmask(prefix)]] });
  });
  return uci(sections);
}
