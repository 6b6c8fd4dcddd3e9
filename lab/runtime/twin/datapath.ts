// Cilium's datapath choices, read from the rendered Helm values and emulated with kernel primitives:
// native routing (pods behind /32 routes, remote pods via the default gateway), autoDirectNodeRoutes,
// masquerading (nft masquerade of pod traffic leaving the native routing CIDR) and tunnel mode
// (VXLAN on UDP 8472 between nodes, pod MTU 1450). Pure: returns lines for `ip`, `bridge` and `nft`.
import { parse } from 'yaml';
import * as ip from '../../topology/cidr.ts';
import { allNodes, type LabModel, type NodeModel } from '../../topology/model.ts';
import { podOf } from '../../topology/pods.ts';

export const VXLAN_PORT = 8472;
export const VXLAN_DEV = 'cilium_vxlan';
export const TUNNEL_MTU = 1450;

export interface DatapathSettings {
  routingMode: 'native' | 'tunnel';
  masquerade: boolean;
  autoDirectNodeRoutes: boolean;
  nativeRoutingCidr: string | undefined;
}

export function datapathSettings(valuesText: string): DatapathSettings {
  const v = (parse(valuesText) ?? {}) as Record<string, unknown>;
  const mode = v['routingMode'] ?? 'tunnel'; // Cilium's own default is tunnel
  return {
    routingMode: mode === 'native' ? 'native' : 'tunnel',
    masquerade: v['enableIPv4Masquerade'] !== false, // Cilium's default is on
    autoDirectNodeRoutes: v['autoDirectNodeRoutes'] === true,
    nativeRoutingCidr: typeof v['ipv4NativeRoutingCIDR'] === 'string' ? v['ipv4NativeRoutingCIDR'] : undefined,
  };
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
      out.bridgeBatch.push(`fdb append ${mac} dev ${VXLAN_DEV} dst ${o.address}`);
    }
    out.ipBatch.push(`link set lxc0 mtu ${TUNNEL_MTU}`);
    out.podBatch.push(`link set eth0 mtu ${TUNNEL_MTU}`);
  } else if (s.autoDirectNodeRoutes) {
    const lan = ip.cidr(m.datacentres.find((d) => d.name === node.dc)!.lan);
    for (const o of others) {
      if (ip.contains(lan, ip.parseIp(o.address)!)) out.ipBatch.push(`route add ${o.podCIDR} via ${o.address} dev eth0`);
    }
  }
  if (s.masquerade) {
    const exempt = s.nativeRoutingCidr ?? m.cluster.podCIDR;
    out.nft = [
      'table ip cilium_twin {',
      '\tchain postrouting {',
      '\t\ttype nat hook postrouting priority srcnat; policy accept;',
      `\t\tip saddr ${node.podCIDR} ip daddr != ${exempt} oifname "eth0" masquerade comment "Cilium enableIPv4Masquerade"`,
      '\t}',
      '}',
      '',
    ].join('\n');
  }
  return out;
}
