// Two routers per datacentre with Cilium's own speaker: every node peers with both routers of its
// LAN, every router reaches the other datacentre's pods through both of its routers, and losing the
// VRRP master costs what the VRRP and BGP timers say, measured in lost datagrams.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import type { FaultReport } from '../../lab/faults/run.ts';
import { lab, labNamespaces, REPO, tmp, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();
const TWO = join(REPO, 'examples', 'two-routers.yaml');

type Report = JsonReport & { fault: FaultReport };

describe('two routers per datacentre', { skip }, () => {
  it('every assertion holds: sessions from every node to both routers, equal-cost paths through both, DNS through the VRRP gateway', () => {
    const r = lab(['e2e', '--plain', '--json', '-t', TWO], 180_000);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(labNamespaces(report.runId), []);
    assert.equal(r.code, 0, r.stderr);
    const subjects = (id: number) => report.assertions.find((a) => a.id === id)!.results.map((x) => x.subject);
    for (const node of ['controlplane-1', 'worker-1']) {
      const dc = node === 'worker-1' ? 'dc2' : 'dc1';
      for (const k of [1, 2]) assert.ok(subjects(1).some((s) => s.startsWith(`${node} -> router-${dc}-${k} `)), `${node} peers with router-${dc}-${k}: ${subjects(1).join('; ')}`);
    }
    const remote = report.assertions.find((a) => a.id === 2)!.results.find((x) => x.subject === 'router-dc1-1: 10.244.1.0/24 (worker-1)')!;
    assert.equal(remote.expected, 'via 172.16.0.3, 172.16.0.4');
    assert.match(remote.seen, /^via 172\.16\.0\.(3, 172\.16\.0\.4|4, 172\.16\.0\.3) dev eth2$/);
    assert.ok(subjects(8).every((s) => / asks dc\d's VRRP gateway 10\.0\.\d\.1 /.test(s)), subjects(8).join('; '));
  });

  it('router-down of dc1\'s VRRP master: outbound loss ends with the VRRP master-down interval, inbound with the hold time, both within the bound', () => {
    const r = lab(['e2e', '--plain', '--json', '--fault', 'router-down', '-t', TWO], 300_000);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(labNamespaces(report.runId), []);
    const f = report.fault;
    const dump = JSON.stringify({ ...f, afterRecovery: undefined }, null, 2);
    // The VRRP master, whichever won the first election (every router starts as backup, nopreempt).
    assert.ok(['router-dc1-1', 'router-dc1-2'].includes(f.target), dump);
    assert.equal(f.ok, true, dump);
    assert.match(f.lossBound.name, /^redundancy: VRRP master-down 3\.3 s, hold time 9 s$/, dump);
    const out = f.flows.find((x) => x.from === 'controlplane-1-pod')!;
    const into = f.flows.find((x) => x.from === 'worker-1-pod')!;
    // A power cut: the backup hears nothing more and takes over 3 adverts plus its skew after the
    // last one it heard, 2.3-3.3 s after the cut (negative control: a goodbye would take 0.26 s).
    assert.ok(out.longestGapMs >= 2000 && out.longestGapMs <= 3800, `outbound gap ${out.longestGapMs} ms: ${dump}`);
    // dc1's LAN host to web's LoadBalancer address (on worker-1) leaves through the same gateway.
    const lb = f.flows.find((x) => x.to === 'web (LoadBalancer)')!;
    assert.ok(lb.longestGapMs >= 2000 && lb.longestGapMs <= 3800, `LoadBalancer gap ${lb.longestGapMs} ms: ${dump}`);
    // Inbound: if dc2's routers hash the flow to the dead router, it is lost until their sessions
    // with it time out: 9 s hold less BIRD's jitter of up to a quarter, after a last keepalive up to
    // 3 s before the cut, so 3.75-9 s (a CI run measured 4.9 s); else nothing is lost.
    assert.ok(into.lost === 0 || (into.longestGapMs >= 3250 && into.longestGapMs <= 9500 + 1000), `inbound gap ${into.longestGapMs} ms: ${dump}`);
    // Its peers notice by their hold timers (9 s less BIRD's jitter of up to a quarter, after a last
    // keepalive up to 3 s before the cut: at least 3.75 s), not at once as they would a goodbye.
    assert.ok(f.detectMs !== undefined && f.detectMs >= 3250, `its peers notice by their hold timers, not at once: ${f.detectMs} ms`);
  });
});

describe('two routers per datacentre under route reflection', { skip }, () => {
  it('three datacentres, two routers each, the first router reflecting: add-path brings every client both paths to each datacentre', () => {
    const file = join(tmp(), 'reflected.yaml');
    const g = lab(['generate', '--datacentres', '3', '--nodes-per-dc', '1', '--routers-per-dc', '2', '--route-reflection', '-o', file]);
    assert.equal(g.code, 0, g.stderr);
    const r = lab(['e2e', '--plain', '--json', '-t', file], 240_000);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(labNamespaces(report.runId), []);
    assert.equal(r.code, 0, JSON.stringify(report.assertions.filter((a) => !a.ok), null, 2));
    // A client of the reflector (router-dc3-2) reaches dc2's pods through both of dc2's routers.
    const seen = report.assertions.find((a) => a.id === 2)!.results.find((x) => x.subject === 'router-dc3-2: 10.244.1.0/24 (node-2-1)')!;
    assert.equal(seen.expected, 'via 172.16.0.3, 172.16.0.4', JSON.stringify(seen));
  });
});
