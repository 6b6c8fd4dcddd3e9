// The IPv6 half of a dual-stack topology: every IPv6 prefix (given, or its default beside the IPv4
// one) and every address derived from it, as resolve.ts derives the IPv4 ones. Pure.
//
// Addresses mirror the IPv4 plan so a person reads one from the other: the host number n of an
// IPv4 address becomes the interface identifier written with the same digits (10.0.1.10 ->
// 2001:db8:10:1::10, router .1 -> ::1, LAN host .254 -> ::254).
import * as ip from './cidr.ts';
import * as ip6 from './cidr6.ts';
import type { LabModel } from './model.ts';
import type { Collector } from './resolve.ts';
import type { Topology } from './schema.ts';

/** Defaults of the IPv6 prefixes, each beside its IPv4 namesake (all in documentation space, RFC 3849). */
/** kube-controller-manager's clusterSubnetMaxDiff: node blocks at most this many bits smaller than the cluster range. */
export const NODE_BLOCK_MAX_DIFF = 16;

export const DEFAULT_V6 = {
  peering: '2001:db8:172:16::/64',
  podCIDR: '2001:db8:244::/48',
  nodeMaskSize: 64,
  lan: (dc: number) => `2001:db8:10:${dc.toString(16)}::/64`,
  pool: '2001:db8:250::/120',
  wan: '2001:db8:203:113::/64',
  hosts: '2001:db8:198:51::/64',
} as const;

/** The interface identifier written with the IPv4 host number's digits: 10 -> ::10. */
export function mirrorHost(n: number): number {
  return Number.parseInt(String(n), 16);
}

class Address6 {
  constructor(private readonly c: Collector) {}

  cidr(field: string, text: string): ip6.Cidr6 | undefined {
    const parsed = ip6.parseCidr6(text);
    if ('error' in parsed) {
      this.c.add(field, parsed.error, 'write the IPv6 network with its prefix length, e.g. 2001:db8:10::/64');
      return undefined;
    }
    return parsed;
  }

  /** A given address inside `within`, or its host number mirrored from the IPv4 plan. */
  address(field: string, text: string | undefined, within: ip6.Cidr6, v4Host: number): string | undefined {
    if (text === undefined) {
      const h = ip6.host6(within, mirrorHost(v4Host));
      if (h === undefined) {
        this.c.add(field, `${ip6.formatCidr6(within)} has no address ::${v4Host}`, 'use a larger network or set the address explicitly');
        return undefined;
      }
      return ip6.formatIp6(h);
    }
    const addr = ip6.parseIp6(text);
    if (addr === undefined) {
      this.c.add(field, `"${text}" is not an IPv6 address`, 'write it as e.g. 2001:db8:10::10');
      return undefined;
    }
    if (!ip6.contains6(within, addr) || addr === within.network) {
      this.c.add(field, `${text} is not a usable address of ${ip6.formatCidr6(within)}`, `pick an address inside ${ip6.formatCidr6(within)}`);
      return undefined;
    }
    return ip6.formatIp6(addr);
  }
}

/** The IPv4 host number of an address inside its network (10.0.1.10 in 10.0.1.0/24: 10). */
function hostNumber(address: string, network: string): number {
  return (ip.parseIp(address) ?? 0) - ip.cidr(network).network;
}

/** Keys that make sense only in a dual-stack lab, for the refusal of an IPv4 one that sets them. */
function v6KeysSet(t: Topology): string[] {
  const keys: string[] = [];
  if (t.routers.peering6 !== undefined) keys.push('routers.peering6');
  if (t.cluster.podCIDR6 !== undefined) keys.push('cluster.podCIDR6');
  if (t.cluster.nodeMaskSize6 !== undefined) keys.push('cluster.nodeMaskSize6');
  if (t.bgp?.sessions !== undefined) keys.push('bgp.sessions');
  if (t.internet?.wan6 !== undefined) keys.push('internet.wan6');
  if (t.internet?.hosts6 !== undefined) keys.push('internet.hosts6');
  if (t.loadBalancer?.pool6 !== undefined) keys.push('loadBalancer.pool6');
  (t.services ?? []).forEach((s, i) => { if (s.address6 !== undefined) keys.push(`services[${i}].address6`); });
  t.datacentres.forEach((d, i) => {
    if (d.lan6 !== undefined) keys.push(`datacentres[${i}].lan6`);
    if (d.router?.address6 !== undefined) keys.push(`datacentres[${i}].router.address6`);
    if (d.router?.peeringAddress6 !== undefined) keys.push(`datacentres[${i}].router.peeringAddress6`);
    d.nodes.forEach((n, j) => {
      if (n.address6 !== undefined) keys.push(`datacentres[${i}].nodes[${j}].address6`);
      if (n.podCIDR6 !== undefined) keys.push(`datacentres[${i}].nodes[${j}].podCIDR6`);
    });
  });
  return keys;
}

/** Adds the IPv6 half to a model resolved for IPv4 (in place), or refuses IPv6 keys in an IPv4 lab. */
export function resolveIpv6(t: Topology, m: LabModel, c: Collector): void {
  if (m.cluster.family !== 'dual') {
    for (const key of v6KeysSet(t)) c.add(key, 'is an IPv6 setting, and cluster.family is ipv4', `set cluster.family: dual, or remove ${key}`);
    return;
  }
  const a = new Address6(c);
  const peering = a.cidr('routers.peering6', t.routers.peering6 ?? DEFAULT_V6.peering);
  const pods = a.cidr('cluster.podCIDR6', t.cluster.podCIDR6 ?? DEFAULT_V6.podCIDR);
  const wan = a.cidr('internet.wan6', t.internet?.wan6 ?? DEFAULT_V6.wan);
  const hosts = a.cidr('internet.hosts6', t.internet?.hosts6 ?? DEFAULT_V6.hosts);
  const maskSize = t.cluster.nodeMaskSize6 ?? DEFAULT_V6.nodeMaskSize;
  for (const [field, net] of [['internet.wan6', wan], ['internet.hosts6', hosts]] as const) {
    if (net && !ip6.containsCidr6(ip6.DOCUMENTATION6, net)) {
      c.add(field, `${ip6.formatCidr6(net)} is outside the documentation prefix 2001:db8::/32`, 'the emulated internet uses documentation space only: pick a prefix inside 2001:db8::/32');
    }
  }
  if (pods && maskSize < pods.prefix) c.add('cluster.nodeMaskSize6', `/${maskSize} is larger than cluster.podCIDR6 ${ip6.formatCidr6(pods)}`, `use a value of at least ${pods.prefix}`);
  const tooWide = pods !== undefined && maskSize - pods.prefix > NODE_BLOCK_MAX_DIFF;
  if (tooWide) {
    c.add('cluster.nodeMaskSize6', `/${maskSize} blocks from cluster.podCIDR6 ${ip6.formatCidr6(pods)} are ${maskSize - pods.prefix} bits apart; kube-controller-manager allocates node blocks at most ${NODE_BLOCK_MAX_DIFF} bits smaller than the cluster range (clusterSubnetMaxDiff, pkg/controller/nodeipam/ipam/cidrset/cidr_set.go) and refuses to start`,
      `use a cluster.podCIDR6 of /${maskSize - NODE_BLOCK_MAX_DIFF} or wider (a /48 for /64 blocks), or a cluster.nodeMaskSize6 of at most ${pods.prefix + NODE_BLOCK_MAX_DIFF}`);
  }
  if (!peering || !pods || !wan || !hosts || maskSize < pods.prefix || tooWide) return;

  m.routers.peering6 = ip6.formatCidr6(peering);
  m.cluster.podCIDR6 = ip6.formatCidr6(pods);
  m.cluster.nodeMaskSize6 = maskSize;
  m.internet.wan6 = ip6.formatCidr6(wan);
  m.internet.hosts6 = ip6.formatCidr6(hosts);
  m.internet.gateway6 = ip6.formatIp6(ip6.host6(wan, 1)!);
  m.internet.server6 = ip6.formatIp6(ip6.host6(hosts, mirrorHost(10))!);

  // Node blocks in topology order, as for IPv4; blocks a node claims are skipped.
  const claimed = t.datacentres.flatMap((d) => d.nodes.flatMap((n) => {
    const b = n.podCIDR6 === undefined ? undefined : ip6.parseCidr6(n.podCIDR6);
    return b && !('error' in b) ? [b] : [];
  }));
  let block = 0;
  const nextBlock = (): ip6.Cidr6 | undefined => {
    for (;;) {
      const b = ip6.subnet6(pods, maskSize, block++);
      if (!b || !claimed.some((x) => ip6.overlaps6(x, b))) return b;
    }
  };
  m.datacentres.forEach((dc, i) => {
    const d = t.datacentres[i]!;
    const at = `datacentres[${i}]`;
    const lan = a.cidr(`${at}.lan6`, d.lan6 ?? DEFAULT_V6.lan(i));
    if (!lan) return;
    // The VM lab's router hands out each node's address6 by DHCPv6 from odhcpd, which serves LAN
    // prefixes up to /96 and replaces at most the last 64 bits of the router's address with the
    // node's hostid (odhcpd dhcpv6-ia.c in6_from_prefix_and_iid; lab/render/dhcpv6.ts).
    if (lan.prefix < 64 || lan.prefix > 96) {
      c.add(`${at}.lan6`, `${ip6.formatCidr6(lan)} is a /${lan.prefix}: OpenWRT's odhcpd serves DHCPv6 addresses on LANs from /64 to /96`,
        `give ${at}.lan6 a prefix length from /64 to /96 (a /64 is what an IPv6 LAN normally is)`);
      return;
    }
    dc.lan6 = ip6.formatCidr6(lan);
    // Every router's IPv6 addresses mirror its IPv4 host numbers, as the gateway's does.
    const one = dc.routers.length === 1;
    for (const router of dc.routers) {
      const address6 = a.address(`${at}.router.address6`, one ? d.router?.address6 : undefined, lan, hostNumber(router.address, dc.lan));
      const peeringAddress6 = a.address(`${at}.router.peeringAddress6`, one ? d.router?.peeringAddress6 : undefined, peering, hostNumber(router.peeringAddress, m.routers.peering));
      const wanAddress6 = a.address('internet.wan6', undefined, wan, hostNumber(router.wanAddress, m.internet.wan));
      if (address6) router.address6 = address6;
      if (peeringAddress6) router.peeringAddress6 = peeringAddress6;
      if (wanAddress6) router.wanAddress6 = wanAddress6;
    }
    dc.gateway6 = one ? dc.routers[0]!.address6 : a.address(`${at}.lan6`, undefined, lan, hostNumber(dc.gateway, dc.lan));
    const lanHost = a.address(`${at}.lan6`, undefined, lan, hostNumber(dc.lanHost.address, dc.lan));
    if (lanHost) dc.lanHost.address6 = lanHost;
    dc.nodes.forEach((n, j) => {
      const spec = d.nodes[j]!;
      const node6 = a.address(`${at}.nodes[${j}].address6`, spec.address6, lan, hostNumber(n.address, dc.lan));
      if (node6) n.address6 = node6;
      if (spec.podCIDR6 !== undefined) {
        const given = a.cidr(`${at}.nodes[${j}].podCIDR6`, spec.podCIDR6);
        if (given && (!ip6.containsCidr6(pods, given) || given.prefix !== maskSize)) {
          c.add(`${at}.nodes[${j}].podCIDR6`, `${spec.podCIDR6} is not a /${maskSize} block of cluster.podCIDR6 ${m.cluster.podCIDR6}`, `use a /${maskSize} inside ${m.cluster.podCIDR6}, or drop podCIDR6 to have one assigned`);
        } else if (given) n.podCIDR6 = ip6.formatCidr6(given);
        return;
      }
      const b = nextBlock();
      if (!b) c.add(`${at}.nodes[${j}].podCIDR6`, `cluster.podCIDR6 ${m.cluster.podCIDR6} has no free /${maskSize} block left for ${n.name}`, 'widen cluster.podCIDR6 or raise cluster.nodeMaskSize6');
      else n.podCIDR6 = ip6.formatCidr6(b);
    });
  });

  if (m.loadBalancer) {
    const pool = a.cidr('loadBalancer.pool6', t.loadBalancer?.pool6 ?? DEFAULT_V6.pool);
    if (!pool) return;
    m.loadBalancer.pool6 = ip6.formatCidr6(pool);
    const claimedAddresses = new Set((t.services ?? []).flatMap((s) => (s.address6 ? [ip6.formatIp6(ip6.parseIp6(s.address6) ?? 0n)] : [])));
    let next = 1;
    m.services.forEach((s, i) => {
      const spec = t.services![i]!;
      if (spec.address6 !== undefined) {
        const given = a.address(`services[${i}].address6`, spec.address6, pool, 0);
        if (given) s.address6 = given;
        return;
      }
      for (;;) {
        const h = ip6.host6(pool, next++);
        if (h === undefined) {
          c.add(`services[${i}].address6`, `loadBalancer.pool6 ${m.loadBalancer!.pool6} has no free address left for ${s.name}`, 'widen loadBalancer.pool6 or give fewer services an address');
          return;
        }
        const text = ip6.formatIp6(h);
        if (!claimedAddresses.has(text)) {
          s.address6 = text;
          claimedAddresses.add(text);
          return;
        }
      }
    });
  }
}
