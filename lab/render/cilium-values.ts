// cluster/cilium-values.yaml: the values Talos documents for Cilium, plus native routing over BGP.
import { isDualStack, type LabModel } from '../topology/model.ts';
import { yamlDocs } from './yaml.ts';

/**
 * Dual-stack: IPv6 beside IPv4 (ipv4.enabled is the chart's default). The chart turns these into the
 * agent's enable-ipv6, ipv6-native-routing-cidr and enable-ipv6-masquerade (templates/cilium-configmap.yaml).
 * With ipam.mode kubernetes the agent takes each family's pod CIDR from the Node's spec.podCIDRs, which
 * kube-controller-manager fills from both of Talos's podSubnets; that mode turns k8s-require-ipv6-pod-cidr
 * on by itself when IPv6 is (Documentation/network/concepts/ipam/kubernetes.rst), so IPAM needs no more keys.
 */
function ipv6Values(m: LabModel): Record<string, unknown> {
  if (!isDualStack(m)) return {};
  return {
    ipv6: { enabled: true },
    ipv6NativeRoutingCIDR: m.cluster.podCIDR6!,
    // cilium.masquerade governs both families: off, pods keep their IPv6 addresses end to end as their
    // IPv4 ones; on (the negative controls' "Cilium defaults"), as the chart's own default
    // (enableIPv6Masquerade: true, install/kubernetes/cilium/values.yaml at 1.20.2).
    enableIPv6Masquerade: m.cilium.masquerade,
  };
}

export function ciliumValues(m: LabModel): Record<string, unknown> {
  const native = m.cilium.routingMode === 'native';
  return {
    ipam: { mode: 'kubernetes' },
    kubeProxyReplacement: true,
    securityContext: {
      capabilities: {
        ciliumAgent: ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_ADMIN', 'SYS_RESOURCE', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
        cleanCiliumState: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE'],
      },
    },
    cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' },
    // KubePrism: the API server through Talos' local load balancer.
    k8sServiceHost: 'localhost',
    k8sServicePort: 7445,
    routingMode: m.cilium.routingMode,
    ...(native ? {} : { tunnelProtocol: 'vxlan' }),
    ipv4NativeRoutingCIDR: m.cluster.podCIDR,
    enableIPv4Masquerade: m.cilium.masquerade,
    ...ipv6Values(m),
    autoDirectNodeRoutes: m.cilium.autoDirectNodeRoutes,
    bgpControlPlane: { enabled: true },
    // How a node forwards to a backend on another node: snat (the node's address), dsr (the backend
    // answers the client itself) or hybrid. The chart reads it (templates/cilium-configmap.yaml:
    // bpf-lb-mode) though values.yaml leaves it commented out. kubeProxyReplacement above is what
    // makes Cilium's eBPF load balancer serve LoadBalancer Services at all.
    ...(m.loadBalancer ? { loadBalancer: { mode: m.loadBalancer.mode } } : {}),
  };
}

export function renderCiliumValues(m: LabModel): string {
  const mode = m.cilium.routingMode === 'native' ? 'native routing, pod addresses kept end to end' : 'TUNNEL MODE (negative control)';
  return yamlDocs(`Cilium ${m.versions.cilium} Helm values: ${mode}.\nInstall with: helm install cilium cilium/cilium --version ${m.versions.cilium} -n kube-system -f cilium-values.yaml`, [ciliumValues(m)]);
}
