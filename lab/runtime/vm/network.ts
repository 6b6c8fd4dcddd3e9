// The VM lab's wiring. Everything lives in namespaces named nrl-<run id>-...:
//   nrl-<id>-vm     one bridge per LAN (lanN) and one for peering (peer), the VMs' tap devices,
//                   and the QEMU processes themselves (started with `ip netns exec`);
//   nrl-<id>-ctl    the orchestrator's side: a veth into the first LAN bridge, from where talosctl,
//                   kubectl, helm and ssh reach the Talos, Kubernetes and router APIs;
//   nrl-<id>-<lan host>  a LAN host per datacentre (veth into its LAN bridge), like the twin's;
//   nrl-<id>-internet    the emulated internet (internet.ts): a veth into the vm namespace's `wan`
//                   bridge, where the routers' WAN taps are; its uplink is slirp4netns (uplink.ts).
// Nothing is created in the host's root namespace. The plan is pure; applyVmNetwork runs it.
import * as ip from '../../topology/cidr.ts';
import * as ip6 from '../../topology/cidr6.ts';
import { allNodes, type LabModel } from '../../topology/model.ts';
import { extraZonesOf, macFor } from '../../render/ports.ts';
import { must } from '../exec.ts';
import { nsName } from '../names.ts';
import { addNamespace, ipBatch } from '../netns.ts';
import { applyInternet, internetPlan, WAN_BRIDGE, wanMac, type InternetPlan, type InternetRuntime } from './internet.ts';

export interface TapPlan {
  name: string;
  bridge: string;
}

export interface VmNicPlan {
  /** Every NIC is a tap on a bridge of the vm namespace (the WAN too: no QEMU user networking). */
  tap: string;
  mac: string;
}

export interface VmMachinePlan {
  name: string;
  kind: 'router' | 'node';
  dc: string;
  address: string;
  nics: VmNicPlan[];
}

export interface HostNsPlan {
  ns: string;
  name: string;
  dc: string;
  address: string;
  prefix: number;
  gateway: string;
  bridge: string;
  /** veth end inside the vm namespace. */
  port: string;
  /** Dual-stack: its IPv6 address, prefix and gateway (the router's LAN address). */
  six?: { address: string; prefix: number; gateway: string };
}

export interface VmNetworkPlan {
  vmNs: string;
  ctlNs: string;
  bridges: string[];
  taps: TapPlan[];
  machines: VmMachinePlan[];
  hosts: HostNsPlan[];
  /** The orchestrator's address on the first LAN, and its routes to the rest of the lab. */
  ctl: HostNsPlan & { routes: string[] };
  /** The emulated internet behind the routers' WANs. */
  internet: InternetPlan;
  /** Capture points: the host side of each segment. */
  segments: Record<string, { ns: string; dev: string }>;
}

export function lanBridge(dcIndex: number): string {
  return `lan${dcIndex}`;
}

export const PEERING_BRIDGE = 'peer';

/** MACs: a router's ports are hosts 1-3 (4+ extra zones) in its own group, nodes 10 + j (as the DHCP leases render). */
export function vmNetworkPlan(m: LabModel, runId: string): VmNetworkPlan {
  const vmNs = nsName(runId, 'vm');
  const bridges = [...m.datacentres.map((d) => lanBridge(d.index)), PEERING_BRIDGE, WAN_BRIDGE];
  const taps: TapPlan[] = [];
  const machines: VmMachinePlan[] = [];
  const hosts: HostNsPlan[] = [];
  let vmIndex = 0;
  const tap = (bridge: string, nic: number): string => {
    const name = `t${vmIndex}n${nic}`;
    taps.push({ name, bridge });
    return name;
  };
  for (const dc of m.datacentres) {
    // NIC order is the router's port order (eth0 lan, eth1 wan, eth2 peering, eth3+ extra zones);
    // the extra zones exist only on a datacentre of one router (rules refuse them with several).
    const extra = extraZonesOf(m, dc);
    for (const z of extra) bridges.push(`z${dc.index}${z.name}`.slice(0, 15));
    for (const r of dc.routers) {
      const nics: VmNicPlan[] = [
        { tap: tap(lanBridge(dc.index), 0), mac: macFor(dc.index, 1, r.index) },
        { tap: tap(WAN_BRIDGE, 1), mac: wanMac(dc.index, r.index) }, // WAN: DHCP from the emulated internet
        { tap: tap(PEERING_BRIDGE, 2), mac: macFor(dc.index, 3, r.index) },
        ...extra.map((z, i) => ({ tap: tap(`z${dc.index}${z.name}`.slice(0, 15), 3 + i), mac: macFor(dc.index, 4 + i) })),
      ];
      machines.push({ name: r.name, kind: 'router', dc: dc.name, address: r.address, nics });
      vmIndex++;
    }
    dc.nodes.forEach((n, j) => {
      machines.push({ name: n.name, kind: 'node', dc: dc.name, address: n.address, nics: [{ tap: tap(lanBridge(dc.index), 0), mac: macFor(dc.index, 10 + j) }] });
      vmIndex++;
    });
    // The LAN host's gateway is the nodes' one: the router, or the VRRP address of several.
    hosts.push({
      ns: nsName(runId, dc.lanHost.name), name: dc.lanHost.name, dc: dc.name, address: dc.lanHost.address, prefix: dc.lanPrefix,
      gateway: dc.gateway, bridge: lanBridge(dc.index), port: `h${dc.index}`,
      ...(dc.lanHost.address6 && dc.lan6 && dc.gateway6 ? { six: { address: dc.lanHost.address6, prefix: ip6.cidr6(dc.lan6).prefix, gateway: dc.gateway6 } } : {}),
    });
  }
  const first = m.datacentres[0]!;
  const lan = ip.cidr(first.lan);
  const used = new Set([first.gateway, ...first.routers.map((r) => r.address), first.lanHost.address, ...allNodes(m).map((n) => n.address)]);
  let ctlAddress = '';
  for (let i = ip.size(lan) - 2; i > 1; i--) {
    const a = ip.formatIp(ip.host(lan, i) ?? 0);
    if (!used.has(a)) {
      ctlAddress = a;
      break;
    }
  }
  const ctl = {
    ns: nsName(runId, 'ctl'), name: 'orchestrator', dc: first.name, address: ctlAddress, prefix: first.lanPrefix,
    gateway: first.gateway, bridge: lanBridge(first.index), port: 'ctl',
    routes: m.datacentres.slice(1).map((d) => `${d.lan} via ${first.gateway}`),
  };
  const segments: VmNetworkPlan['segments'] = { peering: { ns: vmNs, dev: PEERING_BRIDGE }, wan: { ns: vmNs, dev: WAN_BRIDGE } };
  for (const dc of m.datacentres) segments[`lan:${dc.name}`] = { ns: vmNs, dev: lanBridge(dc.index) };
  return { vmNs, ctlNs: ctl.ns, bridges, taps, machines, hosts, ctl, internet: internetPlan(m, runId), segments };
}

/** `ip -batch` lines of a switch namespace: bridges (no STP, no forward delay) and their taps. Pure. */
export function switchBatch(bridges: string[], taps: TapPlan[]): string[] {
  return [
    'link set lo up',
    ...bridges.flatMap((b) => [`link add ${b} type bridge stp_state 0 forward_delay 0`, `link set ${b} up`]),
    ...taps.flatMap((t) => [`tuntap add dev ${t.name} mode tap`, `link set ${t.name} master ${t.bridge}`, `link set ${t.name} up`]),
  ];
}

/** Creates the switch namespace with its bridges and taps (used by the VM lab and the tests). */
export async function createSwitch(ns: string, bridges: string[], taps: TapPlan[]): Promise<void> {
  await addNamespace(ns);
  await ipBatch(ns, switchBatch(bridges, taps));
}

/** A namespace with one veth into a bridge of the switch namespace, addressed, default route set. */
export async function attachHost(switchNs: string, h: HostNsPlan, routes: string[] = [`default via ${h.gateway}`]): Promise<void> {
  await addNamespace(h.ns);
  await ipBatch(h.ns, ['link set lo up', `link add eth0 type veth peer name ${h.port} netns ${switchNs}`]);
  await ipBatch(switchNs, [`link set ${h.port} master ${h.bridge}`, `link set ${h.port} up`]);
  await ipBatch(h.ns, hostBatch(h, routes));
}

/** A host namespace's addresses and routes, IPv6 too when it has some (nodad: no tentative second). Pure. */
export function hostBatch(h: HostNsPlan, routes: string[] = [`default via ${h.gateway}`]): string[] {
  return [
    `addr add ${h.address}/${h.prefix} dev eth0`,
    ...(h.six ? [`addr add ${h.six.address}/${h.six.prefix} dev eth0 nodad`] : []),
    'link set eth0 up',
    ...routes.map((r) => `route add ${r}`),
    ...(h.six ? [`route add ::/0 via ${h.six.gateway}`] : []),
  ];
}

/** Builds the whole wiring; hostLoopback opens slirp's 10.0.2.2 to the host's 127.0.0.1 (tests only). */
export async function applyVmNetwork(plan: VmNetworkPlan, opts: { logDir: string; hostLoopback?: boolean }): Promise<InternetRuntime> {
  await createSwitch(plan.vmNs, plan.bridges, plan.taps);
  // Only in the lab namespace: no bridge traffic goes through the host's netfilter.
  await must(['ip', 'netns', 'exec', plan.vmNs, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
  await attachHost(plan.vmNs, plan.ctl, plan.ctl.routes);
  for (const h of plan.hosts) await attachHost(plan.vmNs, h);
  return applyInternet(plan.vmNs, plan.internet, opts);
}
