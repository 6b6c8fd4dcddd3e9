// Cilium's datapath choices, read from the rendered Helm values and emulated with kernel primitives:
// native routing (pods behind /32 routes, remote pods via the default gateway), autoDirectNodeRoutes,
// masquerading (nft masquerade of pod traffic leaving the native routing CIDR) and tunnel mode
// (VXLAN on UDP 8472 between nodes, pod MTU 1450). Pure: returns lines for `ip`, `bridge` and `nft`.
import { parse } from 'yaml';
import * as ip from '../../topology/cidr.ts';
import { allNodes, type LabModel, type NodeModel } from '../../topology/model.ts';
import { podOf } from '../../topology/pods.ts';
import type { ServiceIntent } from './lb-services.ts';

export const VXLAN_PORT = 8472;
export const VXLAN_DEV = 'cilium_vxlan';
export const TUNNEL_MTU = 1450;

export interface DatapathSettings {
  routingMode: 'native' | 'tunnel';
  masquerade: boolean;
  autoDirectNodeRoutes: boolean;
  nativeRoutingCidr: string | undefined;
  /** Dual-stack: enableIPv6Masquerade (Cilium's default is on once ipv6.enabled) and its exemption. */
  masquerade6: boolean;
  nativeRoutingCidr6: string | undefined;
  /** loadBalancer.mode: snat (Cilium's default), dsr or hybrid (DSR for TCP, SNAT for UDP). */
  lbMode: 'snat' | 'dsr' | 'hybrid';
}

export function datapathSettings(valuesText: string): DatapathSettings {
  const v = (parse(valuesText) ?? {}) as Record<string, unknown>;
  const mode = v['routingMode'] ?? 'tunnel'; // Cilium's own default is tunnel
  return {
    routingMode: mode === 'native' ? 'native' : 'tunnel',
    masquerade: v['enableIPv4Masquerade'] !== false, // Cilium's default is on
    autoDirectNodeRoutes: v['autoDirectNodeRoutes'] === true,
    nativeRoutingCidr: typeof v['ipv4NativeRoutingCIDR'] === 'string' ? v['ipv4NativeRoutingCIDR'] : undefined,
    masquerade6: ipv6Enabled(v) && v['enableIPv6Masquerade'] !== false,
    nativeRoutingCidr6: typeof v['ipv6NativeRoutingCIDR'] === 'string' ? v['ipv6NativeRoutingCIDR'] : undefined,
    lbMode: lbModeOf(v['loadBalancer']),
  };
}

function ipv6Enabled(v: Record<string, unknown>): boolean {
  const six = v['ipv6'];
  return typeof six === 'object' && six !== null && (six as Record<string, unknown>)['enabled'] === true;
}

function lbModeOf(lb: unknown): DatapathSettings['lbMode'] {
  const mode = typeof lb === 'object' && lb !== null ? (lb as Record<string, unknown>)['mode'] : undefined;
  return mode === 'dsr' || mode === 'hybrid' ? mode : 'snat';
}

function vxlanMac(index: number): string {
  return `02:c1:11:00:${((index >> 8) & 255).toString(16).padStart(2, '0')}:${(index & 255).toString(16).padStart(2, '0')}`;
}

export interface NodeDatapath {
  ipBatch: string[];
  podBatch: string[];
  bridgeBatch: string[];
  nft: string | undefined;
}

export function nodeDatapath(m: LabModel, node: NodeModel, s: DatapathSettings): NodeDatapath {
  const nodes = allNodes(m);
  const out: NodeDatapath = { ipBatch: [], podBatch: [], bridgeBatch: [], nft: undefined };
  const others = nodes.filter((n) => n !== node);
  if (s.routingMode === 'tunnel') {
    const self = nodes.indexOf(node);
    out.ipBatch.push(`link add ${VXLAN_DEV} address ${vxlanMac(self)} type vxlan id 2 dstport ${VXLAN_PORT} local ${node.address} dev eth0 nolearning`, `link set ${VXLAN_DEV} up`);
    for (const o of others) {
      const pod = podOf(o);
      const mac = vxlanMac(nodes.indexOf(o));
      out.ipBatch.push(`neigh add ${pod.gateway} lladdr ${mac} dev ${VXLAN_DEV} nud permanent`, `route add ${o.podCIDR} via ${pod.gateway} dev ${VXLAN_DEV} onlink`);
      // IPv6 pods ride the same IPv4 tunnel, as Cilium's VXLAN carries both families between nodes.
      if (o.podCIDR6 && pod.gateway6) out.ipBatch.push(`neigh add ${pod.gateway6} lladdr ${mac} dev ${VXLAN_DEV} nud permanent`, `route add ${o.podCIDR6} via ${pod.gateway6} dev ${VXLAN_DEV} onlink`);
      out.bridgeBatch.push(`fdb append ${mac} dev ${VXLAN_DEV} dst ${o.address}`);
    }
    out.ipBatch.push(`link set lxc0 mtu ${TUNNEL_MTU}`);
    out.podBatch.push(`link set eth0 mtu ${TUNNEL_MTU}`);
  } else if (s.autoDirectNodeRoutes) {
    const lan = ip.cidr(m.datacentres.find((d) => d.name === node.dc)!.lan);
    for (const o of others) {
      if (!ip.contains(lan, ip.parseIp(o.address)!)) continue;
      out.ipBatch.push(`route add ${o.podCIDR} via ${o.address} dev eth0`);
      if (o.podCIDR6 && o.address6) out.ipBatch.push(`route add ${o.podCIDR6} via ${o.address6} dev eth0`);
    }
  }
  const masq = (family: 'ip' | 'ip6', from: string, exempt: string, option: string) => [
    `table ${family} cilium_twin {`,
    '\tchain postrouting {',
    '\t\ttype nat hook postrouting priority srcnat; policy accept;',
    `\t\t${family} saddr ${from} ${family} daddr != ${exempt} oifname "eth0" masquerade comment "Cilium ${option}"`,
    '\t}',
    '}',
  ];
  const tables = [
    ...(s.masquerade ? masq('ip', node.podCIDR, s.nativeRoutingCidr ?? m.cluster.podCIDR, 'enableIPv4Masquerade') : []),
    ...(s.masquerade6 && node.podCIDR6 ? masq('ip6', node.podCIDR6, s.nativeRoutingCidr6 ?? m.cluster.podCIDR6 ?? node.podCIDR6, 'enableIPv6Masquerade') : []),
  ];
  if (tables.length > 0) out.nft = [...tables, ''].join('\n');
  return out;
}

/** DSCP carrying a service's identity from the receiving node to the backend's node in DSR mode. */
export const DSR_DSCP_BASE = 40;
const DSR_MARK_BASE = 0x1000;

/**
 * Cilium's service load balancer for LoadBalancer addresses, with nftables in the node's namespace:
 * DNAT to a backend (policy Local: the node's own one only; Cluster: any). A backend on another node
 * is reached in snat mode with the node's own address as source (replies come back through it), in
 * dsr/hybrid mode (TCP) with the client's: the receiving node rewrites the destination statelessly
 * (notrack, the backend picked by a hash of the client's address and port, so a flow stays on one
 * backend) and marks the service in the DSCP field, as Cilium carries it in an IP option; the
 * backend's node turns the packet back into one for the service address, DNATs it to its pod, and
 * its conntrack answers the client directly with the service address as source.
 */
export function serviceNft(node: { name: string; address: string; address6?: string }, services: ServiceIntent[], mode: DatapathSettings['lbMode'], family: 4 | 6 = 4): string | undefined {
  const dsr = mode !== 'snat';
  // One table per family, the same rules with that family's addresses (IPv6: the traffic class's
  // DSCP carries the service, as the IPv4 header's does; Cilium uses an extension header there).
  const l3 = family === 4 ? 'ip' : 'ip6';
  const nodeAddress = family === 4 ? node.address : node.address6;
  const at = (address: string, port: number) => (family === 4 ? `${address}:${port}` : `[${address}]:${port}`);
  const raw: string[] = [];
  const hops: string[] = [];
  const dnat: string[] = [];
  const snat: string[] = [];
  const drop: string[] = [];
  services.forEach((s, i) => {
    const address = family === 4 ? s.address : s.address6;
    if (!address || s.ports.length === 0) return;
    const backendsHere = s.backends.flatMap((b) => {
      const a = family === 4 ? b.address : b.address6;
      return a ? [{ ...b, address: a }] : [];
    });
    const local = backendsHere.find((b) => b.node === node.name);
    const candidates = s.policy === 'Local' ? (local ? [local] : []) : backendsHere;
    // DSCP has 6 bits: codes 40..63 leave room for 24 services in DSR mode.
    if (dsr && DSR_DSCP_BASE + i > 63) throw new Error(`the twin's DSR emulation marks services in the DSCP field and has codes for ${64 - DSR_DSCP_BASE} services; ${s.name} is number ${i + 1}`);
    const dscp = DSR_DSCP_BASE + i;
    const mark = `0x${(DSR_MARK_BASE + i).toString(16)}`;
    const remote = candidates.flatMap((b, k) => (b === local ? [] : [{ b, k }]));
    // The hops rewrite addresses only, so every port of the Service shares them.
    if (dsr) for (const { b, k } of remote) hops.push(`chain lb_dsr_${i}_${k} {`, `\t${l3} daddr set ${b.address} ${l3} dscp set ${dscp} notrack comment "${s.name}: DSR to ${b.pod}"`, '}');
    for (const p of s.ports) {
      const l4 = p.protocol === 'UDP' ? 'udp' : 'tcp';
      const match = `${l3} daddr ${address} ${l4} dport ${p.port}`;
      if (dsr && local) {
        // Backend side of DSR: a packet for our backend marked with this service came from a node
        // that load-balanced it; make it the client's packet to the service address again.
        raw.push(`iifname != "lxc*" ${l3} dscp ${dscp} ${l3} daddr ${local.address} ${l4} dport ${p.targetPort} ${l3} daddr set ${address} ${l4} dport set ${p.port} meta mark set ${mark} accept`);
        dnat.push(`meta mark ${mark} ${match} dnat to ${at(local.address, p.targetPort)}`);
      }
      if (candidates.length === 0) {
        drop.push(`${match} counter drop comment "${s.name}: no local backend (externalTrafficPolicy Local)"`);
        continue;
      }
      if (dsr && remote.length > 0) {
        raw.push(`${match} jhash ${l3} saddr . ${l4} sport mod ${candidates.length} vmap { ${remote.map(({ k }) => `${k} : jump lb_dsr_${i}_${k}`).join(', ')} }`);
        if (local) dnat.push(`${match} dnat to ${at(local.address, p.targetPort)}`);
        continue;
      }
      dnat.push(candidates.length === 1 ? `${match} dnat to ${at(candidates[0]!.address, p.targetPort)}`
        : `${match} dnat ${l3} to numgen random mod ${candidates.length} map { ${candidates.map((b, k) => `${k} : ${b.address} . ${p.targetPort}`).join(', ')} }`);
    }
    if (!dsr && nodeAddress && candidates.some((b) => b !== local)) snat.push(`ct original ${l3} daddr ${address} oifname != "lxc*" snat to ${nodeAddress} comment "${s.name}: snat to a backend on another node"`);
  });
  if (raw.length + dnat.length + drop.length === 0) return undefined;
  const chain = (name: string, hook: string, rules: string[]) => [`\tchain ${name} {`, `\t\ttype ${hook}; policy accept;`, ...rules.map((r) => `\t\t${r}`), '\t}'];
  return [
    `table ${l3} cilium_lb {`,
    ...chain('lb_raw', 'filter hook prerouting priority raw', raw),
    ...hops.map((l) => `\t${l}`),
    ...chain('lb_dnat', 'nat hook prerouting priority dstnat', dnat),
    ...chain('lb_snat', 'nat hook postrouting priority srcnat', snat),
    ...chain('lb_no_backend', 'filter hook forward priority filter', drop),
    '}',
    '',
  ].join('\n');
}
