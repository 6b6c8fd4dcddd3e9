// Physical port names on a router, in NIC order. The VM lab attaches QEMU NICs in this order and the
// twin names its veths the same, so both runtimes can take the device names from the rendered UCI.
import type { DatacentreModel, LabModel } from '../topology/model.ts';

export const ROUTER_PORTS = { lan: 'eth0', wan: 'eth1', peering: 'eth2' } as const;
export const LAN_BRIDGE = 'br-lan';

/** Extra firewall zones get the ports after the reference's three. */
export function extraZonePort(index: number): string {
  return `eth${3 + index}`;
}

export function extraZonesOf(m: LabModel, dc: DatacentreModel) {
  return m.extraZones.filter((z) => z.dc === dc.name);
}

/**
 * A locally administered MAC, stable per machine, for static DHCP leases and QEMU NICs. `group` sets
 * the fourth octet apart: a datacentre's second, third and fourth routers (1-3) number their ports as
 * the first does.
 */
export function macFor(dcIndex: number, hostIndex: number, group = 0): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return ['52', '54', '00', hex(0x10 + group), hex(dcIndex & 255), hex(hostIndex & 255)].join(':');
}
