// /etc/config/network for one router: lan bridge, DHCP wan, static peering, and any extra zone.
import * as ip from '../topology/cidr.ts';
import type { DatacentreModel, LabModel } from '../topology/model.ts';
import { LAN_BRIDGE, ROUTER_PORTS, extraZonePort, extraZonesOf } from './ports.ts';
import { netmask, uci, type UciSection } from './uci.ts';

export function renderNetwork(m: LabModel, dc: DatacentreModel): string {
  const sections: UciSection[] = [
    { type: 'interface', name: 'loopback', options: [['device', 'lo'], ['proto', 'static'], ['ipaddr', '127.0.0.1'], ['netmask', '255.0.0.0']] },
    { type: 'device', options: [['name', LAN_BRIDGE], ['type', 'bridge'], ['ports', [ROUTER_PORTS.lan]]] },
    { type: 'interface', name: 'lan', options: [['device', LAN_BRIDGE], ['proto', 'static'], ['ipaddr', dc.router.address], ['netmask', netmask(dc.lanPrefix)]] },
    // The WAN takes its address from upstream (QEMU user networking in the VM lab; the twin's emulated internet).
    { type: 'interface', name: 'wan', options: [['device', ROUTER_PORTS.wan], ['proto', 'dhcp']] },
    { type: 'interface', name: 'peering', options: [['device', ROUTER_PORTS.peering], ['proto', 'static'], ['ipaddr', dc.router.peeringAddress], ['netmask', netmask(m.routers.peeringPrefix)]] },
  ];
  extraZonesOf(m, dc).forEach((z, i) => {
    const prefix = ip.cidr(z.subnet).prefix;
    sections.push({ type: 'interface', name: z.name, options: [['device', extraZonePort(i)], ['proto', 'static'], ['ipaddr', z.routerAddress], ['netmask', netmask(prefix)]] });
  });
  return uci(sections);
}
