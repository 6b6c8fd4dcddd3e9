// What Cilium's LB-IPAM and service load balancer make of the rendered cluster/load-balancer.yaml:
// each LoadBalancer Service's address (requested and inside a pool that selects it), port, traffic
// policy and backend pods (selected by label, pinned to a node). Pure; the twin's node datapath and
// GoBGP announcements are built from this, never from the topology directly.
import { parseAllDocuments } from 'yaml';
import * as ip from '../../topology/cidr.ts';
import type { BackendPod } from '../../topology/services.ts';
import { selects, type LabelSelector } from './label-selector.ts';

export interface ServiceBackend {
  pod: string;
  node: string;
  address: string;
}

export interface ServiceIntent {
  name: string;
  labels: Record<string, string>;
  /** Undefined when LB-IPAM would leave the Service pending (no pool selects it, address outside). */
  address: string | undefined;
  port: number;
  targetPort: number;
  policy: 'Local' | 'Cluster';
  backends: ServiceBackend[];
  notes: string[];
}

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };

function pools(docs: Doc[]): { name: string; cidrs: ip.Cidr[]; selector: LabelSelector | undefined }[] {
  return docs.filter((d) => d.kind === 'CiliumLoadBalancerIPPool' && d.spec?.['disabled'] !== true).map((d) => {
    // spec.blocks from 1.15, spec.cidrs before (lab/versions/cilium.ts); both are lists of { cidr }.
    const blocks = ((d.spec?.['blocks'] ?? d.spec?.['cidrs'] ?? []) as { cidr?: string }[]).flatMap((b) => {
      const c = b.cidr ? ip.parseCidr(b.cidr) : { error: 'no cidr' };
      return 'error' in c ? [] : [c];
    });
    return { name: d.metadata?.name ?? '?', cidrs: blocks, selector: d.spec?.['serviceSelector'] as LabelSelector | undefined };
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
    const port = (svc.spec?.['ports'] as { port?: number; targetPort?: number }[] | undefined)?.[0];
    const requested = svc.metadata?.annotations?.['lbipam.cilium.io/ips'] ?? (svc.spec?.['loadBalancerIP'] as string | undefined);
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
        return [{ pod: placed.name, node, address: placed.address }];
      });
    if (address) taken.add(address);
    return {
      name: svc.metadata?.name ?? '?', labels, address,
      port: port?.port ?? 0, targetPort: port?.targetPort ?? port?.port ?? 0,
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
