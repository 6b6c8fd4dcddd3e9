// What the cluster's API server would hold for Cilium's BGP control plane beside the manifests:
// a Node and a CiliumNode per node and an EndpointSlice per Service with ready backends. Pure;
// both speakers read node labels from here, so both select nodes alike.
import { parse } from 'yaml';
import { CLUSTER_FILES, renderedText, type RenderedFiles } from '../../../render/index.ts';
import { allNodes, type LabModel, type NodeModel } from '../../../topology/model.ts';
import { podOf } from '../../../topology/pods.ts';
import type { ServiceIntent } from '../lb-services.ts';
import type { ManifestDoc, ManifestObject } from './manifests.ts';

/**
 * A node's labels as the cluster has them: cluster/node-labels.yaml (dc and the topology's own)
 * over what the kubelet sets on every node (kubernetes.io/hostname, os, arch) and Talos on a
 * control plane (node-role.kubernetes.io/control-plane), since a user's nodeSelector may use those.
 */
export function nodeLabels(m: LabModel, files: RenderedFiles): Map<string, Record<string, string>> {
  const rendered = new Map<string, Record<string, string>>();
  for (const d of renderedText(files, CLUSTER_FILES.nodeLabels).split(/^---$/m)) {
    const doc = parse(d) as { metadata?: { name?: string; labels?: Record<string, string> } } | null;
    if (doc?.metadata?.name) rendered.set(doc.metadata.name, doc.metadata.labels ?? {});
  }
  return new Map(allNodes(m).map((n) => [n.name, {
    'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    ...(n.role === 'controlplane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    ...rendered.get(n.name),
  }]));
}

function nodeObjects(n: NodeModel, labels: Record<string, string>): ManifestObject[] {
  const pod = podOf(n); // cilium_host's addresses: the pods' gateways
  // Dual-stack: both families, IPv4 first (a dual-stack node's Kubernetes order).
  const podCIDRs = [n.podCIDR, ...(n.podCIDR6 ? [n.podCIDR6] : [])];
  const internal = [{ type: 'InternalIP', ip: n.address }, ...(n.address6 ? [{ type: 'InternalIP', ip: n.address6 }] : [])];
  const ciliumInternal = [{ type: 'CiliumInternalIP', ip: pod.gateway }, ...(pod.gateway6 ? [{ type: 'CiliumInternalIP', ip: pod.gateway6 }] : [])];
  return [
    {
      apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels },
      spec: { podCIDR: n.podCIDR, podCIDRs },
      status: { addresses: [...internal.map((a) => ({ type: a.type, address: a.ip })), { type: 'Hostname', address: n.name }] },
    },
    {
      // IPAM kubernetes: the agent copies the Node's podCIDRs into its CiliumNode; the BGP
      // control plane reads PodCIDRs and (router-ID mode default) the IPv4 InternalIP from here.
      apiVersion: 'cilium.io/v2', kind: 'CiliumNode', metadata: { name: n.name, labels },
      spec: { addresses: [...internal, ...ciliumInternal], ipam: { podCIDRs } },
    },
  ];
}

/**
 * The EndpointSlices Kubernetes' controller writes for a Service's ready backend pods (nodeName
 * set): one per address family, as the controller does for a dual-stack Service.
 */
function endpointSlices(s: ServiceIntent): ManifestObject[] {
  const slice = (family: 'IPv4' | 'IPv6', name: string, address: (b: ServiceIntent['backends'][number]) => string | undefined): ManifestObject[] => {
    const backends = s.backends.filter((b) => address(b) !== undefined);
    if (backends.length === 0) return [];
    return [{
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      addressType: family,
      endpoints: backends.map((b) => ({
        addresses: [address(b)!], conditions: { ready: true, serving: true, terminating: false }, nodeName: b.node,
        targetRef: { kind: 'Pod', namespace: 'default', name: b.pod },
      })),
      ports: [{ name: 'tcp', port: s.targetPort, protocol: 'TCP' }],
    }];
  };
  return [...slice('IPv4', `${s.name}-lab`, (b) => b.address), ...slice('IPv6', `${s.name}-lab-v6`, (b) => b.address6)];
}

/** Every object a speaker is fed: the manifests first, then what the cluster holds. */
export function clusterObjects(m: LabModel, files: RenderedFiles, manifests: ManifestDoc[], services: ServiceIntent[]): ManifestDoc[] {
  const labels = nodeLabels(m, files);
  const cluster: ManifestDoc[] = [];
  for (const n of allNodes(m)) for (const o of nodeObjects(n, labels.get(n.name) ?? {})) cluster.push({ source: `the cluster (${o.kind}/${n.name})`, object: o });
  for (const s of services) for (const o of endpointSlices(s)) cluster.push({ source: `the cluster (EndpointSlice ${o.metadata.name})`, object: o });
  return [...manifests, ...cluster];
}
