// cluster/load-balancer.yaml: the LB-IPAM pool, one LoadBalancer Service per topology service (its
// traffic policy, its fixed address) and its backend pods pinned to their nodes, in the API of the
// chosen Cilium version (lab/versions/cilium.ts). The Service advertisement lives in cilium-bgp.yaml.
import type { LabModel, ServiceModel } from '../topology/model.ts';
import { CILIUM_LINES, type CiliumLine } from '../versions/cilium.ts';
import { parseVersion, rowFor } from '../versions/semver.ts';
import { yamlDocs } from './yaml.ts';

/** Services carry this label; the pool and the BGP advertisements select it. */
export const SERVICE_LABEL = { 'native-routing-lab/advertise': 'bgp' } as const;
export const POOL_NAME = 'lab-pool';
/** Backend pods run BusyBox's tcpsvd, the image of the VM lab's probe pods (pinned by digest). */
export const BACKEND_IMAGE = 'docker.io/library/busybox:1.37.0@sha256:bdf57e528e45e4433820e045b29b4597825a1c9e38353532d90a01445013f82e';
/**
 * What a backend answers: the client address it saw, then its own address, so a probe knows which
 * backend answered. tcpsvd exports TCPREMOTEIP and TCPLOCALIP to the handler.
 */
export const BACKEND_ANSWER = 'echo $TCPREMOTEIP $TCPLOCALIP';

export function ciliumLine(m: LabModel): CiliumLine {
  const line = rowFor(CILIUM_LINES, parseVersion(m.versions.cilium)!);
  if (!line) throw new Error(`no Cilium line for ${m.versions.cilium}`);
  return line;
}

export function serviceSelector(s: ServiceModel): Record<string, string> {
  return { 'app.kubernetes.io/name': s.name };
}

function pool(m: LabModel, line: CiliumLine) {
  return {
    apiVersion: line.lbPool.apiVersion,
    kind: 'CiliumLoadBalancerIPPool',
    metadata: { name: POOL_NAME },
    spec: { [line.lbPool.blocksField]: [{ cidr: m.loadBalancer!.pool }], serviceSelector: { matchLabels: { ...SERVICE_LABEL } } },
  };
}

function service(s: ServiceModel, line: CiliumLine) {
  const annotated = line.lbAddressRequest === 'lbipam.cilium.io/ips';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: 'default',
      labels: { ...SERVICE_LABEL },
      ...(annotated ? { annotations: { 'lbipam.cilium.io/ips': s.address } } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: s.trafficPolicy,
      // LB-IPAM would pick any free address; the lab fixes it so both runtimes and the assertions know it.
      ...(annotated ? {} : { loadBalancerIP: s.address }),
      selector: serviceSelector(s),
      ports: [{ name: 'tcp', protocol: 'TCP', port: s.port, targetPort: s.port }],
    },
  };
}

function backendPod(s: ServiceModel, node: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${s.name}-${node}`, namespace: 'default', labels: serviceSelector(s) },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 0,
      containers: [{
        name: 'backend',
        image: BACKEND_IMAGE,
        command: ['tcpsvd', '0.0.0.0', String(s.port), 'sh', '-c', BACKEND_ANSWER],
        ports: [{ containerPort: s.port, protocol: 'TCP' }],
        // Ready once it listens: Cilium announces a Local service only from nodes with a ready backend.
        readinessProbe: { tcpSocket: { port: s.port }, periodSeconds: 2 },
      }],
    },
  };
}

export function loadBalancerDocs(m: LabModel): unknown[] {
  if (!m.loadBalancer) return [];
  const line = ciliumLine(m);
  return [pool(m, line), ...m.services.flatMap((s) => [service(s, line), ...s.backends.map((b) => backendPod(s, b))])];
}

export function renderLoadBalancer(m: LabModel): string {
  return yamlDocs(`Cilium ${m.versions.cilium} LB-IPAM pool, LoadBalancer Services (loadBalancer.mode ${m.loadBalancer?.mode ?? 'snat'}) and their backends.\nApply with: kubectl apply -f load-balancer.yaml`, loadBalancerDocs(m));
}

/** Kernel settings of a router: equal-cost next hops are chosen per connection (source and destination
 * address and port), not per address pair, or every connection of one client lands on one node. */
export const ROUTER_SYSCTLS = { 'net.ipv4.fib_multipath_hash_policy': '1' } as const;

export function renderRouterSysctl(): string {
  return ['# Rendered by native-routing-lab: spread connections over equal-cost routes (several nodes announcing one service address).',
    ...Object.entries(ROUTER_SYSCTLS).map(([k, v]) => `${k}=${v}`), ''].join('\n');
}
