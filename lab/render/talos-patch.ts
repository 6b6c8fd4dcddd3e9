// cluster/talos-patch.yaml: no CNI (Cilium is installed by Helm), no kube-proxy (Cilium replaces it),
// the install disk, and the cluster's pod network. Its form follows the Talos release line.
import type { LabModel } from '../topology/model.ts';
import { parseVersion, rowFor } from '../versions/semver.ts';
import { TALOS_LINES, type TalosLine } from '../versions/talos.ts';
import { yamlDocs } from './yaml.ts';

export const INSTALL_DISK = '/dev/vda';
export const SERVICE_SUBNET = '10.96.0.0/12';

export function talosLine(m: LabModel): TalosLine {
  const v = parseVersion(m.versions.talos);
  const row = v && rowFor(TALOS_LINES, v);
  if (!row) throw new Error(`no Talos line for ${m.versions.talos}`); // resolve() already refused it
  return row;
}

function v1alpha1(m: LabModel): unknown[] {
  return [{
    machine: { install: { disk: INSTALL_DISK } },
    cluster: {
      network: { cni: { name: 'none' }, podSubnets: [m.cluster.podCIDR], serviceSubnets: [SERVICE_SUBNET] },
      proxy: { disabled: true },
      controllerManager: { extraArgs: { 'node-cidr-mask-size-ipv4': String(m.cluster.nodeMaskSize) } },
    },
  }];
}

function multiDoc(m: LabModel): unknown[] {
  return [
    // Talos 1.14 expresses "no CNI" by deleting the Flannel document that gen config emits.
    { apiVersion: 'v1alpha1', kind: 'KubeFlannelCNIConfig', $patch: 'delete' },
    // Talos skips the other fields when enabled is false; the schema still requires an image.
    { apiVersion: 'v1alpha1', kind: 'KubeProxyConfig', enabled: false, image: 'registry.k8s.io/kube-proxy' },
    {
      apiVersion: 'v1alpha1', kind: 'KubeNetworkConfig',
      podSubnets: [m.cluster.podCIDR], serviceSubnets: [SERVICE_SUBNET], nodeCIDRMaskSizeIPv4: m.cluster.nodeMaskSize,
    },
    {
      apiVersion: 'v1alpha1', kind: 'UnattendedInstallConfig',
      provisioning: { diskSelector: { match: `disk.dev_path == "${INSTALL_DISK}"` } },
    },
  ];
}

export function renderTalosPatch(m: LabModel): string {
  const line = talosLine(m);
  const header = `Talos ${m.versions.talos} machine-config patch, ${line.patch} form (${line.note}).\nApply with: talosctl gen config <cluster> <endpoint> --config-patch @talos-patch.yaml`;
  return yamlDocs(header, line.patch === 'v1alpha1' ? v1alpha1(m) : multiDoc(m));
}
