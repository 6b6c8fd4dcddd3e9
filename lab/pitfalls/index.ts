// The classic mistakes, each applied to the generated configs so a run shows what it breaks.
// Pure: topology in, model and rendered files out. `lab e2e --pitfall NAME` runs one.
import { parse, stringify } from 'yaml';
import { ciliumBgpDocs } from '../render/cilium-bgp.ts';
import { CLUSTER_FILES, renderAll, routerPath, type RenderedFiles } from '../render/index.ts';
import { yamlDocs } from '../render/yaml.ts';
import { InputError } from '../topology/errors.ts';
import { allRouters, isDualStack, type LabModel } from '../topology/model.ts';
import { resolveTopology, type ResolveOptions } from '../topology/resolve.ts';
import type { SessionLayout, Topology } from '../topology/schema.ts';

export interface Pitfall {
  name: string;
  mistake: string;
  fix: string;
  /** Assertions that must fail when the mistake is made. */
  breaks: number[];
  /** The one family the mistake breaks (dual-stack pitfalls): the other family's checks all hold. */
  family?: 4 | 6;
  /** A mistake of several routers per datacentre: it needs a topology with them (examples/two-routers.yaml). */
  severalRouters?: true;
  apply(topology: Topology, opts: ResolveOptions): { model: LabModel; files: RenderedFiles };
}

function plain(topology: Topology, opts: ResolveOptions) {
  const model = resolveTopology(topology, opts);
  return { model, files: renderAll(model) };
}

function patch(files: RenderedFiles, path: string, edit: (text: string) => string): void {
  const before = files.get(path);
  if (before === undefined) throw new Error(`pitfall: no rendered ${path}`);
  const after = edit(before);
  if (after === before) throw new Error(`pitfall: ${path} did not change`);
  files.set(path, after);
}

/** The lines matching `re` taken out of the bird.conf of every router with nodes on its LAN. */
function withoutBirdLines(r: { model: LabModel; files: RenderedFiles }, re: RegExp) {
  for (const dc of r.model.datacentres) {
    if (dc.nodes.length === 0) continue;
    for (const router of dc.routers) patch(r.files, routerPath(router.key, 'bird.conf'), (s) => s.replace(re, ''));
  }
  return r;
}

/** A dual-stack pitfall's model and files; an IPv4 topology is bad input naming the fix. */
function dualStack(name: string, topology: Topology, opts: ResolveOptions, sessions?: SessionLayout) {
  const refuse = () => new InputError([{ field: '--pitfall', problem: `${name} is an IPv6 mistake and the topology is IPv4 only`, fix: 'run it on a dual-stack topology: -t examples/dual-stack.yaml (or cluster.family: dual)' }], 'arguments');
  if (topology.cluster?.family !== 'dual') throw refuse();
  const t = sessions ? { ...topology, bgp: { ...topology.bgp, sessions } } : topology;
  const r = plain(t, opts);
  if (!isDualStack(r.model)) throw new InputError([{ field: '--pitfall', problem: `${name} is an IPv6 mistake and the topology is IPv4 only`, fix: 'run it on a dual-stack topology: -t examples/dual-stack.yaml (or cluster.family: dual)' }], 'arguments');
  return r;
}

/** A pitfall of several routers per datacentre; a topology with one router each is bad input naming the fix. */
function severalRouters(name: string, topology: Topology, opts: ResolveOptions) {
  const r = plain(topology, opts);
  if (!r.model.datacentres.some((d) => d.routers.length > 1)) {
    throw new InputError([{ field: '--pitfall', problem: `${name} is a mistake of several routers per datacentre, and every datacentre of this topology has one`, fix: 'run it on a topology with several: -t examples/two-routers.yaml (or datacentres[].routers: 2)' }], 'arguments');
  }
  return r;
}

export const PITFALLS: Pitfall[] = [
  {
    name: 'same-asn',
    mistake: 'the cluster uses the routers\' AS number, so nodes and routers peer over iBGP',
    fix: 'give the cluster its own AS (cluster.asn); validation refuses the same AS unless a pitfall asks for it',
    breaks: [2, 3, 4, 5],
    apply: (t, opts) => plain({ ...t, cluster: { ...t.cluster, asn: t.routers.asn } }, { ...opts, allowSameAsn: true }),
  },
  {
    name: 'dns-localservice',
    mistake: 'dnsmasq keeps OpenWRT\'s default localservice \'1\': it answers only subnets attached to the router, and pod CIDRs are routed, not attached',
    fix: 'set option localservice \'0\' in /etc/config/dhcp',
    breaks: [8],
    apply: (t, opts) => {
      const r = plain(t, opts);
      for (const router of allRouters(r.model)) patch(r.files, routerPath(router.key, 'dhcp'), (s) => s.replace("option localservice '0'", "option localservice '1'"));
      return r;
    },
  },
  {
    name: 'node-masquerade',
    mistake: 'Cilium masquerades pod traffic (enableIPv4Masquerade: true) with ipv4NativeRoutingCIDR set to the node network instead of the pod network',
    fix: 'enableIPv4Masquerade: false (and ipv4NativeRoutingCIDR: the cluster pod CIDR)',
    breaks: [5, 6, 7],
    apply: (t, opts) => {
      const r = plain(t, opts);
      patch(r.files, CLUSTER_FILES.ciliumValues, (s) => {
        const header = s.split('\n').filter((l) => l.startsWith('#')).join('\n');
        const values = parse(s) as Record<string, unknown>;
        values['enableIPv4Masquerade'] = true;
        values['ipv4NativeRoutingCIDR'] = r.model.datacentres[0]!.lan;
        return `${header}\n${stringify(values)}`;
      });
      r.model = { ...r.model, cilium: { ...r.model.cilium, masquerade: true } };
      return r;
    },
  },
  {
    name: 'tunnel',
    mistake: 'Cilium\'s default overlay: VXLAN between nodes, masquerading on',
    fix: 'routingMode: native, enableIPv4Masquerade: false',
    breaks: [2, 4, 5, 6],
    apply: (t, opts) => plain({ ...t, cilium: { ...t.cilium, routingMode: 'tunnel', masquerade: true } }, opts),
  },
  {
    name: 'no-export',
    mistake: 'the last datacentre\'s nodes peer but do not advertise their pod CIDR',
    fix: 'exportPodCIDR: true (peering policy) or a PodCIDR CiliumBGPAdvertisement selected by the peer config\'s families',
    breaks: [2, 3, 4, 5],
    apply: (t, opts) => {
      const r = plain(t, opts);
      const last = r.model.datacentres.at(-1)!.name;
      const docs = ciliumBgpDocs(r.model) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[];
      for (const d of docs) {
        if (d.kind === 'CiliumBGPPeeringPolicy' && d.metadata.name === last) {
          for (const vr of d.spec['virtualRouters'] as Record<string, unknown>[]) vr['exportPodCIDR'] = false;
        }
        if (d.kind === 'CiliumBGPClusterConfig' && d.metadata.name === last) {
          for (const inst of d.spec['bgpInstances'] as { peers: { peerConfigRef: { name: string } }[] }[]) for (const p of inst.peers) p.peerConfigRef.name = 'router-no-export';
        }
      }
      const peerConfig = docs.find((d) => d.kind === 'CiliumBGPPeerConfig');
      if (peerConfig) {
        const copy = structuredClone(peerConfig);
        copy.metadata.name = 'router-no-export';
        for (const f of copy.spec['families'] as Record<string, unknown>[]) delete f['advertisements'];
        docs.push(copy);
      }
      r.files.set(CLUSTER_FILES.ciliumBgp, yamlDocs(`PITFALL no-export: ${last} does not advertise its pod CIDRs`, docs));
      return r;
    },
  },
  {
    name: 'etp-cluster-snat',
    mistake: 'LoadBalancer Services with externalTrafficPolicy Cluster and loadBalancer.mode snat: every node announces the address, and a node without a backend forwards the connection with its own address',
    fix: 'trafficPolicy: Local (only nodes with a ready backend announce the address) or loadBalancer.mode: dsr (the backend answers the client directly)',
    breaks: [11],
    apply: (t, opts) => {
      if (!t.services || t.services.length === 0) throw new InputError([{ field: '--pitfall', problem: 'etp-cluster-snat needs a LoadBalancer Service in the topology', fix: 'add loadBalancer: { pool } and services (the reference has them)' }], 'arguments');
      return plain({ ...t, loadBalancer: { ...t.loadBalancer!, mode: 'snat' }, services: t.services.map((s) => ({ ...s, trafficPolicy: 'Cluster' as const })) }, opts);
    },
  },
  {
    name: 'lb-import-filter',
    mistake: 'the routers\' import filter from nodes accepts only pod CIDRs, as a strict filter would: the nodes announce the service /32s, the routers refuse them',
    fix: 'accept loadBalancer.pool\'s /32s too: import where net ~ POD_CIDRS || net ~ LB_POOL',
    breaks: [10, 11],
    apply: (t, opts) => {
      const r = plain(t, opts);
      if (!r.model.loadBalancer) throw new InputError([{ field: '--pitfall', problem: 'lb-import-filter needs a loadBalancer pool in the topology', fix: 'add loadBalancer: { pool } and services (the reference has them)' }], 'arguments');
      for (const dc of r.model.datacentres) {
        for (const router of dc.nodes.length > 0 ? dc.routers : []) patch(r.files, routerPath(router.key, 'bird.conf'), (s) => s.replace('import where net ~ POD_CIDRS || net ~ LB_POOL;', 'import where net ~ POD_CIDRS;'));
      }
      return r;
    },
  },
  {
    name: 'masq-invalid',
    mistake: 'masq_allow_invalid off on the masquerading wan zone: firewall4 drops conntrack-invalid packets leaving it ("Prevent NAT leakage")',
    fix: 'none needed in this layout; see README "masq-invalid": it bites only where half of a flow crosses a masquerading zone',
    // In the reference layout every flow through the only masquerading zone (wan) passes the same
    // router both ways, because NAT pins the replies to it: nothing there is invalid, so no
    // assertion can fail. The pitfall runs to show exactly that.
    breaks: [],
    apply: (t, opts) => {
      const r = plain(t, opts);
      for (const router of allRouters(r.model)) patch(r.files, routerPath(router.key, 'firewall'), (s) => s.replace("\toption masq_allow_invalid '1'\n", ''));
      return r;
    },
  },
  {
    name: 'v6-over-v4-session',
    mistake: 'IPv6 routes carried over the IPv4 sessions (bgp.sessions mp-over-v4) with a plain ipv6 channel on the routers: Cilium announces them with the IPv4-mapped next hop ::ffff:<node IPv4> (cilium/cilium#37831), which BIRD refuses as a next hop of the wrong family, so no router learns a pod CIDR6',
    fix: 'bgp.sessions: per-family (a session per family, as cilium/cilium#31911 ends in), or keep mp-over-v4 as rendered: `extended next hop on` on the routers\' ipv6 channel and an import filter that sets the node\'s own IPv6 next hop',
    breaks: [2, 3, 4, 5, 12],
    family: 6,
    apply: (t, opts) => {
      return withoutBirdLines(dualStack('v6-over-v4-session', t, opts, 'mp-over-v4'), /^\s*(extended next hop on|bgp_next_hop = \S+|gw = \S+);\n/gm);
    },
  },
  {
    name: 'v4-over-v6-session',
    mistake: 'IPv4 routes carried over the nodes\' IPv6 sessions (bgp.sessions v4-over-v6) with a plain ipv4 channel on the routers: Cilium announces them with the node\'s IPv6 next hop, which BIRD refuses on an IPv4 channel without extended next hop (as a BIRD route reflector does, cilium/cilium#29951), so no router learns a node\'s IPv4 pod CIDR',
    fix: '`extended next hop on` on the routers\' ipv4 channel of the IPv6 node sessions (as rendered: RFC 8950, negotiated with Cilium\'s GoBGP), or bgp.sessions: per-family',
    breaks: [2, 3, 4, 5, 12],
    family: 4,
    apply: (t, opts) => {
      return withoutBirdLines(dualStack('v4-over-v6-session', t, opts, 'v4-over-v6'), /^\s*extended next hop on;\n/gm);
    },
  },
  {
    name: 'v6-not-advertised',
    mistake: 'the IPv6 family of the nodes\' CiliumBGPPeerConfig selects no advertisement: the IPv6 sessions come up and carry nothing (cilium/cilium#24362)',
    fix: 'give the ipv6 family the advertisements selector the ipv4 one has (PodCIDR and Service CiliumBGPAdvertisements)',
    breaks: [2, 3, 4, 5, 10, 11],
    family: 6,
    apply: (t, opts) => {
      const r = dualStack('v6-not-advertised', t, opts);
      const docs = ciliumBgpDocs(r.model) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[];
      let removed = 0;
      for (const d of docs.filter((x) => x.kind === 'CiliumBGPPeerConfig')) {
        for (const f of d.spec['families'] as Record<string, unknown>[]) {
          if (f['afi'] === 'ipv6' && 'advertisements' in f) {
            delete f['advertisements'];
            removed++;
          }
        }
      }
      if (removed === 0) throw new Error('pitfall v6-not-advertised: no ipv6 family with advertisements in the rendered BGP resources');
      r.files.set(CLUSTER_FILES.ciliumBgp, yamlDocs('PITFALL v6-not-advertised: the ipv6 family selects no advertisement', docs));
      return r;
    },
  },
];


/** The two mistakes of a second router: the nodes never told about it, the kernel told about one path only. */
PITFALLS.push(
  {
    name: 'first-router-only',
    mistake: 'the nodes peer with their datacentre\'s first router only (a Cilium BGP config kept from a one-router setup): the other routers learn the pod CIDRs over iBGP, which they pass to no other router, so remote routers have one path where there should be one per router',
    fix: 'list every router of the datacentre as a peer (CiliumBGPClusterConfig peers, or the peering policy\'s neighbors), as rendered',
    breaks: [1, 2, 10],
    severalRouters: true,
    apply: (t, opts) => {
      const r = severalRouters('first-router-only', t, opts);
      const docs = ciliumBgpDocs(r.model) as { kind: string; spec: { bgpInstances?: { peers: unknown[] }[]; virtualRouters?: { neighbors: unknown[] }[] } }[];
      for (const d of docs) {
        for (const i of d.spec.bgpInstances ?? []) i.peers = i.peers.slice(0, 1);
        for (const v of d.spec.virtualRouters ?? []) v.neighbors = v.neighbors.slice(0, 1);
      }
      r.files.set(CLUSTER_FILES.ciliumBgp, yamlDocs('PITFALL first-router-only: each datacentre\'s first router is the only peer', docs));
      return r;
    },
  },
  {
    name: 'no-merge-paths',
    mistake: 'BIRD\'s kernel protocol without `merge paths on`: of the equal-cost paths through a datacentre\'s routers the kernel gets only the best, so traffic into that datacentre takes one router, and losing it loses that traffic until the hold time expires',
    fix: '`merge paths on;` in the kernel protocol (as rendered where a datacentre has several routers)',
    breaks: [2],
    severalRouters: true,
    apply: (t, opts) => {
      const r = severalRouters('no-merge-paths', t, opts);
      for (const router of allRouters(r.model)) patch(r.files, routerPath(router.key, 'bird.conf'), (s) => s.replace(/^\s*merge paths on;\n/gm, ''));
      return r;
    },
  },
);

export function pitfall(name: string): Pitfall | undefined {
  return PITFALLS.find((p) => p.name === name);
}
