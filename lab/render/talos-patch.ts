// The Talos machine-config patches: no CNI (Cilium is installed by Helm), no kube-proxy (Cilium replaces
// it), the install disk, the cluster's pod network, and KubePrism where the line lacks it by default. Two
// files, applied the way `talosctl gen config --config-patch @common --config-patch-control-plane @cp`
// applies them:
//   - cluster/talos-patch.yaml: every machine;
//   - cluster/talos-patch-controlplane.yaml: control plane machines only. A patch document missing from
//     the base config is appended (configpatcher/strategic.go), and Talos refuses control-plane-only kinds
//     on a worker ("the following document kinds are only allowed on control plane machines",
//     config/container/validate.go), so those kinds must never reach a worker.
// Its form follows the Talos release line. Checked by Talos's own code in test/unit/talos-library.test.ts.
import { isDualStack, type LabModel } from '../topology/model.ts';
import { talosLineOf, type TalosLine } from '../versions/talos.ts';
import { multiDocNetwork, v1alpha1Interfaces } from './talos-network.ts';
import { yamlDocs } from './yaml.ts';

export const INSTALL_DISK = '/dev/vda';
export const SERVICE_SUBNET = '10.96.0.0/12';
/**
 * The IPv6 service CIDR of a dual-stack cluster, in the documentation prefix like every lab IPv6 default.
 * A service range holds at most 20 host bits: kube-apiserver wants an IPv6 one of /108 or longer, and
 * Talos 1.14 checks the same (types/k8s/network.go validateServiceSubnetSize, MaxHostBitsForServiceSubnet).
 */
export const SERVICE_SUBNET6 = '2001:db8:96::/112';
/** KubePrism's port (constants.DefaultKubePrismPort); the Cilium values' k8sServicePort points at it. */
export const KUBEPRISM_PORT = 7445;

export const TALOS_PATCH_FILES = {
  common: 'talos-patch.yaml',
  controlPlane: 'talos-patch-controlplane.yaml',
} as const;

export function talosLine(m: LabModel): TalosLine {
  const row = talosLineOf(m.versions.talos);
  if (!row) throw new Error(`no Talos line for ${m.versions.talos}`); // resolve() already refused it
  return row;
}

export interface TalosPatchDocs {
  /** For every machine. */
  common: unknown[];
  /** For control plane machines only. */
  controlPlane: unknown[];
  /** What each file holds, for its header. */
  says: { common: string; controlPlane: string };
}

/** IPv4 first, as the IPv4 render has it: Kubernetes takes the first of each list as the primary family. */
function podSubnets(m: LabModel): string[] {
  return isDualStack(m) ? [m.cluster.podCIDR, m.cluster.podCIDR6!] : [m.cluster.podCIDR];
}

function serviceSubnets(m: LabModel): string[] {
  return isDualStack(m) ? [SERVICE_SUBNET, SERVICE_SUBNET6] : [SERVICE_SUBNET];
}

/**
 * kube-controller-manager's node CIDR mask sizes. A dual-stack cluster needs the per-family flags
 * (cmd/kube-controller-manager/app/core.go setNodeCIDRMaskSizes: --node-cidr-mask-size "is not allowed
 * with dual-stack clusters"); an IPv4 one keeps the -ipv4 flag it always had.
 */
function maskSizeArgs(m: LabModel): Record<string, string> {
  const v4 = { 'node-cidr-mask-size-ipv4': String(m.cluster.nodeMaskSize) };
  return isDualStack(m) ? { ...v4, 'node-cidr-mask-size-ipv6': String(m.cluster.nodeMaskSize6!) } : v4;
}

const dualSays = (m: LabModel) => (isDualStack(m) ? ', IPv4 and IPv6' : '');

function v1alpha1(m: LabModel, line: TalosLine): TalosPatchDocs {
  const machine: Record<string, unknown> = { install: { disk: INSTALL_DISK } };
  if (!line.kubePrismByDefault) machine['features'] = { kubePrism: { enabled: true, port: KUBEPRISM_PORT } };
  // Dual-stack: DHCPv4 and DHCPv6 on the LAN link (talos-network.ts).
  if (isDualStack(m)) machine['network'] = { interfaces: v1alpha1Interfaces() };
  return {
    // As Talos's Cilium guide patches every node: workers read cluster.network too.
    common: [{
      machine,
      cluster: {
        network: { cni: { name: 'none' }, podSubnets: podSubnets(m), serviceSubnets: serviceSubnets(m) },
        proxy: { disabled: true },
      },
    }],
    // Only control planes run kube-controller-manager (1.14 makes its document control-plane-only).
    controlPlane: [{
      cluster: { controllerManager: { extraArgs: maskSizeArgs(m) } },
    }],
    says: {
      common: `machine.install, cluster.network (CNI none, pod and service subnets${dualSays(m)}), cluster.proxy disabled${line.kubePrismByDefault ? '' : ', machine.features.kubePrism on (off by default before Talos 1.6)'}${isDualStack(m) ? ', machine.network.interfaces (DHCPv4 and DHCPv6 on the LAN link)' : ''}`,
      controlPlane: 'cluster.controllerManager (node CIDR mask size): only control planes run it',
    },
  };
}

function multiDoc(m: LabModel): TalosPatchDocs {
  return {
    common: [
      // gen config emits KubeNetworkConfig and UnattendedInstallConfig for workers too
      // (generate/kubernetes.go generateKubernetesUniversalConfigs, generate/worker.go), so they merge.
      {
        apiVersion: 'v1alpha1', kind: 'KubeNetworkConfig',
        podSubnets: podSubnets(m), serviceSubnets: serviceSubnets(m), nodeCIDRMaskSizeIPv4: m.cluster.nodeMaskSize,
        // Talos's KubeNetworkConfig (types/k8s/network.go): nodeCIDRMaskSizeIPv6, default 64.
        ...(isDualStack(m) ? { nodeCIDRMaskSizeIPv6: m.cluster.nodeMaskSize6! } : {}),
      },
      {
        apiVersion: 'v1alpha1', kind: 'UnattendedInstallConfig',
        provisioning: { diskSelector: { match: `disk.dev_path == "${INSTALL_DISK}"` } },
      },
      // Dual-stack: DHCPv4 and DHCPv6 on the LAN link (talos-network.ts).
      ...(isDualStack(m) ? multiDocNetwork() : []),
    ],
    // Both kinds implement container.ControlplaneOnlyConfig (types/k8s/flannel.go, types/k8s/proxy.go).
    controlPlane: [
      // "No CNI": delete the Flannel document gen config emits for control planes.
      { apiVersion: 'v1alpha1', kind: 'KubeFlannelCNIConfig', $patch: 'delete' },
      // Talos skips the other fields when enabled is false; the schema still requires an image.
      { apiVersion: 'v1alpha1', kind: 'KubeProxyConfig', enabled: false, image: 'registry.k8s.io/kube-proxy' },
    ],
    says: {
      common: `KubeNetworkConfig (pod and service subnets${dualSays(m)}, node CIDR mask size${isDualStack(m) ? 's' : ''}), UnattendedInstallConfig (install disk)${isDualStack(m) ? ', LinkAliasConfig, DHCPv4Config and DHCPv6Config (the LAN link)' : ''}`,
      controlPlane: 'KubeFlannelCNIConfig deleted, KubeProxyConfig disabled: control-plane-only kinds, which Talos refuses on a worker',
    },
  };
}

export function talosPatchDocs(m: LabModel): TalosPatchDocs {
  const line = talosLine(m);
  return line.patch === 'v1alpha1' ? v1alpha1(m, line) : multiDoc(m);
}

export interface TalosPatches {
  common: string;
  controlPlane: string;
}

export function renderTalosPatches(m: LabModel): TalosPatches {
  const line = talosLine(m);
  const docs = talosPatchDocs(m);
  const apply = `Apply with: talosctl gen config <cluster> <endpoint> --config-patch @${TALOS_PATCH_FILES.common} --config-patch-control-plane @${TALOS_PATCH_FILES.controlPlane}`;
  const header = (who: string, says: string) => `Talos ${m.versions.talos} machine-config patch for ${who}, ${line.patch} form: ${says}.\n${apply}`;
  return {
    common: yamlDocs(header('every machine', docs.says.common), docs.common),
    controlPlane: yamlDocs(header('control plane machines only', docs.says.controlPlane), docs.controlPlane),
  };
}
