// The echo services every runtime starts (what a client's source address looked like to a server),
// shared by the twin and the VM lab's emulated internet and LAN hosts.

/**
 * socat's listening address for an echo service: IPv4, or (dual-stack) one IPv6 socket that takes
 * IPv4 clients too (ipv6only=0; they show as ::ffff:a.b.c.d, which parseWhoAmI reads as IPv4).
 */
export function listenAddress(port: number, dual: boolean): string {
  return dual ? `TCP6-LISTEN:${port},fork,reuseaddr,ipv6only=0` : `TCP-LISTEN:${port},fork,reuseaddr`;
}
