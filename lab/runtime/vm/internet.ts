// The VM lab's emulated internet, as in the twin: a namespace nrl-<id>-internet holding the
// internet's gateway on the routers' WAN segment (DHCP for the routers' `proto dhcp` WAN, DNS), the
// internet echo host (assertion 7, same address as the twin's), routes back to the lab's prefixes
// (the wan->lan knock of assertion 9), and NAT out through the user-mode uplink (uplink.ts). The
// routers' WAN taps sit on the `wan` bridge of the vm namespace; a veth joins it to this namespace.
// Nothing here touches the host's root namespace: every command runs in a lab namespace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ip from '../../topology/cidr.ts';
import * as ip6 from '../../topology/cidr6.ts';
import { isDualStack, type LabModel } from '../../topology/model.ts';
import { macFor } from '../../render/ports.ts';
import { must, run, until } from '../exec.ts';
import { nsName } from '../names.ts';
import { addNamespace, inNs, ipBatch, startDaemon } from '../netns.ts';
import { listenAddress } from '../echo.ts';
import { SLIRP, startUplink, UPLINK_TAP } from './uplink.ts';

export const WAN_BRIDGE = 'wan';

export interface InternetPlan {
  ns: string;
  /** veth end in the vm namespace, a port of WAN_BRIDGE. */
  port: string;
  gateway: string;
  /** The WAN network's own address and prefix (dnsmasq's static range). */
  network: string;
  prefix: number;
  /** The echo host's address, on the namespace's loopback. */
  server: string;
  /** Routes to the lab's LANs and pod CIDRs via each router's WAN address. */
  routes: string[];
  /** DHCP: each router's WAN MAC gets its WAN address (dual-stack: its IPv6 one too, over DHCPv6). */
  leases: { mac: string; address: string; name: string; address6?: string }[];
  /** Dual-stack: the WAN's IPv6 side, the echo host's IPv6 address and routes to the lab's IPv6 prefixes. */
  six?: { gateway: string; network: string; prefix: number; server: string; routes: string[] };
}

/** A router's WAN NIC (eth1) MAC: the same scheme as its other ports (render/ports.ts). */
export function wanMac(dcIndex: number, routerIndex = 0): string {
  return macFor(dcIndex, 2, routerIndex);
}

export function internetPlan(m: LabModel, runId: string): InternetPlan {
  return {
    ns: nsName(runId, 'internet'), port: 'inet', gateway: m.internet.gateway, network: ip.formatIp(ip.cidr(m.internet.wan).network),
    prefix: m.internet.wanPrefix, server: m.internet.server,
    routes: m.datacentres.flatMap((dc) => [`${dc.lan} via ${dc.routers[0]!.wanAddress}`, ...dc.nodes.map((n) => `${n.podCIDR} via ${dc.routers[0]!.wanAddress}`)]),
    // Every router has a WAN lease; with several, the first one's WAN stands for the datacentre (as in the twin).
    leases: m.datacentres.flatMap((dc) => dc.routers.map((r) => ({ mac: wanMac(dc.index, r.index), address: r.wanAddress, name: r.name, ...(r.wanAddress6 ? { address6: r.wanAddress6 } : {}) }))),
    ...(isDualStack(m) ? { six: internet6(m) } : {}),
  };
}

/** The internet's IPv6 half, as the twin's: an upstream that routes the lab's prefixes to each router's WAN. */
function internet6(m: LabModel): NonNullable<InternetPlan['six']> {
  const wan6 = ip6.cidr6(m.internet.wan6!);
  return {
    gateway: m.internet.gateway6!, network: ip6.formatIp6(wan6.network), prefix: wan6.prefix, server: m.internet.server6!,
    routes: m.datacentres.flatMap((dc) => [`${dc.lan6!} via ${dc.routers[0]!.wanAddress6!}`, ...dc.nodes.map((n) => `${n.podCIDR6!} via ${dc.routers[0]!.wanAddress6!}`)]),
  };
}

/** `ip -batch` lines inside the internet namespace once its veth is there. Pure. */
export function internetBatch(p: InternetPlan): string[] {
  const six = p.six ? [`addr add ${p.six.gateway}/${p.six.prefix} dev eth0 nodad`, `addr add ${p.six.server}/128 dev lo`] : [];
  return [`addr add ${p.gateway}/${p.prefix} dev eth0`, ...six, 'link set eth0 up', `addr add ${p.server}/32 dev lo`, ...p.routes.map((r) => `route add ${r}`),
    ...(p.six?.routes ?? []).map((r) => `route add ${r}`)];
}

/**
 * nftables of the internet namespace: masquerade out of the uplink, and no way from the lab to the
 * host's own networks. Through slirp a connection to any address becomes a socket of the host, so
 * a packet to a private range (or to one of the host's own addresses) would reach the host or its
 * LAN: dropped. Only the tests open the host's loopback (slirp's 10.0.2.2), and only with
 * hostLoopback. Pure.
 */
export function internetRuleset(hostAddresses: string[], hostLoopback: boolean): string {
  const blocked = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', ...hostAddresses];
  return [
    'table ip nrl_uplink {',
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    ...(hostLoopback ? [`    oifname "${UPLINK_TAP}" ip daddr ${SLIRP.host} accept`] : []),
    `    oifname "${UPLINK_TAP}" ip daddr { ${blocked.join(', ')} } counter drop`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    oifname "${UPLINK_TAP}" masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** dnsmasq of the internet: the routers' WAN leases (static, by MAC) and DNS forwarded to slirp's resolver. Pure. */
export function internetDnsmasqArgv(p: InternetPlan, files: { pidFile: string; leaseFile: string }): string[] {
  return ['dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--log-facility=-', '--user=root',
    `--pid-file=${files.pidFile}`, `--dhcp-leasefile=${files.leaseFile}`, '--interface=eth0', '--bind-interfaces', `--server=${SLIRP.dns}`,
    '--dhcp-authoritative', `--dhcp-range=${p.network},static,${ip.formatIp(ip.mask(p.prefix))},1h`,
    `--dhcp-option=option:router,${p.gateway}`, `--dhcp-option=option:dns-server,${p.gateway}`,
    ...(p.six ? dhcp6(p.six) : []),
    // One line per router: dnsmasq takes an IPv6 address in brackets beside the IPv4 one, and for a
    // directly attached DHCPv6 client it knows the MAC (dnsmasq(8), --dhcp-host).
    ...p.leases.map((l) => `--dhcp-host=${l.mac},${l.address},${l.address6 ? `[${l.address6}],` : ''}${l.name}`)];
}

/**
 * The routers' `wan6` (proto dhcpv6, OpenWRT's odhcp6c): DHCPv6 hands each its static address and
 * router advertisements (managed flag: "get your address by DHCPv6") give it the default route, as
 * an upstream's would. dnsmasq(8): a static dhcp-range for IPv6 serves only --dhcp-host addresses,
 * --enable-ra advertises the ranges' prefixes.
 */
function dhcp6(six: NonNullable<InternetPlan['six']>): string[] {
  return [`--dhcp-range=${six.network},static,${six.prefix},1h`, '--enable-ra'];
}

/** The host's own global IPv4 addresses (read-only look at the root namespace), to keep the lab off them. */
export async function hostAddresses(): Promise<string[]> {
  const r = await run(['ip', '-j', '-4', 'addr', 'show', 'scope', 'global'], { timeoutMs: 5000 });
  try {
    const rows = JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string }[] }[];
    return [...new Set(rows.flatMap((x) => (x.addr_info ?? []).map((a) => a.local ?? '')).filter(Boolean))];
  } catch {
    return [];
  }
}

export interface InternetRuntime {
  uplinkPid: number;
}

/**
 * Creates the internet namespace behind the vm namespace's WAN bridge, its routes, NAT and
 * filter, then the uplink. Services (dnsmasq, echo) are started by startInternetServices.
 */
export async function applyInternet(vmNs: string, p: InternetPlan, opts: { logDir: string; hostLoopback?: boolean; deadlineMs?: number }): Promise<InternetRuntime> {
  await addNamespace(p.ns);
  await ipBatch(p.ns, ['link set lo up', `link add eth0 type veth peer name ${p.port} netns ${vmNs}`]);
  await ipBatch(vmNs, [`link set ${p.port} master ${WAN_BRIDGE}`, `link set ${p.port} up`]);
  await ipBatch(p.ns, internetBatch(p));
  await must(inNs(p.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']));
  const rules = join(opts.logDir, 'internet.nft');
  writeFileSync(rules, internetRuleset(await hostAddresses(), opts.hostLoopback === true));
  await must(inNs(p.ns, ['nft', '-f', rules]));
  const uplinkPid = startUplink(p.ns, join(opts.logDir, 'uplink.log'), { hostLoopback: opts.hostLoopback === true });
  // slirp4netns --configure addresses the tap and sets the default route once it is attached.
  await until(async () => ((await run(['ip', '-n', p.ns, 'route', 'show', 'default'], { timeoutMs: 3000 })).stdout.includes(`via ${SLIRP.host} dev ${UPLINK_TAP}`) ? true : undefined),
    opts.deadlineMs ?? 10_000, () => `the uplink (slirp4netns) never configured ${UPLINK_TAP} in ${p.ns}; see ${join(opts.logDir, 'uplink.log')}`, 50);
  return { uplinkPid };
}

/** dnsmasq for the routers' WAN, and the echo and counting services of the internet host. */
export function startInternetServices(p: InternetPlan, dirs: { logDir: string; runDir: string }, services: { whoamiPort: number; discardPort: number }): void {
  startDaemon(p.ns, internetDnsmasqArgv(p, { pidFile: join(dirs.runDir, 'internet-dnsmasq.pid'), leaseFile: join(dirs.runDir, 'internet.leases') }), join(dirs.logDir, 'dnsmasq-internet.log'));
  // Dual-stack: one socket per service takes both families.
  startDaemon(p.ns, ['socat', listenAddress(services.whoamiPort, p.six !== undefined), 'SYSTEM:echo $SOCAT_PEERADDR'], join(dirs.logDir, 'whoami-internet.log'));
  startDaemon(p.ns, ['socat', listenAddress(services.discardPort, p.six !== undefined), 'SYSTEM:wc -c'], join(dirs.logDir, 'discard-internet.log'));
}
