// The semantic rules of a dual-stack topology's IPv6 half, as rules.ts has them for IPv4: no two
// networks overlap, no address is used twice, and the Cilium BGP API can carry IPv6 per family.
// Each rule names the field to change and how; test/unit/topology-rules.test.ts holds a case each.
import * as ip6 from './cidr6.ts';
import type { LabModel } from './model.ts';
import type { Collector } from './resolve.ts';

export function checkIpv6(m: LabModel, c: Collector): void {
  if (m.cluster.family !== 'dual') return;
  const nets: { field: string; text: string }[] = [
    { field: 'routers.peering6', text: m.routers.peering6 ?? '' },
    { field: 'cluster.podCIDR6', text: m.cluster.podCIDR6 ?? '' },
    { field: 'internet.wan6', text: m.internet.wan6 ?? '' },
    { field: 'internet.hosts6', text: m.internet.hosts6 ?? '' },
    ...m.datacentres.map((d, i) => ({ field: `datacentres[${i}].lan6`, text: d.lan6 ?? '' })),
    ...(m.loadBalancer?.pool6 ? [{ field: 'loadBalancer.pool6', text: m.loadBalancer.pool6 }] : []),
  ].filter((n) => n.text !== '');
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      const [a, b] = [nets[i]!, nets[j]!];
      if (ip6.overlaps6(ip6.cidr6(a.text), ip6.cidr6(b.text))) c.add(b.field, `${b.text} overlaps ${a.field} (${a.text})`, `choose a network for ${b.field} that does not overlap ${a.text}`);
    }
  }
  // A generated lab has tens of thousands of nodes: blocks of one length overlap only when equal, so
  // those are looked up by network; only blocks of another length are compared pairwise.
  type Block = { field: string; text: string; cidr: ip6.Cidr6 };
  const blocks: Block[] = [];
  const byBlock = new Map<string, Block>();
  const lengths = new Set<number>();
  m.datacentres.forEach((d, i) => d.nodes.forEach((n, j) => {
    if (!n.podCIDR6) return;
    const field = `datacentres[${i}].nodes[${j}].podCIDR6`;
    const cidr = ip6.cidr6(n.podCIDR6);
    const key = ip6.formatCidr6(cidr);
    const clash = byBlock.get(key)
      ?? (lengths.size > 1 || !lengths.has(cidr.prefix) ? blocks.find((b) => b.cidr.prefix !== cidr.prefix && ip6.overlaps6(b.cidr, cidr)) : undefined);
    if (clash) c.add(field, `${n.podCIDR6} overlaps ${clash.field} (${clash.text})`, 'give every node an IPv6 pod CIDR of its own, or drop podCIDR6 to have one assigned');
    const block = { field, text: n.podCIDR6, cidr };
    blocks.push(block);
    if (!byBlock.has(key)) byBlock.set(key, block);
    lengths.add(cidr.prefix);
  }));
  const seen = new Map<string, string>();
  const unique = (field: string, address: string | undefined) => {
    if (!address) return;
    const first = seen.get(address);
    if (first) c.add(field, `address "${address}" is already used by ${first}`, `give ${field} an address of its own`);
    else seen.set(address, field);
  };
  m.datacentres.forEach((d, i) => {
    if (d.routers.length > 1) unique(`datacentres[${i}].lan6 (VRRP gateway)`, d.gateway6);
    for (const r of d.routers) {
      unique(`datacentres[${i}].router.address6`, r.address6);
      unique(`datacentres[${i}].router.peeringAddress6`, r.peeringAddress6);
    }
    unique(`datacentres[${i}].lan6 (LAN host)`, d.lanHost.address6);
    d.nodes.forEach((n, j) => unique(`datacentres[${i}].nodes[${j}].address6`, n.address6));
  });
  m.services.forEach((s, i) => unique(`services[${i}].address6`, s.address6));
  // IPv6 leaves untranslated, so its replies come back through whichever router the upstream routes
  // the allocation to, not the one that forwarded it out: fw4 on another router drops them as not
  // established. A WAN-side VRRP address for the upstream to route to is not modelled yet.
  m.datacentres.forEach((d, i) => {
    if (d.routers.length > 1) {
      c.add(`datacentres[${i}].routers`, `${d.routers.length} routers in a dual-stack lab: the lab models several routers per datacentre for IPv4 only (IPv6 egress is not translated, and replies would return through a router whose firewall never saw the flow)`,
        `set datacentres[${i}].routers: 1, or cluster.family: ipv4`);
    }
  });
  // CiliumBGPPeeringPolicy at 1.14 has no per-neighbour families (every session carries both), and
  // the lab renders dual-stack for the BGPv2 resources, whose PeerConfig families choose per session.
  if (m.cilium.bgpApi === 'peering-policy') {
    c.add('cluster.family', 'dual-stack is rendered for the BGPv2 resources (CiliumBGPClusterConfig/PeerConfig, whose families choose what each session carries), and this lab uses CiliumBGPPeeringPolicy',
      'set cilium.bgpApi: bgpv2-v2 (Cilium 1.18 on) or bgpv2-v2alpha1 (1.16 on), or a Cilium version that defaults to BGPv2');
  }
}
