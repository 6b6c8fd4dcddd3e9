// The twin for real, with Cilium's own BGP control plane on the nodes at the newest line: the
// reference and examples/three-dc.yaml green, the host untouched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { NEWEST_CILIUM } from '../../lab/versions/cilium.ts';
import { failedIds, lab, labNamespaces, REPO, rootSnapshot, topologyFile, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

describe('twin e2e', { skip }, () => {
  it('passes every assertion on the reference topology, exit 0, and leaves the root namespace as it was', () => {
    const before = rootSnapshot();
    const r = lab(['e2e', '--plain']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS: 12 of 12 assertions hold/);
    assert.match(r.stdout, new RegExp(`nodes: Cilium ${NEWEST_CILIUM.replace(/\./g, '\\.')}'s own BGP control plane on every node`), 'Cilium\'s own code ran, at the newest line');
    for (const stage of ['up', 'convergence', 'assertions', 'teardown']) assert.match(r.stderr, new RegExp(`done ${stage} \\(\\d+ ms\\)`));
    const runId = /\(run ([0-9a-f]{6})\)/.exec(r.stdout)?.[1];
    assert.ok(runId, r.stdout);
    assert.deepEqual(labNamespaces(runId), []);
    assert.equal(rootSnapshot(), before);
  });

  it('passes on three datacentres with two nodes in one, through a full iBGP mesh', () => {
    const file = topologyFile((t) => {
      t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
      t.datacentres.push({ name: 'dc3', lan: '10.0.2.0/24', nodes: [{ name: 'worker-3', role: 'worker' }] });
    });
    const r = lab(['e2e', '--plain', '--json', '-t', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(failedIds(report), []);
    const sessions = report.assertions.find((a) => a.id === 1)!.results;
    // 3 routers x 2 iBGP peers + 4 nodes x 2 ends
    assert.equal(sessions.length, 14);
    assert.ok(sessions.some((s) => s.subject.startsWith('router-dc3 -> router-dc1')));
    assert.equal(report.assertions.find((a) => a.id === 3)!.results.length, 12, '6 ordered DC pairs x ICMP and TCP');
    assert.deepEqual(labNamespaces(report.runId), []);
    assert.match(report.fidelity ?? '', /Cilium \S+'s own BGP control plane/);
  });

  it('passes examples/three-dc.yaml: a third datacentre, two nodes with direct routes, a management zone', () => {
    const r = lab(['e2e', '--plain', '--json', '-t', join(REPO, 'examples', 'three-dc.yaml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(failedIds(report), []);
    assert.match(report.fidelity ?? '', new RegExp(`Cilium ${NEWEST_CILIUM.replace(/\./g, '\\.')}'s own BGP control plane`));
    assert.deepEqual(labNamespaces(report.runId), []);
  });
});
