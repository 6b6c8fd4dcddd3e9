// One test per boundary row of lab/versions/talos.ts: the patch form a Talos version gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { renderTalosPatch, talosLine } from '../../../lab/render/talos-patch.ts';
import { referenceTopology } from '../../../lab/topology/reference.ts';
import { resolveTopology } from '../../../lab/topology/resolve.ts';
import { NEWEST_TALOS, OLDEST_TALOS, TALOS_LINES } from '../../../lab/versions/talos.ts';
import { assertIssue, issuesOf } from '../support/input-error.ts';

function patch(talos: string) {
  const m = resolveTopology(referenceTopology(), { talosVersion: talos });
  return { line: talosLine(m), docs: parseAllDocuments(renderTalosPatch(m)).map((d) => d.toJS() as Record<string, unknown>) };
}

test('1.4.x: older than the oldest line, an input error naming the flag', () => {
  assertIssue(issuesOf(() => resolveTopology(referenceTopology(), { talosVersion: '1.4.x' })), '--talos-version', `older than the oldest supported line ${OLDEST_TALOS}`);
});

test('1.5 to 1.13.x: one v1alpha1 document (machine.install, cluster.network.cni none, cluster.proxy disabled)', () => {
  for (const v of ['1.5.0', '1.11.6', '1.13.x']) {
    const { line, docs } = patch(v);
    assert.equal(line.patch, 'v1alpha1');
    assert.equal(line.schema, 'v1.11.6');
    assert.equal(docs.length, 1);
    assert.deepEqual(Object.keys(docs[0]!), ['machine', 'cluster']);
    assert.match(JSON.stringify(docs[0]), /"cni":\{"name":"none"\}/);
    assert.match(JSON.stringify(docs[0]), /"proxy":\{"disabled":true\}/);
  }
});

test('1.14.0 onwards: multi-document patch (delete Flannel, KubeProxyConfig off, KubeNetworkConfig, UnattendedInstallConfig)', () => {
  for (const v of ['1.14.0', 'v1.14.0-rc.1', NEWEST_TALOS, '1.15.0']) {
    const { line, docs } = patch(v);
    assert.equal(line.patch, 'multi-doc', v);
    assert.equal(line.schema, 'v1.14.0-rc.1');
    assert.deepEqual(docs.map((d) => d['kind']), ['KubeFlannelCNIConfig', 'KubeProxyConfig', 'KubeNetworkConfig', 'UnattendedInstallConfig']);
    assert.equal(docs[0]!['$patch'], 'delete');
    assert.equal(docs[1]!['enabled'], false);
    assert.ok(docs.every((d) => d['apiVersion'] === 'v1alpha1' && !('machine' in d) && !('cluster' in d)));
  }
});

test('the table: two lines, each naming a schema folder', () => {
  assert.deepEqual(TALOS_LINES.map((l) => [l.since, l.patch]), [['1.5', 'v1alpha1'], ['1.14', 'multi-doc']]);
  assert.ok(TALOS_LINES.every((l) => l.schema.length > 0));
});
