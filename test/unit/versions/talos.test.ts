// One test per boundary row of lab/versions/talos.ts: the patch form, KubePrism and the kubectl a Talos
// version gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { KUBEPRISM_PORT, renderTalosPatches, talosLine } from '../../../lab/render/talos-patch.ts';
import { kubectlVersion, toolArtifacts } from '../../../lab/runtime/vm/pins.ts';
import { referenceTopology } from '../../../lab/topology/reference.ts';
import { resolveTopology } from '../../../lab/topology/resolve.ts';
import { NEWEST_TALOS, OLDEST_TALOS, TALOS_LINES, talosLineOf } from '../../../lab/versions/talos.ts';
import { assertIssue, issuesOf } from '../support/input-error.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function patch(talos: string) {
  const m = resolveTopology(referenceTopology(), { talosVersion: talos });
  const p = renderTalosPatches(m);
  const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Doc);
  return { line: talosLine(m), common: docs(p.common), controlPlane: docs(p.controlPlane) };
}

/**
 * Each row as upstream states it: DefaultKubernetesVersion in pkg/machinery/constants/constants.go at the
 * line's newest release (v1.5.6, v1.6.8, v1.7.7, v1.8.4, v1.9.6, v1.10.9, v1.11.6, v1.12.11, v1.13.9; 1.14:
 * pkg/machinery v1.14.1), and VersionContract.KubePrismEnabled() = Greater(TalosVersion1_5) in
 * pkg/machinery/config/contract.go. Versions probed: the line's first release, and its .x.
 */
const ROWS: { since: string; kubernetes: string; patch: 'v1alpha1' | 'multi-doc'; kubePrismByDefault: boolean }[] = [
  { since: '1.5', kubernetes: '1.28.3', patch: 'v1alpha1', kubePrismByDefault: false },
  { since: '1.6', kubernetes: '1.29.7', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.7', kubernetes: '1.30.5', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.8', kubernetes: '1.31.4', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.9', kubernetes: '1.32.4', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.10', kubernetes: '1.33.6', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.11', kubernetes: '1.34.1', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.12', kubernetes: '1.35.4', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.13', kubernetes: '1.36.3', patch: 'v1alpha1', kubePrismByDefault: true },
  { since: '1.14', kubernetes: '1.37.0', patch: 'multi-doc', kubePrismByDefault: true },
];

test('1.4.x: older than the oldest line, an input error naming the flag', () => {
  assertIssue(issuesOf(() => resolveTopology(referenceTopology(), { talosVersion: '1.4.x' })), '--talos-version', `older than the oldest supported line ${OLDEST_TALOS}`);
  assert.equal(talosLineOf('1.4.9'), undefined);
});

test('the table: one row per line that changes something, oldest first, matching the rows above', () => {
  assert.equal(TALOS_LINES[0]!.since, OLDEST_TALOS);
  assert.deepEqual(TALOS_LINES.map((l) => ({ since: l.since, kubernetes: l.kubernetes, patch: l.patch, kubePrismByDefault: l.kubePrismByDefault })), ROWS);
  assert.ok(TALOS_LINES.every((l) => l.schema.length > 0 && l.note.length > 0));
  assert.equal(talosLineOf(NEWEST_TALOS)!.since, '1.14');
});

for (const [i, row] of ROWS.entries()) {
  const next = ROWS[i + 1];
  test(`Talos ${row.since}${next ? ` to before ${next.since}` : ' onwards'}: ${row.patch} patch, kubectl v${row.kubernetes}, KubePrism ${row.kubePrismByDefault ? 'by default' : 'from the patch'}`, () => {
    const probes = [`${row.since}.0`, `${row.since}.x`, ...(next ? [] : ['1.15.0'])];
    for (const v of probes) {
      const { line, common, controlPlane } = patch(v);
      assert.equal(line.since, row.since, v);
      assert.equal(line.patch, row.patch, v);
      assert.equal(kubectlVersion(v), `v${row.kubernetes}`, v);
      const kubectl = toolArtifacts(v).find((a) => a.what.startsWith('kubectl'))!;
      assert.equal(kubectl.url, `https://dl.k8s.io/release/v${row.kubernetes}/bin/linux/amd64/kubectl`);
      assert.deepEqual(kubectl.verify, { kind: 'sums-file', url: `https://dl.k8s.io/release/v${row.kubernetes}/bin/linux/amd64/kubectl.sha256`, name: 'kubectl' });
      if (row.patch === 'v1alpha1') {
        assert.equal(line.schema, 'v1.11.6');
        assert.equal(common.length, 1);
        assert.deepEqual(Object.keys(common[0]!), ['machine', 'cluster']);
        assert.deepEqual(common[0]!['cluster'].network.cni, { name: 'none' });
        assert.deepEqual(common[0]!['cluster'].proxy, { disabled: true });
        assert.deepEqual(common[0]!['machine'].install, { disk: '/dev/vda' });
        assert.deepEqual(common[0]!['machine'].features, row.kubePrismByDefault ? undefined : { kubePrism: { enabled: true, port: KUBEPRISM_PORT } }, v);
        assert.deepEqual(controlPlane, [{ cluster: { controllerManager: { extraArgs: { 'node-cidr-mask-size-ipv4': '24' } } } }]);
      } else {
        assert.equal(line.schema, 'v1.14.0-rc.1');
        assert.deepEqual(common.map((d) => d['kind']), ['KubeNetworkConfig', 'UnattendedInstallConfig']);
        assert.deepEqual(controlPlane.map((d) => d['kind']), ['KubeFlannelCNIConfig', 'KubeProxyConfig']);
        assert.equal(controlPlane[0]!['$patch'], 'delete');
        assert.equal(controlPlane[1]!['enabled'], false);
        assert.ok([...common, ...controlPlane].every((d) => d['apiVersion'] === 'v1alpha1' && !('machine' in d) && !('cluster' in d)));
        assert.ok(!JSON.stringify(common).includes('KubePrism'), 'KubePrismConfig is generated by default; the patch leaves it alone');
      }
    }
  });
}

test('negative control: a version just before a boundary keeps the older row', () => {
  assert.equal(kubectlVersion('1.13.9'), 'v1.36.3');
  assert.equal(kubectlVersion('v1.14.0-rc.1'), 'v1.37.0');
  assert.equal(patch('1.5.6').common[0]!['machine'].features.kubePrism.enabled, true);
  assert.equal(patch('1.6.0').common[0]!['machine'].features, undefined);
  assert.throws(() => kubectlVersion('1.4.0'), /no Talos line for 1\.4\.0/);
});
