// Faults injected for real: each is noticed (silent link cuts within the BGP hold time), withdraws
// the routes it should, breaks the pod pairs it should, and leaves nothing broken once healed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lab, labNamespaces, twinUnavailable } from './support.ts';
import type { FaultReport } from '../../lab/faults/run.ts';

const skip = twinUnavailable();

const CASES: { kind: string; withdrawnAt: string; prefix: string; immediate: boolean }[] = [
  // Both ends of the peering session time out, each withdrawing the other datacentre's pods.
  { kind: 'peering-down', withdrawnAt: 'router-dc2', prefix: '10.244.0.0/24', immediate: false },
  { kind: 'peering-down', withdrawnAt: 'router-dc1', prefix: '10.244.1.0/24', immediate: false },
  { kind: 'lan-cut', withdrawnAt: 'router-dc1', prefix: '10.244.1.0/24', immediate: false },
  { kind: 'bird-restart', withdrawnAt: 'router-dc2', prefix: '10.244.0.0/24', immediate: true },
  { kind: 'speaker-restart', withdrawnAt: 'router-dc1', prefix: '10.244.1.0/24', immediate: true },
];

describe('faults', { skip }, () => {
  for (const c of CASES) {
    it(`${c.kind}: detected, ${c.withdrawnAt} withdraws ${c.prefix}, recovered, all assertions hold again`, () => {
      const r = lab(['e2e', '--plain', '--json', '--fault', c.kind], 180_000);
      const report = JSON.parse(r.stdout) as { ok: boolean; runId: string; fault: FaultReport };
      assert.deepEqual(labNamespaces(report.runId), []);
      const f = report.fault;
      assert.equal(r.code, 0, JSON.stringify(f, null, 2));
      assert.ok(f.detectMs !== undefined);
      const holdMs = f.holdTimeS * 1000;
      // Hold 9 s, keepalive 3 s: a silent cut is noticed 6-9 s after it, depending on the last keepalive.
      if (c.immediate) assert.ok(f.detectMs < 3000, `a dead daemon is noticed at once, not after ${f.detectMs} ms`);
      else assert.ok(f.detectMs >= holdMs - 3500 && f.detectMs <= holdMs + 1500, `a silent cut is noticed by the hold timer, not after ${f.detectMs} ms`);
      assert.ok(f.withdrawn.some((w) => w.router === c.withdrawnAt && w.prefixes.includes(c.prefix)), JSON.stringify(f.withdrawn));
      assert.ok(f.failingPairs.length > 0, 'some pod pair fails during the fault');
      assert.ok(f.recovered && f.recoverMs !== undefined);
      assert.deepEqual(f.afterRecovery.filter((a) => !a.ok), []);
    });
  }
});
