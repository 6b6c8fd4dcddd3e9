// Every pitfall, applied for real: the assertions it is known to break fail, with a diagnosis
// that names the mistake; masq-invalid shows that the reference layout is immune.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEWEST_CILIUM } from '../../lab/versions/cilium.ts';
import { join } from 'node:path';
import { diagnoses, failedFamilies, failedIds, lab, labNamespaces, REPO, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

const DUAL = join(REPO, 'examples', 'dual-stack.yaml');
const TWO = join(REPO, 'examples', 'two-routers.yaml');

const CASES: { name: string; breaks: number[]; diagnosis: [number, RegExp][]; topology?: string; family?: 4 | 6 }[] = [
  { name: 'same-asn', breaks: [2, 3, 4, 5], diagnosis: [[2, /share AS 65000.*iBGP split horizon/]] },
  { name: 'dns-localservice', breaks: [8], diagnosis: [[8, /answers node controlplane-1 but not the pod.*localservice '0'/]] },
  { name: 'node-masquerade', breaks: [5, 6, 7], diagnosis: [[5, /node masquerades pod traffic/], [6, /rewrites pod addresses/]] },
  { name: 'tunnel', breaks: [2, 4, 5, 6], diagnosis: [[6, /VXLAN/], [6, /MTU is 1450/], [4, /encapsulated/]] },
  { name: 'no-export', breaks: [2, 3, 4, 5], diagnosis: [[2, /session is up but 10\.244\.1\.0\/24 is not announced/]] },
  // cilium/cilium#37831, reproduced with Cilium's own speaker: BIRD's log names the IPv4-mapped next hop it refused.
  { name: 'v6-over-v4-session', topology: DUAL, family: 6, breaks: [2, 3, 4, 5, 12], diagnosis: [[12, /Invalid NEXT_HOP attribute - mismatched address family \(10\.0\.\d\.10 for ipv6\)[\s\S]*#37831/], [2, /IPv4-mapped next hop ::ffff:10\.0\.\d\.10/]] },
  // cilium/cilium#29951's refusal: IPv4 routes with an IPv6 next hop, on a channel without extended next hop.
  { name: 'v4-over-v6-session', topology: DUAL, family: 4, breaks: [2, 3, 4, 5, 12], diagnosis: [[12, /Invalid NEXT_HOP attribute - mismatched address family \(2001:db8:10(:1)?::10 for ipv4\)[\s\S]*extended next hop on/], [2, /IPv6 session is up but 10\.244\.\d\.0\/24 is not announced over it, or is refused/]] },
  { name: 'v6-not-advertised', topology: DUAL, family: 6, breaks: [2, 3, 4, 5, 10, 11], diagnosis: [[2, /ipv6 family of its CiliumBGPPeerConfig selects no PodCIDR advertisement, cilium\/cilium#24362/], [10, /no IPv6 route of the nodes arrives: refused for its next hop[\s\S]*or not advertised[\s\S]*cilium\/cilium#24362/]] },
  // Several routers per datacentre: the negative controls of every node peering with every router and of equal-cost paths.
  { name: 'first-router-only', topology: TWO, breaks: [1, 2, 10], diagnosis: [[1, /controlplane-1 has no session configured towards 10\.0\.0\.3/], [2, /learned from router-dc1-1 over iBGP, not from controlplane-1 itself/], [2, /no equal-cost path through router-dc\d-2/]] },
  { name: 'no-merge-paths', topology: TWO, breaks: [2], diagnosis: [[2, /only 172\.16\.0\.\d: no equal-cost path through router-dc\d-2[\s\S]*merge paths on/]] },
];

function run(name: string, topology?: string): { code: number | null; report: JsonReport } {
  const r = lab(['e2e', '--plain', '--json', '--pitfall', name, ...(topology ? ['-t', topology] : [])]);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(labNamespaces(report.runId), [], 'teardown');
  // Every pitfall runs Cilium's own BGP control plane at the newest line.
  assert.match(report.fidelity ?? '', new RegExp(`Cilium ${NEWEST_CILIUM.replace(/\./g, '\\.')}'s own BGP control plane`));
  return { code: r.code, report };
}

describe('pitfalls', { skip }, () => {
  for (const c of CASES) {
    it(`${c.name} breaks ${c.breaks.join(', ')} and says why`, () => {
      const { code, report } = run(c.name, c.topology);
      assert.equal(code, 1);
      const failed = failedIds(report);
      if (c.family) assert.deepEqual(failedFamilies(report), [c.family], 'every failed check is of the pitfall\'s family: the other one held');
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

  it('an IPv6 pitfall on an IPv4 topology is bad input naming the dual-stack example, and nothing is created', () => {
    const r = lab(['e2e', '--plain', '--pitfall', 'v6-not-advertised']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--pitfall: v6-not-advertised is an IPv6 mistake and the topology is IPv4 only[\s\S]*fix: run it on a dual-stack topology: -t examples\/dual-stack\.yaml/);
    assert.doesNotMatch(r.stderr, /done up|teardown/);
  });

  it('an unknown pitfall is bad input', () => {
    const r = lab(['e2e', '--pitfall', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--pitfall: no pitfall "nope"[\s\S]*fix: use one of same-asn/);
  });
});
