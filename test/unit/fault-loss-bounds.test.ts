// What loss each fault may cause: one row per fault and graceful-restart setting, each with a flow
// inside the bound and one beyond it (the negative control).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boundViolations, lossBound, PROPAGATION_MS, FLAP_SLACK_MS, type BoundInputs } from '../../lab/faults/bounds.ts';
import type { FlowResult } from '../../lab/runtime/flows.ts';

const BASE: BoundInputs = { kind: 'speaker-restart', gracefulRestart: undefined, heldMs: 4000, timers: { connectDelay: 0, connectRetry: 5 }, speakerFirstDialS: 2 };
const GR = { enabled: true, restartTime: 120 };
const flow = (lost: number, longestGapMs: number): FlowResult => ({ id: 'a>b', from: 'a', to: 'b', toAddress: '10.244.1.2', pps: 100, sent: 1000, received: 1000 - lost, lost, duplicates: 0, longestGapMs, windows: [] });

const ROWS: { name: string; inputs: Partial<BoundInputs>; maxGapMs: number; bound: RegExp }[] = [
  { name: 'speaker-restart with graceful restart: no loss', inputs: { gracefulRestart: GR }, maxGapMs: 0, bound: /graceful restart \(restart time 120 s\)/ },
  { name: 'speaker-restart without: held, then the first dial', inputs: {}, maxGapMs: 4000 + 2000 + PROPAGATION_MS, bound: /speaker restart without graceful restart/ },
  { name: 'speaker-restart with graceful restart disabled explicitly', inputs: { gracefulRestart: { enabled: false, restartTime: 120 } }, maxGapMs: 4000 + 2000 + PROPAGATION_MS, bound: /without graceful restart/ },
  { name: 'router-restart with graceful restart: no loss', inputs: { kind: 'router-restart', gracefulRestart: GR }, maxGapMs: 0, bound: /graceful restart/ },
  { name: 'router-restart without: the other routers\' error wait (5 s) outlasts the 4 s it was down', inputs: { kind: 'router-restart' }, maxGapMs: 5000 + PROPAGATION_MS, bound: /router restart without graceful restart/ },
  { name: 'router-restart held past the error wait: held, then BIRD\'s connect delay', inputs: { kind: 'router-restart', heldMs: 7000 }, maxGapMs: 7000 + 0 + PROPAGATION_MS, bound: /router restart without graceful restart/ },
  { name: 'router-restart without lab timers: BIRD\'s 60 s error wait', inputs: { kind: 'router-restart', timers: undefined }, maxGapMs: 60_000 + PROPAGATION_MS, bound: /router restart/ },
  { name: 'peering-down: no redundancy, then connect retry', inputs: { kind: 'peering-down' }, maxGapMs: 4000 + 5000 + PROPAGATION_MS, bound: /no redundancy.*connect retry 5 s/ },
  { name: 'router-down with one router', inputs: { kind: 'router-down' }, maxGapMs: 4000 + 5000 + PROPAGATION_MS, bound: /no redundancy/ },
  { name: 'link-flap: the time it was down', inputs: { kind: 'link-flap', flapMs: 2000 }, maxGapMs: 2000 + FLAP_SLACK_MS, bound: /the flap \(2\.0 s down\)/ },
];

describe('fault loss bounds', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const b = lossBound({ ...BASE, ...row.inputs });
      assert.equal(b.maxGapMs, row.maxGapMs);
      assert.match(b.name, row.bound);
      // Inside the bound: no violation.
      assert.deepEqual(boundViolations(b, [flow(0, 0), ...(b.maxGapMs > 0 ? [flow(10, b.maxGapMs)] : [])]), []);
      // Negative control: one datagram (no-loss bounds) or one millisecond beyond it is named.
      const beyond = b.maxGapMs === 0 ? flow(1, 10) : flow(10, b.maxGapMs + 1);
      const v = boundViolations(b, [beyond]);
      assert.equal(v.length, 1);
      assert.match(v[0]!, new RegExp(`beyond the bound of ${b.name.replace(/[()]/g, '\\$&')}`));
    });
  }
});
