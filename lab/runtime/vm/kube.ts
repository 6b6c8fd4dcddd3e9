// kubectl and helm command lines (pure, golden-tested), the probe pods' manifest, and parsers for
// what Cilium reports about its BGP sessions. Never run here against a cluster: that needs Talos VMs.
import type { BgpSession } from '../lab.ts';
import { DISCARD_PORT, WHOAMI_PORT } from '../lab.ts';
import { PROBE_IMAGE } from './pins.ts';

export interface KubeCtx {
  kubectl: string;
  helm: string;
  kubeconfig: string;
}

const k = (c: KubeCtx, ...args: string[]) => [c.kubectl, '--kubeconfig', c.kubeconfig, ...args];

export function apply(c: KubeCtx, file: string): string[] {
  return k(c, 'apply', '--server-side', '-f', file);
}

/** Node label patches from cluster/node-labels.yaml are Node objects: merge-patched, never replaced. */
export function labelNode(c: KubeCtx, node: string, labels: Record<string, string>): string[] {
  return k(c, 'label', 'node', node, '--overwrite', ...Object.entries(labels).map(([key, v]) => `${key}=${v}`));
}

export function waitNodesReady(c: KubeCtx, timeoutS: number): string[] {
  return k(c, 'wait', '--for=condition=Ready', 'nodes', '--all', `--timeout=${timeoutS}s`);
}

export function waitPodsReady(c: KubeCtx, namespace: string, selector: string, timeoutS: number): string[] {
  return k(c, 'wait', '--namespace', namespace, '--for=condition=Ready', 'pods', '--selector', selector, `--timeout=${timeoutS}s`);
}

export function getJson(c: KubeCtx, resource: string, namespace?: string): string[] {
  return k(c, 'get', resource, ...(namespace ? ['--namespace', namespace] : []), '--output', 'json');
}

export function execIn(c: KubeCtx, namespace: string, pod: string, argv: string[], container?: string): string[] {
  return k(c, 'exec', '--namespace', namespace, pod, ...(container ? ['--container', container] : []), '--', ...argv);
}

/** helm install of the Cilium chart (a verified .tgz from the cache) with the rendered values. */
export function helmInstallCilium(c: KubeCtx, chart: string, valuesFile: string, timeoutS: number): string[] {
  return [c.helm, 'upgrade', '--install', 'cilium', chart, '--kubeconfig', c.kubeconfig, '--namespace', 'kube-system',
    '--values', valuesFile, '--wait', '--timeout', `${timeoutS}s`];
}

/**
 * The probes' own namespace. Fact (siderolabs/talos release-1.14
 * pkg/machinery/config/types/k8s/admission_control.go, DefaultPodSecurityAdmissionControlConfig):
 * Talos's PodSecurity admission enforces `baseline` by default with only kube-system exempt, and
 * baseline refuses added capabilities beyond its default set (kubernetes staging/src/k8s.io/
 * pod-security-admission/policy/check_capabilities_baseline.go: AUDIT_WRITE ... SYS_CHROOT; not
 * NET_RAW, not NET_ADMIN). The namespace label
 * pod-security.kubernetes.io/enforce=privileged lifts it for this namespace only.
 */
export const PROBE_NAMESPACE = 'nrl-probe';

export function probeNamespaceManifest(): object {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: PROBE_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  };
}

/** One probe pod per node, pinned to it, from a small public image pinned by digest. */
export function probePodManifest(node: string, podName: string): object {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: podName, namespace: PROBE_NAMESPACE, labels: { 'app.kubernetes.io/name': 'nrl-probe' } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 0,
      containers: [{
        name: 'probe', image: PROBE_IMAGE,
        // tcpsvd exports TCPREMOTEIP: the echo service answers with the source address it saw; the
        // counting service answers the byte count once the sender half-closes.
        command: ['sh', '-c', `tcpsvd 0.0.0.0 ${WHOAMI_PORT} sh -c 'echo $TCPREMOTEIP' & tcpsvd 0.0.0.0 ${DISCARD_PORT} wc -c & while true; do sleep 3600; done`],
        securityContext: { capabilities: { add: ['NET_RAW', 'NET_ADMIN'] } },
      }],
    },
  };
}

/**
 * `cilium bgp peers` (cilium CLI, with a Node column, "Session State") or the agent pod's
 * `cilium-dbg bgp peers` / 1.14's `cilium bgp peers` (without it, "Session"): a header line, then
 * one line per peer and family; continuation lines for further families leave the first columns
 * empty. Fact (cilium/cilium pkg/bgpv1/api/printers.go, PrintBGPPeersTable): the agent prints the
 * address as `%s:%d` (address:port, IPv6 without brackets, so `fd00:10::1:179` cannot be split
 * unambiguously and is kept whole); the CLI prints the bare address. A port is stripped only where
 * it is unambiguous: `a.b.c.d:port` and `[v6]:port`.
 */
export function parseCiliumBgpPeers(text: string, node?: string): BgpSession[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.findIndex((l) => /Local AS\s+Peer AS\s+Peer Address/.test(l));
  if (header < 0) return [];
  const hasNode = /^\s*Node\s/.test(lines[header]!);
  const out: BgpSession[] = [];
  let currentNode = node ?? '';
  for (const l of lines.slice(header + 1)) {
    const cols = l.trim().split(/\s+/);
    const addrAt = cols.findIndex((c) => /^\[?[0-9a-f.:]+\]?(:\d+)?$/i.test(c) && (c.includes('.') || c.includes(':')));
    if (addrAt < 2) continue; // a continuation line (another family of the same peer)
    if (hasNode && addrAt === 3) currentNode = cols[0]!;
    const localAs = Number(cols[addrAt - 2]);
    const peerAsn = Number(cols[addrAt - 1]);
    const state = cols[addrAt + 1] ?? 'unknown';
    out.push({
      machine: currentNode, peerAddress: peerAddressOf(cols[addrAt]!), peerAsn, kind: localAs === peerAsn ? 'ibgp' : 'ebgp',
      state: state === 'established' ? 'Established' : state, established: state.toLowerCase() === 'established',
    });
  }
  return out;
}

/** The address of a Peer Address cell: `10.0.0.1:179` -> 10.0.0.1, `[fd00::1]:179` -> fd00::1, `fd00:10::1` kept. */
export function peerAddressOf(cell: string): string {
  const v4 = /^(\d+\.\d+\.\d+\.\d+)(?::\d+)?$/.exec(cell);
  if (v4) return v4[1]!;
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(cell);
  return bracketed ? bracketed[1]! : cell;
}

/** Agent pods by node, from `kubectl get pods -n kube-system -l k8s-app=cilium -o json`. */
export function agentPodsByNode(json: string): Map<string, string> {
  const doc = JSON.parse(json) as { items?: { metadata?: { name?: string }; spec?: { nodeName?: string } }[] };
  return new Map((doc.items ?? []).flatMap((p) => (p.metadata?.name && p.spec?.nodeName ? [[p.spec.nodeName, p.metadata.name] as const] : [])));
}

/** Pod addresses by name, from `kubectl get pods -o json`: status.podIP, and (dual-stack) the IPv6 one of status.podIPs. */
export function podAddresses(json: string): Map<string, { address: string; address6?: string }> {
  const doc = JSON.parse(json) as { items?: { metadata?: { name?: string }; status?: { podIP?: string; podIPs?: { ip?: string }[] } }[] };
  return new Map((doc.items ?? []).flatMap((p) => {
    if (!p.metadata?.name || !p.status?.podIP) return [];
    const address6 = (p.status.podIPs ?? []).map((x) => x.ip ?? '').find((a) => a.includes(':'));
    return [[p.metadata.name, { address: p.status.podIP, ...(address6 ? { address6 } : {}) }] as const];
  }));
}
