// Topology -> LabModel: checks the shape, derives every address, then applies the semantic rules.
// Nothing here touches the file system; a bad topology throws InputError before anything is written.

import * as ip from './cidr.ts';
import { InputError, type InputIssue } from './errors.ts';
import type { DatacentreModel, ExtraZoneModel, LabModel, NodeModel, RouterModel } from './model.ts';
import type { Topology } from './schema.ts';
import { checkStructure } from './structure.ts';
import { checkSemantics } from './rules.ts';
import { resolveVersions } from './versions.ts';
import { resolveLoadBalancer } from './services.ts';
import { NODE_BLOCK_MAX_DIFF, resolveIpv6 } from './resolve6.ts';

export interface ResolveOptions {
  ciliumVersion?: string;
  talosVersion?: string;
  openwrtVersion?: string;
  /** The same-asn pitfall renders what validation would refuse, to show what happens. */
  allowSameAsn?: boolean;
}

export const DEFAULT_INTERNET = { wan: '203.0.113.0/24', hosts: '198.51.100.0/24' };
/** Node addresses start at the LAN's 10th host, as in the reference. */
export const FIRST_NODE_HOST = 10;
/** keepalived's advert_int default (keepalived.conf(5)). */
export const VRRP_ADVERT_DEFAULT_S = 1;
/** VRRP router ids (VRIDs) on the LANs: one per datacentre, 51 onward (keepalived's sample uses 51). */
export const VRRP_ROUTER_ID_BASE = 51;
/** Graceful restart's restart time when the topology names none: Cilium's CRD default and BIRD's (doc/bird.sgml). */
export const DEFAULT_RESTART_TIME_S = 120;

class Collector {
  readonly issues: InputIssue[] = [];
  add(field: string, problem: string, fix: string): void {
    this.issues.push({ field, problem, fix });
  }
  cidr(field: string, text: string): ip.Cidr | undefined {
    const c = ip.parseCidr(text);
    if ('error' in c) {
      this.add(field, c.error, 'write the network address with its prefix length, e.g. 10.0.0.0/24');
      return undefined;
    }
    return c;
  }
  address(field: string, text: string | undefined, within: ip.Cidr, fallbackHost: number): string | undefined {
    if (text === undefined) {
      const h = ip.host(within, fallbackHost);
      if (h === undefined) {
        this.add(field, `${ip.formatCidr(within)} has no host number ${fallbackHost}`, 'use a larger network or set the address explicitly');
        return undefined;
      }
      return ip.formatIp(h);
    }
    const addr = ip.parseIp(text);
    if (addr === undefined) {
      this.add(field, `"${text}" is not an IPv4 address`, 'write it as a.b.c.d');
      return undefined;
    }
    if (!ip.contains(within, addr) || addr === within.network || addr === ip.broadcast(within)) {
      this.add(field, `${text} is not a usable host of ${ip.formatCidr(within)}`, `pick an address inside ${ip.formatCidr(within)}`);
      return undefined;
    }
    return text;
  }
}

export function resolveTopology(doc: unknown, opts: ResolveOptions = {}): LabModel {
  const shape = checkStructure(doc);
  if (shape.length > 0) throw new InputError(shape);
  const t = doc as Topology;
  const c = new Collector();

  const peering = c.cidr('routers.peering', t.routers.peering);
  const podCidr = c.cidr('cluster.podCIDR', t.cluster.podCIDR);
  const wan = c.cidr('internet.wan', t.internet?.wan ?? DEFAULT_INTERNET.wan);
  const hosts = c.cidr('internet.hosts', t.internet?.hosts ?? DEFAULT_INTERNET.hosts);
  const lans = t.datacentres.map((d, i) => c.cidr(`datacentres[${i}].lan`, d.lan));
  if (podCidr && t.cluster.nodeMaskSize < podCidr.prefix) {
    c.add('cluster.nodeMaskSize', `/${t.cluster.nodeMaskSize} is larger than cluster.podCIDR ${t.cluster.podCIDR}`, `use a value of at least ${podCidr.prefix}`);
  }
  if (podCidr && t.cluster.nodeMaskSize - podCidr.prefix > NODE_BLOCK_MAX_DIFF) {
    c.add('cluster.nodeMaskSize', `/${t.cluster.nodeMaskSize} blocks from cluster.podCIDR ${t.cluster.podCIDR} are ${t.cluster.nodeMaskSize - podCidr.prefix} bits apart; kube-controller-manager allocates node blocks at most ${NODE_BLOCK_MAX_DIFF} bits smaller than the cluster range (clusterSubnetMaxDiff, pkg/controller/nodeipam/ipam/cidrset/cidr_set.go) and refuses to start`,
      `use a cluster.podCIDR of /${t.cluster.nodeMaskSize - NODE_BLOCK_MAX_DIFF} or wider, or a cluster.nodeMaskSize of at most ${podCidr.prefix + NODE_BLOCK_MAX_DIFF}`);
  }
  const versions = resolveVersions(t, opts, c);
  if (c.issues.length > 0 || !peering || !podCidr || !wan || !hosts || !versions) throw new InputError(c.issues);

  // Blocks claimed by an explicit podCIDR are skipped by the automatic assignment.
  const claimed = t.datacentres.flatMap((d) => d.nodes.flatMap((n) => {
    const c = n.podCIDR === undefined ? undefined : ip.parseCidr(n.podCIDR);
    return c && !('error' in c) ? [c] : [];
  }));
  let blockIndex = 0;
  let nodeIndex = 0;
  const nextBlock = (): ip.Cidr | undefined => {
    for (;;) {
      const b = ip.subnet(podCidr, t.cluster.nodeMaskSize, blockIndex++);
      if (!b || !claimed.some((c) => ip.overlaps(c, b))) return b;
    }
  };
  const datacentres: DatacentreModel[] = [];
  let routerNo = 0; // over every datacentre: peering host routerNo + 1, WAN host 10 + routerNo
  t.datacentres.forEach((d, i) => {
    const lan = lans[i];
    if (!lan) return;
    const at = `datacentres[${i}]`;
    const count = d.routers ?? 1;
    if (count > 1 && d.router) {
      c.add(`${at}.router`, `sets one router's addresses, and ${at}.routers is ${count}`, `remove ${at}.router (several routers take the LAN's hosts 2-${count + 1}, the first is their VRRP gateway) or set ${at}.routers: 1`);
    }
    // One router owns the LAN's first host; several share it as their VRRP address and take the next.
    const routers: RouterModel[] = Array.from({ length: count }, (_, k) => {
      const g = routerNo++;
      const one = count === 1;
      return {
        name: one ? `router-${d.name}` : `router-${d.name}-${k + 1}`,
        dc: d.name,
        key: one ? d.name : `${d.name}-${k + 1}`,
        index: k,
        address: c.address(`${at}.router.address`, one ? d.router?.address : undefined, lan, one ? 1 : 2 + k) ?? '',
        peeringAddress: c.address(`${at}.router.peeringAddress`, one ? d.router?.peeringAddress : undefined, peering, g + 1) ?? '',
        wanAddress: c.address('internet.wan', undefined, wan, 10 + g) ?? '',
      };
    });
    const gateway = count === 1 ? routers[0]!.address : (c.address(`${at}.lan`, undefined, lan, 1) ?? '');
    const nodes: NodeModel[] = d.nodes.map((n, j) => {
      const nat = `${at}.nodes[${j}]`;
      nodeIndex++;
      let podCIDR = n.podCIDR;
      if (podCIDR === undefined) {
        const block = nextBlock();
        if (!block) {
          const count = ip.blockCount(podCidr, t.cluster.nodeMaskSize);
          c.add(`${nat}.podCIDR`, `cluster.podCIDR ${t.cluster.podCIDR} has only ${count} blocks of /${t.cluster.nodeMaskSize}, not enough for node ${nodeIndex}`, 'widen cluster.podCIDR or raise cluster.nodeMaskSize');
        }
        podCIDR = block ? ip.formatCidr(block) : '';
      }
      return {
        name: n.name,
        role: n.role,
        dc: d.name,
        address: c.address(`${nat}.address`, n.address, lan, FIRST_NODE_HOST + j) ?? '',
        podCIDR,
        labels: { ...(n.labels ?? {}), dc: d.name },
      };
    });
    // The LAN host takes the highest free host address, clear of the router and the nodes.
    const taken = new Set([gateway, ...routers.map((r) => r.address), ...nodes.map((n) => n.address)]);
    let hostNo = ip.size(lan) - 2;
    while (hostNo > 1 && taken.has(ip.formatIp(ip.host(lan, hostNo) ?? 0))) hostNo--;
    const lanHost = { name: `db-${d.name}`, address: c.address(`${at}.lan`, undefined, lan, hostNo) ?? '' };
    datacentres.push({
      name: d.name,
      index: i,
      lan: d.lan,
      lanPrefix: lan.prefix,
      routers,
      gateway,
      ...(count > 1 ? { vrrp: { routerId: VRRP_ROUTER_ID_BASE + i, advertInterval: t.routers.vrrp?.advertInterval ?? VRRP_ADVERT_DEFAULT_S } } : {}),
      nodes,
      lanHost,
    });
  });

  const extraZones: ExtraZoneModel[] = (t.firewall?.extraZones ?? []).map((z, i) => {
    const subnet = c.cidr(`firewall.extraZones[${i}].subnet`, z.subnet);
    return {
      name: z.name,
      dc: z.datacentre,
      subnet: z.subnet,
      routerAddress: subnet ? (c.address(`firewall.extraZones[${i}].subnet`, undefined, subnet, 1) ?? '') : '',
      hostAddress: subnet ? (c.address(`firewall.extraZones[${i}].subnet`, undefined, subnet, 2) ?? '') : '',
      forwardTo: z.forwardTo ?? [],
    };
  });

  const lb = resolveLoadBalancer(t, c);
  const model: LabModel = {
    name: t.name,
    routers: { asn: t.routers.asn, peering: t.routers.peering, peeringPrefix: peering.prefix, reflection: t.routers.reflection ?? false },
    cluster: { asn: t.cluster.asn, podCIDR: t.cluster.podCIDR, nodeMaskSize: t.cluster.nodeMaskSize, family: t.cluster.family ?? 'ipv4' },
    versions: versions.versions,
    timers: t.bgp?.timers ? { ...t.bgp.timers } : undefined,
    gracefulRestart: t.bgp?.gracefulRestart ? { enabled: t.bgp.gracefulRestart.enabled, restartTime: t.bgp.gracefulRestart.restartTime ?? DEFAULT_RESTART_TIME_S } : undefined,
    sessions: t.bgp?.sessions ?? 'per-family',
    cilium: {
      autoDirectNodeRoutes: t.cilium?.autoDirectNodeRoutes ?? false,
      routingMode: t.cilium?.routingMode ?? 'native',
      masquerade: t.cilium?.masquerade ?? false,
      bgpApi: versions.bgpApi,
    },
    internet: {
      wan: ip.formatCidr(wan),
      wanPrefix: wan.prefix,
      gateway: ip.formatIp(ip.host(wan, 1) ?? wan.network),
      hosts: ip.formatCidr(hosts),
      server: ip.formatIp(ip.host(hosts, 10) ?? hosts.network),
    },
    extraZones,
    loadBalancer: lb.loadBalancer,
    services: lb.services,
    datacentres,
  };
  resolveIpv6(t, model, c);
  if (c.issues.length === 0) checkSemantics(t, model, opts, c);
  if (c.issues.length > 0) throw new InputError(c.issues);
  return model;
}

export type { Collector };
