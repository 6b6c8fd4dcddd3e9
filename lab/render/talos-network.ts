// Dual-stack only: the Talos side of the nodes' IPv6 addressing (dhcpv6.ts has the router's side).
// DHCPv4 and DHCPv6 on the node's LAN link, picked by the lab's MAC prefix so no interface name is
// assumed; the IPv6 default route comes from the router's Router Advertisements (the kernel's).
// Checked by Talos's own config library in test/unit/talos-library.test.ts.
import { macFor } from './ports.ts';
import { SHARED_DUID } from './dhcpv6.ts';

/** Every lab node's NIC has a MAC with this prefix (ports.ts macFor), routers' NICs are on other machines. */
export const NODE_MAC_GLOB = `${macFor(0, 0).split(':').slice(0, 4).join(':')}:*`;

/** Talos 1.14's alias for the LAN link, the name its DHCP documents use. */
export const LAN_LINK_ALIAS = 'lan';

/**
 * v1alpha1 (Talos 1.5 … 1.13): machine.network.interfaces with a deviceSelector (hardwareAddr matched as
 * a glob, internal/app/machined/pkg/controllers/network/device_config.go selectDevices). A configured
 * device gets no default DHCPv4 (operator_config.go: only unconfigured physical links do), so DHCPv4 is
 * asked for beside DHCPv6; duidv6 becomes the client's DUID (operator_config.go DHCP6OperatorSpec.DUID).
 */
export function v1alpha1Interfaces(): unknown[] {
  return [{
    deviceSelector: { hardwareAddr: NODE_MAC_GLOB },
    dhcp: true,
    dhcpOptions: { ipv4: true, ipv6: true, duidv6: SHARED_DUID },
  }];
}

/**
 * Talos 1.14: a LinkAliasConfig names the link by a CEL selector (types/network/link_alias.go, its
 * example's form), DHCPv4Config and DHCPv6Config run on it (names resolved through aliases,
 * operator_config.go). Any DHCP document turns Talos's default DHCPv4 off (container.go
 * RunDefaultDHCPOperators), hence DHCPv4Config too. DHCPv6Config's clientIdentifier defaults to mac
 * (types/network/dhcp6.go), a DUID-LL the router matches by MAC.
 */
export function multiDocNetwork(): unknown[] {
  return [
    { apiVersion: 'v1alpha1', kind: 'LinkAliasConfig', name: LAN_LINK_ALIAS, selector: { match: `glob("${NODE_MAC_GLOB}", mac(link.permanent_addr))` } },
    { apiVersion: 'v1alpha1', kind: 'DHCPv4Config', name: LAN_LINK_ALIAS },
    { apiVersion: 'v1alpha1', kind: 'DHCPv6Config', name: LAN_LINK_ALIAS },
  ];
}
