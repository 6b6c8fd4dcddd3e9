// Every pitfall, applied for real: the assertions it is known to break fail, with a diagnosis
// that names the mistake; masq-invalid shows that the reference layout is immune.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEWEST_CILIUM } from '../../lab/versions/cilium.ts';
import { diagnoses, failedIds, lab, labNamespaces, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

const CASES: { name: string; breaks: number[]; diagnosis: [number, RegExp][] }[] = [
  { name: 'same-asn', breaks: [2, 3, 4, 5], diagnosis: [[2, /share AS 65000.*iBGP split horizon/]] },
  { name: 'dns-localservice', breaks: [8], diagnosis: [[8, /answers node controlplane-1 but not the pod.*localservice '0'/]] },
  { name: 'node-masquerade', breaks: [5, 6, 7], diagnosis: [[5, /node masquerades pod traffic/], [6, /rewrites pod addresses/]] },
  { name: 'tunnel', breaks: [2, 4, 5, 6], diagnosis: [[6, /VXLAN/], [6, /MTU is 1450/], [4, /encapsulated/]] },
  { name: 'no-export', breaks: [2, 3, 4, 5], diagnosis: [[2, /session is up but 10\.244\.1\.0\/24 is not announced/]] },
];

function run(name: string): { code: number | null; report: JsonReport } {
  const r = lab(['e2e', '--plain', '--json', '--pitfall', name]);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(labNamespaces(report.runId), [], 'teardown');
  // Every pitfall runs Cilium's own BGP control plane at the newest line.
  assert.match(report.fidelity ?? '', new RegExp(`Cilium ${NEWEST_CILIUM.replace(/\./g, '\\.')}'s own BGP control plane`));
  return { code: r.code, report };
}

describe('pitfalls', { skip }, () => {
  for (const c of CASES) {
    it(`${c.name} breaks ${c.breaks.join(', ')} and says why`, () => {
      const { code, report } = run(c.name);
      assert.equal(code, 1);
      const failed = failedIds(report);
      for (const id of c.breaks) assert.ok(failed.includes(id), `${c.name}: assertion ${id} should fail (failed: ${failed})`);
      for (const [id, re] of c.diagnosis) assert.match(diagnoses(report, id), re);
      assert.ok(report.notes.some((n) => n.startsWith(`pitfall ${c.name}:`) && n.includes('(as expected)')), report.notes.join('\n'));
    });
  }

  it('masq-invalid breaks nothing in the reference layout, and says so', () => {
    const { code, report } = run('masq-invalid');
    assert.equal(code, 0);
    assert.ok(report.notes.some((n) => /pitfall masq-invalid: .*broke nothing \(as expected\)/.test(n)));
  });

  it('an unknown pitfall is bad input', () => {
    const r = lab(['e2e', '--pitfall', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--pitfall: no pitfall "nope"[\s\S]*fix: use one of same-asn/);
  });
});
