// What Cilium's LB-IPAM and service load balancer make of the rendered cluster/load-balancer.yaml:
// each LoadBalancer Service's address (requested and inside a pool that selects it), port, traffic
// policy and backend pods (selected by label, pinned to a node). Pure; the twin's node datapath and
// GoBGP announcements are built from this, never from the topology directly.
import { parseAllDocuments } from 'yaml';
import * as ip from '../../topology/cidr.ts';
import * as ip6 from '../../topology/cidr6.ts';
import type { BackendPod } from '../../topology/services.ts';
import { selects, type LabelSelector } from './label-selector.ts';

export interface ServiceBackend {
  pod: string;
  node: string;
  address: string;
  /** Dual-stack: the backend pod's IPv6 address. */
  address6?: string;
}

export interface ServicePort {
  protocol: 'TCP' | 'UDP';
  port: number;
  targetPort: number;
}

export interface ServiceIntent {
  name: string;
  labels: Record<string, string>;
  /** Undefined when LB-IPAM would leave the Service pending (no pool selects it, address outside). */
  address: string | undefined;
  /** Dual-stack: the IPv6 address LB-IPAM gives it (requested, inside a pool that selects it). */
  address6?: string;
  /** The first TCP port's target port (what the echo backends answer on), 0 if none. */
  targetPort: number;
  /** Every TCP and UDP port the Service declares: Cilium balances these and no others. */
  ports: ServicePort[];
  policy: 'Local' | 'Cluster';
  backends: ServiceBackend[];
  notes: string[];
}

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };

function pools(docs: Doc[]): { name: string; cidrs: ip.Cidr[]; cidrs6: ip6.Cidr6[]; selector: LabelSelector | undefined }[] {
  return docs.filter((d) => d.kind === 'CiliumLoadBalancerIPPool' && d.spec?.['disabled'] !== true).map((d) => {
    // spec.blocks from 1.15, spec.cidrs before (lab/versions/cilium.ts); both are lists of { cidr }.
    const texts = ((d.spec?.['blocks'] ?? d.spec?.['cidrs'] ?? []) as { cidr?: string }[]).map((b) => b.cidr ?? '');
    const blocks = texts.flatMap((t) => {
      const c = ip.parseCidr(t);
      return 'error' in c ? [] : [c];
    });
    const blocks6 = texts.filter((t) => t.includes(':')).flatMap((t) => {
      const c = ip6.parseCidr6(t);
      return 'error' in c ? [] : [c];
    });
    return { name: d.metadata?.name ?? '?', cidrs: blocks, cidrs6: blocks6, selector: d.spec?.['serviceSelector'] as LabelSelector | undefined };
  });
}

/** Services of type LoadBalancer with their addresses and backends; podAddress is the twin's pod IPAM. */
export function serviceIntents(text: string, podAddress: (pod: string) => BackendPod | undefined): ServiceIntent[] {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc | null).filter((d): d is Doc => d !== null);
  const poolList = pools(docs);
  const pods = docs.filter((d) => d.kind === 'Pod');
  const taken = new Set<string>();
  const intents = docs.filter((d) => d.kind === 'Service' && d.spec?.['type'] === 'LoadBalancer').map((svc): ServiceIntent => {
    const labels = svc.metadata?.labels ?? {};
    const notes: string[] = [];
    // Kubernetes defaults a port's protocol to TCP and its targetPort to the port (a named targetPort
    // would need the pod's containerPorts: the lab renders numbers only).
    const ports = ((svc.spec?.['ports'] ?? []) as { protocol?: string; port?: number; targetPort?: number | string }[]).flatMap((p): ServicePort[] => {
      const protocol = p.protocol ?? 'TCP';
      if ((protocol !== 'TCP' && protocol !== 'UDP') || typeof p.port !== 'number') return [];
      return [{ protocol, port: p.port, targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port }];
    });
    const tcp = ports.find((p) => p.protocol === 'TCP');
    // The annotation lists one address per family ("10.250.0.1,2001:db8:250::1").
    const asked = (svc.metadata?.annotations?.['lbipam.cilium.io/ips'] ?? (svc.spec?.['loadBalancerIP'] as string | undefined))?.split(',').map((a) => a.trim());
    const requested = asked?.find((a) => !a.includes(':'));
    const requested6 = asked?.find((a) => a.includes(':'));
    const eligible = poolList.filter((p) => selects(p.selector, labels));
    let address: string | undefined;
    if (eligible.length === 0) notes.push('no CiliumLoadBalancerIPPool selects it: LB-IPAM leaves it pending');
    else if (requested !== undefined) {
      const a = ip.parseIp(requested);
      if (a !== undefined && eligible.some((p) => p.cidrs.some((c) => ip.contains(c, a)))) address = requested;
      else notes.push(`requested ${requested} is in no pool that selects it: LB-IPAM leaves it pending`);
    }
    const selector = (svc.spec?.['selector'] ?? {}) as Record<string, string>;
    const backends = pods
      .filter((p) => (p.metadata?.namespace ?? 'default') === (svc.metadata?.namespace ?? 'default') && Object.keys(selector).length > 0 && selects({ matchLabels: selector }, p.metadata?.labels ?? {}))
      .flatMap((p): ServiceBackend[] => {
        const placed = podAddress(p.metadata?.name ?? '');
        const node = p.spec?.['nodeName'];
        if (!placed || typeof node !== 'string') {
          notes.push(`pod ${p.metadata?.name}: not placed by the twin (no nodeName or unknown pod)`);
          return [];
        }
        return [{ pod: placed.name, node, address: placed.address, ...(placed.address6 ? { address6: placed.address6 } : {}) }];
      });
    if (address) taken.add(address);
    // Dual-stack: the IPv6 address, when a pool that selects the Service has a block holding it.
    const address6 = requested6 !== undefined && eligible.some((p) => p.cidrs6.some((c) => ip6.contains6(c, ip6.parseIp6(requested6) ?? -1n))) ? ip6.formatIp6(ip6.parseIp6(requested6)!) : undefined;
    if (requested6 !== undefined && address6 === undefined) notes.push(`requested ${requested6} is in no pool that selects it: it gets no IPv6 address`);
    return {
      name: svc.metadata?.name ?? '?', labels, address, ...(address6 ? { address6 } : {}),
      targetPort: tcp?.targetPort ?? 0, ports,
      policy: svc.spec?.['externalTrafficPolicy'] === 'Local' ? 'Local' : 'Cluster',
      backends, notes,
    };
  });
  // A Service that requests nothing gets the first free address of the first pool that selects it.
  for (const s of intents) {
    if (s.address !== undefined || s.notes.length > 0) continue;
    const p = poolList.find((x) => selects(x.selector, s.labels));
    for (const c of p?.cidrs ?? []) {
      for (let n = 1; s.address === undefined; n++) {
        const h = ip.host(c, n);
        if (h === undefined) break;
        if (!taken.has(ip.formatIp(h))) s.address = ip.formatIp(h);
      }
    }
    if (s.address) taken.add(s.address);
  }
  return intents;
}
