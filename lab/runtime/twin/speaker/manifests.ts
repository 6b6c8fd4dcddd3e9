// Kubernetes manifests as `kubectl apply -f` takes them: any stream of objects. The kinds Cilium's
// BGP control plane and LB-IPAM read go to the speakers; every other kind is named once as not used
// by the twin. Pure; the schema check against the release's CRDs is the speaker's (`speaker check`).
import { parseAllDocuments } from 'yaml';
import { InputError, type InputIssue } from '../../../topology/errors.ts';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ManifestDoc {
  /** "cilium-bgp.yaml document 3 (CiliumBGPPeerConfig/router)": what an error names. */
  source: string;
  object: ManifestObject;
}

export interface Manifests {
  used: ManifestDoc[];
  /** Other cilium.io kinds: not fed, but checked against the release's CRDs (a misspelt kind is refused). */
  checkOnly: ManifestDoc[];
  /** One line per kind the twin does not feed (e.g. "Namespace/bgp, Deployment/web: not used by the twin"). */
  unused: string[];
}

/** What Cilium's BGP control plane (agent and operator) and LB-IPAM read. */
const USED: Record<string, readonly string[]> = {
  'cilium.io': ['CiliumBGPPeeringPolicy', 'CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement', 'CiliumBGPNodeConfigOverride', 'CiliumBGPNodeConfig', 'CiliumLoadBalancerIPPool'],
  '': ['Service', 'Secret'],
  'discovery.k8s.io': ['EndpointSlice'],
};

/** Namespaced kinds among the used ones: kubectl puts them in "default" when the file names none. */
const NAMESPACED = new Set(['Service', 'Secret', 'EndpointSlice']);

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

export function isUsedKind(apiVersion: string, kind: string): boolean {
  return USED[groupOf(apiVersion)]?.includes(kind) === true;
}

/** Parses a manifest stream; malformed documents are an input error (exit 2) naming the document. */
export function readManifests(text: string, source: string): Manifests {
  const issues: InputIssue[] = [];
  const used: ManifestDoc[] = [];
  const checkOnly: ManifestDoc[] = [];
  const unused = new Map<string, string[]>();
  parseAllDocuments(text).forEach((d, i) => {
    const at = `${source} document ${i + 1}`;
    if (d.errors.length > 0) {
      issues.push({ field: at, problem: d.errors[0]!.message.split('\n')[0]!, fix: 'correct the YAML syntax' });
      return;
    }
    const raw = d.toJS() as unknown;
    if (raw === null || raw === undefined) return; // an empty document, as between two `---`
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      issues.push({ field: at, problem: 'is not a Kubernetes object (a mapping with apiVersion, kind and metadata)', fix: 'give each document apiVersion, kind and metadata.name' });
      return;
    }
    const o = raw as Partial<ManifestObject>;
    const name = o.metadata?.name;
    const where = `${at}${o.kind && name ? ` (${o.kind}/${name})` : ''}`;
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '') issues.push({ field: `${where}.apiVersion`, problem: 'missing', fix: 'add the API version, e.g. cilium.io/v2' });
    else if (typeof o.kind !== 'string' || o.kind === '') issues.push({ field: `${where}.kind`, problem: 'missing', fix: 'add the kind, e.g. CiliumBGPClusterConfig' });
    else if (o.kind.endsWith('List')) issues.push({ field: `${where}.kind`, problem: `${o.kind} is a list`, fix: 'give each object its own document (separated by ---)' });
    else if (typeof name !== 'string' || name === '') issues.push({ field: `${where}.metadata.name`, problem: 'missing', fix: 'name the object' });
    else if (!isUsedKind(o.apiVersion, o.kind)) {
      unused.set(o.kind, [...(unused.get(o.kind) ?? []), name]);
      if (groupOf(o.apiVersion) === 'cilium.io') checkOnly.push({ source: where, object: structuredClone(o) as ManifestObject });
    }
    else {
      const object = structuredClone(o) as ManifestObject;
      if (NAMESPACED.has(object.kind) && !object.metadata.namespace) object.metadata.namespace = 'default';
      used.push({ source: where, object });
    }
  });
  if (issues.length > 0) throw new InputError(issues, 'Kubernetes manifests');
  return { used, checkOnly, unused: [...unused].map(([kind, names]) => `${kind} ${names.join(', ')}: not used by the twin (Cilium's BGP control plane and LB-IPAM do not read it)`) };
}

/** Objects of `extra` replace those of `base` with the same kind, namespace and name (a later apply wins). */
export function overlay(base: ManifestDoc[], extra: ManifestDoc[]): ManifestDoc[] {
  const key = (d: ManifestDoc) => `${d.object.kind}/${d.object.metadata.namespace ?? ''}/${d.object.metadata.name}`;
  const replaced = new Set(extra.map(key));
  return [...base.filter((d) => !replaced.has(key(d))), ...extra];
}

/**
 * What a lab's speakers are fed: the rendered cluster/cilium-bgp.yaml (or the user's own file,
 * `--cilium-bgp`) and the rendered cluster/load-balancer.yaml. Its Pods are not fed (their
 * EndpointSlices stand for them: cluster-objects.ts); the user's objects replace rendered ones of
 * the same kind and name, and the user's unused kinds are named.
 */
export function labManifests(files: ReadonlyMap<string, string>, ciliumBgpText?: string): Manifests {
  const lb = files.get('cluster/load-balancer.yaml');
  const rendered = [
    ...(ciliumBgpText === undefined ? readManifests(files.get('cluster/cilium-bgp.yaml') ?? '', 'cluster/cilium-bgp.yaml').used : []),
    ...(lb === undefined ? [] : readManifests(lb, 'cluster/load-balancer.yaml').used),
  ];
  if (ciliumBgpText === undefined) return { used: rendered, checkOnly: [], unused: [] };
  const own = readManifests(ciliumBgpText, '--cilium-bgp');
  return { used: overlay(rendered, own.used), checkOnly: own.checkOnly, unused: own.unused };
}
