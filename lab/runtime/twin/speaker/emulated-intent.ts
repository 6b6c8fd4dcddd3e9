// The emulated speaker's reading of the cluster's BGP resources: which resource selects the node,
// its local ASN, peers, timers and what it advertises, as this project understands Cilium. Cilium's
// own speaker (cilium.ts) does not use it; `--speaker emulated` runs GoBGP from it.
import type { ServiceIntent } from '../lb-services.ts';
import { selects, type LabelSelector } from '../label-selector.ts';
import type { ManifestObject } from './manifests.ts';

export interface PeerIntent {
  address: string;
  asn: number;
  /** Address families the session carries (the peer config's families; IPv4 when it names none). */
  families: ('ipv4' | 'ipv6')[];
  connectRetry?: number;
  hold?: number;
  keepalive?: number;
}

export interface NodeBgpIntent {
  node: string;
  localAsn?: number;
  peers: PeerIntent[];
  advertise: string[];
  /** Which resources applied, and anything Cilium would complain about. */
  notes: string[];
}

type Doc = ManifestObject;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function timersOf(t: Record<string, unknown> | undefined): Omit<PeerIntent, 'address' | 'asn' | 'families'> {
  const out: Omit<PeerIntent, 'address' | 'asn' | 'families'> = {};
  const r = num(t?.['connectRetryTimeSeconds']);
  const h = num(t?.['holdTimeSeconds']);
  const k = num(t?.['keepAliveTimeSeconds']);
  if (r !== undefined) out.connectRetry = r;
  if (h !== undefined) out.hold = h;
  if (k !== undefined) out.keepalive = k;
  return out;
}

/** Cilium announces a LoadBalancer address from a node if policy Cluster, or Local with a ready backend there. */
function serviceRoutes(services: ServiceIntent[], selected: (s: ServiceIntent) => boolean, node: string, family: 'ipv4' | 'ipv6' = 'ipv4'): string[] {
  return services.filter((s) => selected(s) && (s.policy === 'Cluster' || s.backends.some((b) => b.node === node)))
    .flatMap((s) => (family === 'ipv4' ? (s.address ? [`${s.address}/32`] : []) : (s.address6 ? [`${s.address6}/128`] : [])));
}

function fromPeeringPolicy(policy: Doc, podCIDR: string, intent: NodeBgpIntent, services: ServiceIntent[]): void {
  const routers = (policy.spec?.['virtualRouters'] ?? []) as Record<string, unknown>[];
  const vr = routers[0];
  if (!vr) return;
  if (routers.length > 1) intent.notes.push(`${policy.metadata?.name}: only the first of ${routers.length} virtual routers is run`);
  intent.localAsn = num(vr['localASN']);
  for (const n of (vr['neighbors'] ?? []) as Record<string, unknown>[]) {
    const address = String(n['peerAddress'] ?? '').replace(/\/(32|128)$/, '');
    intent.peers.push({ address, asn: num(n['peerASN']) ?? 0, families: [address.includes(':') ? 'ipv6' : 'ipv4'], ...timersOf(n) });
  }
  if (vr['exportPodCIDR'] === true) intent.advertise.push(podCIDR);
  // serviceSelector: the LoadBalancer ingress IPs of the Services it selects (none without one).
  const svcSel = vr['serviceSelector'] as LabelSelector | undefined;
  if (svcSel) intent.advertise.push(...serviceRoutes(services, (s) => selects(svcSel, s.labels), intent.node));
}

function fromClusterConfig(cc: Doc, docs: Doc[], podCIDRs: { ipv4: string; ipv6?: string }, intent: NodeBgpIntent, services: ServiceIntent[]): void {
  const instances = (cc.spec?.['bgpInstances'] ?? []) as Record<string, unknown>[];
  const inst = instances[0];
  if (!inst) return;
  if (instances.length > 1) intent.notes.push(`${cc.metadata?.name}: only the first of ${instances.length} BGP instances is run`);
  intent.localAsn = num(inst['localASN']);
  const advertise = new Set<string>();
  for (const p of (inst['peers'] ?? []) as Record<string, unknown>[]) {
    const ref = (p['peerConfigRef'] as { name?: string } | undefined)?.name;
    const pc = ref ? docs.find((d) => d.kind === 'CiliumBGPPeerConfig' && d.metadata?.name === ref) : undefined;
    if (ref && !pc) intent.notes.push(`peer ${String(p['name'])}: CiliumBGPPeerConfig "${ref}" does not exist, so nothing is advertised to it`);
    if (!ref) intent.notes.push(`peer ${String(p['name'])}: no peerConfigRef, so Cilium advertises nothing to it`);
    const families = ((pc?.spec?.['families'] ?? []) as Record<string, unknown>[]).flatMap((f): ('ipv4' | 'ipv6')[] => (f['afi'] === 'ipv4' || f['afi'] === 'ipv6' ? [f['afi']] : []));
    intent.peers.push({ address: String(p['peerAddress'] ?? ''), asn: num(p['peerASN']) ?? 0, families: families.length > 0 ? families : ['ipv4'], ...timersOf(pc?.spec?.['timers'] as Record<string, unknown> | undefined) });
    for (const fam of (pc?.spec?.['families'] ?? []) as Record<string, unknown>[]) {
      const afi = fam['afi'];
      if (afi !== 'ipv4' && afi !== 'ipv6') continue;
      const podCIDR = afi === 'ipv4' ? podCIDRs.ipv4 : podCIDRs.ipv6;
      const sel = fam['advertisements'] as LabelSelector | undefined;
      if (!sel) continue; // no selector: Cilium advertises nothing for the family
      const ads = docs.filter((d) => d.kind === 'CiliumBGPAdvertisement' && selects(sel, d.metadata?.labels ?? {}));
      for (const ad of ads) {
        for (const a of (ad.spec?.['advertisements'] ?? []) as Record<string, unknown>[]) {
          if (a['advertisementType'] === 'PodCIDR' && podCIDR) advertise.add(podCIDR);
          const addresses = ((a['service'] as { addresses?: string[] } | undefined)?.addresses ?? []);
          const svcSel = a['selector'] as LabelSelector | undefined;
          // A Service advertisement without a selector selects no Service.
          if (a['advertisementType'] === 'Service' && addresses.includes('LoadBalancerIP') && svcSel) {
            for (const r of serviceRoutes(services, (s) => selects(svcSel, s.labels), intent.node, afi)) advertise.add(r);
          }
        }
      }
    }
  }
  intent.advertise.push(...advertise);
}

/** The BGP a node runs, as the Cilium agent would derive it from the resources and the node's labels. */
export function nodeIntent(docs: Doc[], node: { name: string; labels: Record<string, string>; podCIDR: string; podCIDR6?: string }, services: ServiceIntent[] = []): NodeBgpIntent {
  const intent: NodeBgpIntent = { node: node.name, peers: [], advertise: [], notes: [] };
  const pick = (kind: string) => docs.filter((d) => d.kind === kind && selects(d.spec?.['nodeSelector'] as LabelSelector | undefined, node.labels));
  const policies = pick('CiliumBGPPeeringPolicy');
  const configs = pick('CiliumBGPClusterConfig');
  const chosen = [...policies, ...configs];
  if (chosen.length === 0) {
    intent.notes.push('no BGP resource selects this node');
    return intent;
  }
  if (policies.length > 1 || configs.length > 1) {
    intent.notes.push(`several resources select this node (${chosen.map((d) => d.metadata?.name).join(', ')}); Cilium runs none of them`);
    return intent;
  }
  if (policies.length === 1 && configs.length === 1) {
    intent.notes.push('both a CiliumBGPPeeringPolicy and a CiliumBGPClusterConfig select this node; Cilium documents that they must not be combined, and the twin runs the peering policy');
  }
  const one = chosen[0]!;
  intent.notes.push(`selected by ${one.kind}/${one.metadata?.name}`);
  if (one.kind === 'CiliumBGPPeeringPolicy') fromPeeringPolicy(one, node.podCIDR, intent, services);
  else fromClusterConfig(one, docs, { ipv4: node.podCIDR, ...(node.podCIDR6 ? { ipv6: node.podCIDR6 } : {}) }, intent, services);
  return intent;
}

/**
 * gobgpd's TOML for an intent. Like Cilium's agent, which gives GoBGP listen port -1 unless a
 * CiliumBGPNodeConfigOverride sets localPort (getLocalPort, pkg/bgp/manager/manager.go), it does
 * not listen (port -1) and dials its routers; `listen` keeps the old emulation's listening GoBGP.
 */
export function gobgpToml(intent: NodeBgpIntent, routerId: string, opts: { listen?: boolean } = {}): string {
  const lines = ['[global.config]', `  as = ${intent.localAsn ?? 0}`, `  router-id = "${routerId}"`, `  port = ${opts.listen ? 179 : -1}`, `  local-address-list = ["${routerId}"]`, ''];
  for (const p of intent.peers) {
    lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${p.address}"`, `    peer-as = ${p.asn}`);
    const t: string[] = [];
    if (p.connectRetry !== undefined) t.push(`    connect-retry = ${p.connectRetry}`);
    if (p.hold !== undefined) t.push(`    hold-time = ${p.hold}`);
    if (p.keepalive !== undefined) t.push(`    keepalive-interval = ${p.keepalive}`);
    if (t.length > 0) lines.push('  [neighbors.timers.config]', ...t);
    for (const f of p.families) lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${f}-unicast"`);
    lines.push('');
  }
  return lines.join('\n');
}
