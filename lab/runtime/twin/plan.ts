// The twin's wiring as data: namespaces, veth pairs and the `ip -batch` lines that address them.
// Pure, so the layout is testable without root. Routers take their addresses and device names
// from the rendered /etc/config/network, as OpenWRT would.
import * as ip from '../../topology/cidr.ts';
import type { LabModel } from '../../topology/model.ts';
import { podOf, type PodPlan } from '../../topology/pods.ts';
import { LAN_BRIDGE, ROUTER_PORTS, extraZonePort, extraZonesOf } from '../../render/ports.ts';
import { option, parseUci } from '../../render/uci.ts';
import type { Machine } from '../lab.ts';
import { nsName } from '../names.ts';

export interface NsPlan {
  ns: string;
  machine: Machine | undefined; // undefined for switches
  /** `ip -batch` lines, run once every veth exists. */
  batch: string[];
  forwarding: boolean;
}

export interface VethPlan {
  ns: string;
  name: string;
  peerNs: string;
  peerName: string;
}

export interface TwinPlan {
  runId: string;
  namespaces: NsPlan[];
  veths: VethPlan[];
  pods: PodPlan[];
  /** Where a capture of a named segment listens: the bridge of its switch namespace. */
  segments: Record<string, { ns: string; dev: string }>;
}

interface RouterIface {
  device: string;
  address: string;
  prefix: number;
}

/** Static interfaces of the rendered UCI network file (the WAN is DHCP there; the twin plays upstream). */
export function routerInterfaces(networkText: string): Record<string, RouterIface> {
  const out: Record<string, RouterIface> = {};
  for (const s of parseUci(networkText)) {
    if (s.type !== 'interface' || !s.name || option(s, 'proto') !== 'static' || s.name === 'loopback') continue;
    const mask = ip.parseIp(option(s, 'netmask') ?? '') ?? 0;
    out[s.name] = { device: option(s, 'device') ?? '', address: option(s, 'ipaddr') ?? '', prefix: mask.toString(2).replace(/0+$/, '').length };
  }
  return out;
}

export function twinPlan(m: LabModel, runId: string, networkFiles: Record<string, string>): TwinPlan {
  const ns = (machine: string) => nsName(runId, machine);
  const namespaces: NsPlan[] = [];
  const veths: VethPlan[] = [];
  const pods: PodPlan[] = [];
  const segments: TwinPlan['segments'] = {};
  const sw = (name: string) => {
    const plan: NsPlan = { ns: ns(`sw-${name}`), machine: undefined, batch: ['link add br0 type bridge', 'link set br0 up'], forwarding: false };
    namespaces.push(plan);
    segments[name] = { ns: plan.ns, dev: 'br0' };
    return plan;
  };
  /** Plugs `dev` of a machine namespace into a switch as port pN. */
  const plug = (s: NsPlan, machineNs: string, dev: string) => {
    const port = `p${s.batch.filter((l) => l.endsWith(' master br0')).length}`;
    veths.push({ ns: machineNs, name: dev, peerNs: s.ns, peerName: port });
    s.batch.push(`link set ${port} master br0`, `link set ${port} up`);
  };

  const internet: NsPlan = {
    ns: ns('internet'),
    machine: { name: 'internet', kind: 'internet', address: m.internet.server },
    batch: ['link add br0 type bridge', `addr add ${m.internet.gateway}/${m.internet.wanPrefix} dev br0`, 'link set br0 up',
      `addr add ${m.internet.server}/32 dev lo`],
    forwarding: true,
  };
  namespaces.push(internet);
  const peering = sw('peering');

  for (const dc of m.datacentres) {
    const lan = sw(`lan-${dc.name}`);
    const ifs = routerInterfaces(networkFiles[dc.name] ?? '');
    const lanIf = ifs['lan'];
    const peerIf = ifs['peering'];
    if (!lanIf || !peerIf) throw new Error(`router ${dc.router.name}: the rendered network file has no static lan or peering interface`);
    const router: NsPlan = {
      ns: ns(dc.router.name),
      machine: { name: dc.router.name, kind: 'router', dc: dc.name, address: dc.router.address },
      batch: [
        `link add ${LAN_BRIDGE} type bridge`, `link set ${ROUTER_PORTS.lan} master ${LAN_BRIDGE}`, `link set ${ROUTER_PORTS.lan} up`,
        `addr add ${lanIf.address}/${lanIf.prefix} dev ${lanIf.device}`, `link set ${lanIf.device} up`,
        `addr add ${peerIf.address}/${peerIf.prefix} dev ${peerIf.device}`, `link set ${peerIf.device} up`,
        `addr add ${dc.router.wanAddress}/${m.internet.wanPrefix} dev ${ROUTER_PORTS.wan}`, `link set ${ROUTER_PORTS.wan} up`,
        `route add default via ${m.internet.gateway}`,
      ],
      forwarding: true,
    };
    namespaces.push(router);
    plug(lan, router.ns, ROUTER_PORTS.lan);
    plug(peering, router.ns, ROUTER_PORTS.peering);
    veths.push({ ns: router.ns, name: ROUTER_PORTS.wan, peerNs: internet.ns, peerName: `w${dc.index}` });
    internet.batch.push(`link set w${dc.index} master br0`, `link set w${dc.index} up`);

    // The internet knows the lab's prefixes, as an upstream told about them would: masqueraded
    // replies never need these routes, but a knock on the wan->lan door (assertion 9) can be made.
    internet.batch.push(`route add ${dc.lan} via ${dc.router.wanAddress}`, ...dc.nodes.map((n) => `route add ${n.podCIDR} via ${dc.router.wanAddress}`));
    extraZonesOf(m, dc).forEach((z, i) => {
      const zoneIf = ifs[z.name];
      if (!zoneIf) throw new Error(`router ${dc.router.name}: the rendered network file has no interface ${z.name}`);
      router.batch.push(`addr add ${zoneIf.address}/${zoneIf.prefix} dev ${zoneIf.device}`, `link set ${zoneIf.device} up`);
      const name = `${z.name}-${dc.name}`;
      const zoneHost: NsPlan = {
        ns: ns(name),
        machine: { name, kind: 'zonehost', dc: dc.name, address: z.hostAddress },
        batch: [`addr add ${z.hostAddress}/${zoneIf.prefix} dev eth0`, 'link set eth0 up', `route add default via ${z.routerAddress}`],
        forwarding: false,
      };
      namespaces.push(zoneHost);
      veths.push({ ns: router.ns, name: extraZonePort(i), peerNs: zoneHost.ns, peerName: 'eth0' });
    });

    const host = (name: string, address: string, kind: Machine['kind']): NsPlan => {
      const plan: NsPlan = {
        ns: ns(name),
        machine: { name, kind, dc: dc.name, address },
        batch: [`addr add ${address}/${dc.lanPrefix} dev eth0`, 'link set eth0 up', `route add default via ${dc.router.address}`],
        forwarding: kind === 'node',
      };
      namespaces.push(plan);
      plug(lan, plan.ns, 'eth0');
      return plan;
    };
    host(dc.lanHost.name, dc.lanHost.address, 'lanhost');
    for (const node of dc.nodes) {
      const nodeNs = host(node.name, node.address, 'node');
      const pod = podOf(node);
      pods.push(pod);
      // Cilium's cilium_host address: the pod's gateway, owned by the node.
      nodeNs.batch.push(`addr add ${pod.gateway}/32 dev lo`, 'link set lxc0 up', `route add ${pod.address}/32 dev lxc0 scope link`);
      const podNs: NsPlan = {
        ns: ns(pod.name),
        machine: { name: pod.name, kind: 'pod', dc: dc.name, node: node.name, address: pod.address },
        batch: [`addr add ${pod.address}/32 dev eth0`, 'link set eth0 up', `route add ${pod.gateway}/32 dev eth0 scope link`, `route add default via ${pod.gateway} dev eth0`],
        forwarding: false,
      };
      namespaces.push(podNs);
      veths.push({ ns: nodeNs.ns, name: 'lxc0', peerNs: podNs.ns, peerName: 'eth0' });
    }
  }
  // A switch needs its ports before it can enslave them; lo must be up for every local service.
  for (const n of namespaces) n.batch.unshift('link set lo up');
  return { runId, namespaces, veths, pods, segments: { ...segments } };
}

export function machinesOf(plan: TwinPlan): Machine[] {
  return plan.namespaces.flatMap((n) => (n.machine ? [n.machine] : []));
}

