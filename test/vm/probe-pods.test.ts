// The probe pods and Pod Security. Upstream facts: Talos's default PodSecurity admission config
// enforces `baseline` and exempts only kube-system (siderolabs/talos release-1.14
// pkg/machinery/config/types/k8s/admission_control.go, DefaultPodSecurityAdmissionControlConfig);
// baseline allows only this default set of added capabilities (kubernetes
// staging/src/k8s.io/pod-security-admission/policy/check_capabilities_baseline.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as kube from '../../lab/runtime/vm/kube.ts';

const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const TALOS_EXEMPT_NAMESPACES = ['kube-system'];

type Pod = { metadata: { namespace: string }; spec: { containers: { securityContext?: { capabilities?: { add?: string[] } } }[] } };
type Ns = { kind: string; metadata: { name: string; labels: Record<string, string> } };

/** What Talos's default admission decides for a pod in a namespace with these labels (enforce mode only). */
function admitted(pod: Pod, nsLabels: Record<string, string>): boolean {
  if (TALOS_EXEMPT_NAMESPACES.includes(pod.metadata.namespace)) return true;
  const level = nsLabels['pod-security.kubernetes.io/enforce'] ?? 'baseline';
  if (level === 'privileged') return true;
  return pod.spec.containers.every((c) => (c.securityContext?.capabilities?.add ?? []).every((cap) => BASELINE_CAPABILITIES.includes(cap)));
}

describe('probe pods under Talos\'s Pod Security defaults', () => {
  const ns = kube.probeNamespaceManifest() as Ns;
  const pod = kube.probePodManifest('worker-1', 'worker-1-pod') as Pod;

  it('the probes need NET_RAW/NET_ADMIN, which baseline refuses: in `default` they would be rejected', () => {
    assert.deepEqual(pod.spec.containers[0]!.securityContext?.capabilities?.add, ['NET_RAW', 'NET_ADMIN']);
    assert.equal(admitted({ ...pod, metadata: { ...pod.metadata, namespace: 'default' } }, {}), false, 'negative control: the old placement');
  });

  it('they run in the lab\'s own namespace, labelled enforce=privileged, and are admitted there', () => {
    assert.equal(ns.kind, 'Namespace');
    assert.equal(ns.metadata.name, kube.PROBE_NAMESPACE);
    assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
    assert.equal(pod.metadata.namespace, kube.PROBE_NAMESPACE);
    assert.notEqual(kube.PROBE_NAMESPACE, 'kube-system', 'not hiding in the one exempt namespace');
    assert.equal(admitted(pod, ns.metadata.labels), true);
  });
});
