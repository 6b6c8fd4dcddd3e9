// cluster/load-balancer.yaml: the LB-IPAM pool, one LoadBalancer Service per topology service (its
// traffic policy, its fixed address) and its backend pods pinned to their nodes, in the API of the
// chosen Cilium version (lab/versions/cilium.ts). The Service advertisement lives in cilium-bgp.yaml.
// Dual-stack: the pool has an IPv6 block too, and every Service asks for an address of each family.
import { isDualStack, type LabModel, type ServiceModel } from '../topology/model.ts';
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
/**
 * Every Service also carries the loss meter's numbered datagrams (UDP) to its backends, so a fault
 * is measured from a LAN host to the LoadBalancer address too. Cilium balances only the ports a
 * Service declares, hence a port of its own; nothing in the VM lab listens on it.
 */
export const LOSS_METER_PORT = 7072;
const LOSS_METER = { name: 'loss-meter', protocol: 'UDP', port: LOSS_METER_PORT } as const;

export function ciliumLine(m: LabModel): CiliumLine {
  const line = rowFor(CILIUM_LINES, parseVersion(m.versions.cilium)!);
  if (!line) throw new Error(`no Cilium line for ${m.versions.cilium}`);
  return line;
}

export function serviceSelector(s: ServiceModel): Record<string, string> {
  return { 'app.kubernetes.io/name': s.name };
}

function pool(m: LabModel, line: CiliumLine) {
  const lb = m.loadBalancer!;
  const blocks = isDualStack(m) ? [{ cidr: lb.pool }, { cidr: lb.pool6! }] : [{ cidr: lb.pool }];
  return {
    apiVersion: line.lbPool.apiVersion,
    kind: 'CiliumLoadBalancerIPPool',
    metadata: { name: POOL_NAME },
    spec: { [line.lbPool.blocksField]: blocks, serviceSelector: { matchLabels: { ...SERVICE_LABEL } } },
  };
}

/**
 * Dual-stack: both families or none (RequireDualStack), IPv4 first as the cluster's primary family.
 * LB-IPAM then allocates one address per family the Service has (spec.ipFamilies).
 */
const DUAL_STACK_SERVICE = { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] } as const;

function service(m: LabModel, s: ServiceModel, line: CiliumLine) {
  const annotated = line.lbAddressRequest === 'lbipam.cilium.io/ips';
  const dual = isDualStack(m);
  // The annotation takes a comma-separated list (Cilium's LB-IPAM docs, "Requesting IPs"); spec.loadBalancerIP
  // holds one address, and its lines (before 1.16) render no dual-stack (rules6.ts refuses the peering policy).
  const requested = dual && s.address6 ? `${s.address},${s.address6}` : s.address;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: 'default',
      labels: { ...SERVICE_LABEL },
      ...(annotated ? { annotations: { 'lbipam.cilium.io/ips': requested } } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: s.trafficPolicy,
      ...(dual ? DUAL_STACK_SERVICE : {}),
      // LB-IPAM would pick any free address; the lab fixes it so both runtimes and the assertions know it.
      ...(annotated ? {} : { loadBalancerIP: s.address }),
      selector: serviceSelector(s),
      ports: [{ name: 'tcp', protocol: 'TCP', port: s.port, targetPort: s.port }, { ...LOSS_METER, targetPort: LOSS_METER_PORT }],
    },
  };
}

/** tcpsvd's listening address: IPv4's any, or (dual-stack) IPv6's, whose socket takes IPv4 clients too. */
export function backendListen(dual: boolean): string {
  return dual ? '::' : '0.0.0.0';
}

function backendPod(s: ServiceModel, node: string, dual: boolean) {
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
        command: ['tcpsvd', backendListen(dual), String(s.port), 'sh', '-c', BACKEND_ANSWER],
        ports: [{ containerPort: s.port, protocol: 'TCP' }, { name: LOSS_METER.name, containerPort: LOSS_METER_PORT, protocol: 'UDP' }],
        // Ready once it listens: Cilium announces a Local service only from nodes with a ready backend.
        readinessProbe: { tcpSocket: { port: s.port }, periodSeconds: 2 },
      }],
    },
  };
}

export function loadBalancerDocs(m: LabModel): unknown[] {
  if (!m.loadBalancer) return [];
  const line = ciliumLine(m);
  return [pool(m, line), ...m.services.flatMap((s) => [service(m, s, line), ...s.backends.map((b) => backendPod(s, b, isDualStack(m)))])];
}

export function renderLoadBalancer(m: LabModel): string {
  return yamlDocs(`Cilium ${m.versions.cilium} LB-IPAM pool, LoadBalancer Services (loadBalancer.mode ${m.loadBalancer?.mode ?? 'snat'}) and their backends.\nApply with: kubectl apply -f load-balancer.yaml`, loadBalancerDocs(m));
}

/** Kernel settings of a router: equal-cost next hops are chosen per connection (source and destination
 * address and port), not per address pair, or every connection of one client lands on one node. */
export const ROUTER_SYSCTLS = { 'net.ipv4.fib_multipath_hash_policy': '1' } as const;
/** Dual-stack: the same for IPv6 routes (Linux has one policy per family). */
export const ROUTER_SYSCTLS6 = { 'net.ipv6.fib_multipath_hash_policy': '1' } as const;

export function renderRouterSysctl(dual = false): string {
  return ['# Rendered by native-routing-lab: spread connections over equal-cost routes (several nodes announcing one service address).',
    ...Object.entries({ ...ROUTER_SYSCTLS, ...(dual ? ROUTER_SYSCTLS6 : {}) }).map(([k, v]) => `${k}=${v}`), ''].join('\n');
}
