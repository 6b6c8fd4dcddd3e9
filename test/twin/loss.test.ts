// Faults measured in lost packets, with Cilium's own speaker: 100 numbered datagrams a second each way
// between a pod in dc1 and one on worker-1 (dc2), and from dc1's LAN host to web's LoadBalancer
// address (its one backend on worker-1, policy Local), while the fault happens, held to its bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lab, labNamespaces, topologyFile, twinUnavailable } from './support.ts';
import type { FaultReport } from '../../lab/faults/run.ts';

const skip = twinUnavailable();

function fault(kind: string, gracefulRestart: boolean): FaultReport {
  const file = topologyFile((t) => {
    if (gracefulRestart) t.bgp = { ...t.bgp, gracefulRestart: { enabled: true, restartTime: 60 } };
  });
  const r = lab(['e2e', '--plain', '--json', '--fault', kind, '-t', file], 240_000);
  const report = JSON.parse(r.stdout) as { runId: string; fault: FaultReport };
  assert.deepEqual(labNamespaces(report.runId), []);
  const f = report.fault;
  assert.equal(f.flows.length, 3, JSON.stringify(f, null, 2));
  for (const x of f.flows) assert.ok(x.sent >= 100 * (f.heldMs / 1000), `${x.id}: at least 100 a second for as long as the fault was held: ${x.sent}`);
  return f;
}

const toWorker = (f: FaultReport) => f.flows.find((x) => x.to.includes('worker-1'))!;
const fromWorker = (f: FaultReport) => f.flows.find((x) => x.from.includes('worker-1'))!;
const toService = (f: FaultReport) => f.flows.find((x) => x.to === 'web (LoadBalancer)')!;
const dump = (f: FaultReport) => JSON.stringify({ ...f, afterRecovery: undefined }, null, 2);

describe('loss meter', { skip }, () => {
  it('speaker-restart without graceful restart: the routers withdraw worker-1\'s pod CIDR, traffic to it stops until the speaker is back, traffic from it flows on', () => {
    const f = fault('speaker-restart', false);
    assert.equal(f.ok, true, dump(f));
    assert.match(f.lossBound.name, /without graceful restart/);
    const to = toWorker(f);
    // The loss window: the whole time the speaker was down, then its first dial and the updates.
    assert.ok(to.lost > 0 && to.longestGapMs >= f.heldMs - 500, dump(f));
    assert.ok(to.longestGapMs <= f.lossBound.maxGapMs, dump(f));
    assert.ok(to.windows.length >= 1 && to.windows[0]!.fromMs >= -20 && to.windows[0]!.fromMs < 1000, `loss starts at the fault: ${dump(f)}`);
    // Negative control on direction: worker-1's own traffic out needs none of its routes.
    assert.equal(fromWorker(f).lost, 0, dump(f));
    // The LoadBalancer address: worker-1 alone announced it (Local), so a client outside loses it too.
    const lb = toService(f);
    assert.ok(lb.lost > 0 && lb.longestGapMs >= f.heldMs - 500 && lb.longestGapMs <= f.lossBound.maxGapMs, dump(f));
  });

  it('speaker-restart with graceful restart: the routers keep worker-1\'s routes as stale, no datagram is lost', () => {
    const f = fault('speaker-restart', true);
    assert.match(f.lossBound.name, /graceful restart \(restart time 60 s\)/);
    assert.deepEqual(f.flows.map((x) => [x.id, x.lost]), f.flows.map((x) => [x.id, 0]), dump(f));
    assert.equal(f.ok, true, dump(f));
    // Negative control: the stale routes are what kept it; nothing was withdrawn.
    assert.deepEqual(f.withdrawn, [], dump(f));
  });

  it('router-restart: without graceful restart traffic into dc1 stops until the routers take the session back; with it (BIRD restarted with -R) nothing is lost', () => {
    const without = fault('router-restart', false);
    assert.equal(without.ok, true, dump(without));
    const into = without.flows.find((x) => x.to.includes('controlplane-1'))!;
    assert.ok(into.lost > 0 && into.longestGapMs >= without.heldMs - 500, `router-dc2 withdraws dc1's pods at the TCP close: ${dump(without)}`);
    const withGr = fault('router-restart', true);
    assert.match(withGr.lossBound.name, /graceful restart/);
    assert.deepEqual(withGr.flows.map((x) => [x.id, x.lost]), withGr.flows.map((x) => [x.id, 0]), dump(withGr));
    assert.equal(withGr.ok, true, dump(withGr));
  });

  it('link-flap: worker-1\'s link down for 2 s, both directions lose about that long, sessions stay up', () => {
    const f = fault('link-flap', false);
    assert.equal(f.ok, true, dump(f));
    for (const x of f.flows) assert.ok(x.lost > 0 && x.longestGapMs >= 1500 && x.longestGapMs <= 3000, dump(f));
    assert.deepEqual(f.whatChanged.filter((c) => c.startsWith('session')), [], dump(f));
  });
});

describe('loss meter: one router per datacentre', { skip }, () => {
  it('router-down without a second router: the datacentre is cut off, both directions lose for as long as the router is down', () => {
    const f = fault('router-down', false);
    assert.equal(f.ok, true, dump(f));
    assert.match(f.lossBound.name, /^no redundancy/);
    // Negative control for the two-router case (routers.test.ts): here nothing takes over.
    for (const x of f.flows) assert.ok(x.longestGapMs >= f.heldMs - 500, `${x.id}: ${x.longestGapMs} ms of ${f.heldMs} ms held: ${dump(f)}`);
  });
});
