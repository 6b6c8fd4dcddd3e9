// cluster/cilium-values.yaml: the values Talos documents for Cilium, plus native routing over BGP.
import type { LabModel } from '../topology/model.ts';
import { yamlDocs } from './yaml.ts';

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
