// cluster/node-labels.yaml: the labels the BGP resources select nodes by (dc: <name>, plus the
// topology's own), as Node patches for `kubectl apply --server-side` / `kubectl label`.
import { allNodes, type LabModel } from '../topology/model.ts';
import { yamlDocs } from './yaml.ts';

export function nodeLabelDocs(m: LabModel): { apiVersion: 'v1'; kind: 'Node'; metadata: { name: string; labels: Record<string, string> } }[] {
  return allNodes(m).map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels: { ...n.labels } } }));
}

export function renderNodeLabels(m: LabModel): string {
  return yamlDocs('Node labels. Apply with: kubectl apply --server-side --field-manager=native-routing-lab -f node-labels.yaml', nodeLabelDocs(m));
}
