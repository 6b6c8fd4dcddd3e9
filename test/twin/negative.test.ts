// Negative controls: each known mistake fails the assertions it should, and says why.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { diagnoses, failedIds, lab, labNamespaces, tmp, topologyFile, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

function e2e(args: string[]): JsonReport {
  const r = lab(['e2e', '--plain', '--json', ...args]);
  assert.equal(r.code, 1, `expected exit 1 (an assertion failed), got ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(labNamespaces(report.runId), [], 'teardown after a failed run');
  return report;
}

describe('twin negative controls', { skip }, () => {
  it('tunnel mode fails source preservation and the wire checks, naming VXLAN and the MTU', () => {
    const report = e2e(['-t', topologyFile((t) => { t.cilium = { routingMode: 'tunnel', masquerade: true }; })]);
    const failed = failedIds(report);
    for (const id of [2, 4, 5, 6]) assert.ok(failed.includes(id), `assertion ${id} should fail in tunnel mode (failed: ${failed})`);
    assert.ok(!failed.includes(1) && !failed.includes(3), 'BGP and reachability still hold');
    assert.match(diagnoses(report, 6), /VXLAN/);
    assert.match(diagnoses(report, 6), /MTU is 1450/);
    assert.match(diagnoses(report, 5), /enableIPv4Masquerade/);
  });

  it('masquerading on the nodes fails source preservation (5) and "masquerade only at the edge" (7): the LAN host sees the node', () => {
    const report = e2e(['-t', topologyFile((t) => { t.cilium = { masquerade: true }; })]);
    assert.deepEqual(failedIds(report), [5, 7]);
    const a5 = report.assertions.find((a) => a.id === 5)!;
    assert.ok(a5.results.filter((r) => !r.ok).every((r) => r.subject.includes('db-')), 'pod-to-pod stays unmasqueraded (native routing CIDR)');
    assert.match(diagnoses(report, 5), /the server saw node controlplane-1 \(10\.0\.0\.10\)/);
  });

  it('a datacentre without a BGP resource fails sessions, routes and reachability', () => {
    const dir = tmp();
    const rendered = join(dir, 'out');
    assert.equal(lab(['render', '-o', rendered]).code, 0);
    const docs = parseAllDocuments(readFileSync(join(rendered, 'cluster', 'cilium-bgp.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    const manifests = join(dir, 'bgp.yaml');
    writeFileSync(manifests, docs.filter((d) => !(d.kind === 'CiliumBGPClusterConfig' && d.metadata.name === 'dc2')).map((d) => stringify(d)).join('---\n'));
    const report = e2e(['--cilium-bgp', manifests]);
    const failed = failedIds(report);
    for (const id of [1, 2, 3]) assert.ok(failed.includes(id), `assertion ${id} should fail (failed: ${failed})`);
    assert.match(diagnoses(report, 1), /no BGP session is configured on worker-1: no Cilium BGP resource selects it/);
    assert.match(diagnoses(report, 2), /worker-1 has no established BGP session/);
    assert.match(report.fidelity ?? '', /Cilium 1\.20\.2's own BGP control plane/);
  });

  it('the emulated speaker says why a node runs no BGP', () => {
    const dir = tmp();
    const rendered = join(dir, 'out');
    assert.equal(lab(['render', '-o', rendered]).code, 0);
    const docs = parseAllDocuments(readFileSync(join(rendered, 'cluster', 'cilium-bgp.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    const manifests = join(dir, 'bgp.yaml');
    writeFileSync(manifests, docs.filter((d) => !(d.kind === 'CiliumBGPClusterConfig' && d.metadata.name === 'dc2')).map((d) => stringify(d)).join('---\n'));
    const report = e2e(['--cilium-bgp', manifests, '--speaker', 'emulated']);
    assert.ok(report.notes.some((n) => n.includes('worker-1: no BGP resource selects this node')), report.notes.join('\n'));
  });

  for (const [what, doc, field, problem] of [
    ['a misspelt kind', 'apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfigg\nmetadata: {name: x}\nspec: {}\n', 'kind', /Cilium 1\.20\.2 has no CiliumBGPClusterConfigg resource/],
    ['an unknown field', 'apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfig\nmetadata: {name: x}\nspec:\n  bgpInstances:\n    - name: a\n      localAsn: 65001\n', 'spec.bgpInstances[0].localAsn', /unknown field/],
    ['a value the schema refuses', 'apiVersion: cilium.io/v2\nkind: CiliumBGPPeerConfig\nmetadata: {name: x}\nspec:\n  timers: {holdTimeSeconds: 1}\n', 'spec.timers.holdTimeSeconds', /should be greater than or equal to 3/],
    ['an API version the release no longer serves', 'apiVersion: cilium.io/v2alpha1\nkind: CiliumBGPPeeringPolicy\nmetadata: {name: x}\nspec: {virtualRouters: []}\n', 'kind', /Cilium 1\.20\.2 has no CiliumBGPPeeringPolicy resource/],
  ] as const) {
    it(`refuses ${what} with exit 2 naming the document and field, before anything exists`, () => {
      const file = join(tmp(), 'bad.yaml');
      writeFileSync(file, `apiVersion: v1\nkind: Namespace\nmetadata: {name: mine}\n---\n${doc}`);
      const r = lab(['e2e', '--plain', '--cilium-bgp', file]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(`--cilium-bgp document 2 (`) && r.stderr.includes(`: ${field}: `), r.stderr);
      assert.match(r.stderr, problem);
      assert.equal(r.stdout, '', 'no run started');
      assert.doesNotMatch(r.stderr, /teardown|done up/, 'nothing was created, so nothing is torn down');
    });
  }
});
