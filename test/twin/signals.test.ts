// Short form of the randomised signal test (the long form, 50 runs: `npm run bench:signals`): six
// runs of `lab e2e` covering every signal and every phase, each followed by `lab down`; after each,
// nothing of that run remains and the root namespace is unchanged. The seed is printed; replay a
// failure with SIGNAL_TEST_SEED=<seed>. SIGNAL_TEST_DOWN=all uses `lab down --all` (only where no
// one else's lab runs: it removes every kept lab), else `lab down --run <id>`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatOutcome, plans, seedFromEnv, signalRun, PHASES, SIGNALS } from './signal-harness.ts';
import { twinUnavailable } from './support.ts';

const skip = twinUnavailable();
const seed = seedFromEnv();
const down = process.env['SIGNAL_TEST_DOWN'] === 'all' ? 'all' : 'run';

describe(`signals at random points (SIGNAL_TEST_SEED=${seed})`, { skip }, () => {
  it('the plan walks every signal and every phase (negative control: without cover it need not)', () => {
    const p = plans(seed, 6, true);
    assert.deepEqual(new Set(p.map((x) => x.signal)), new Set(SIGNALS));
    assert.deepEqual(new Set(p.map((x) => x.phase)), new Set(PHASES));
    assert.deepEqual(plans(seed, 6, true), p, 'the same seed gives the same plan');
    assert.notDeepEqual(plans(seed + 1, 6, true).map((x) => x.at), p.map((x) => x.at), 'another seed gives other moments');
  });

  it('negative control: SIGKILL without lab down leaves the run behind, and the checks say so', async () => {
    const o = await signalRun({ signal: 'SIGKILL', phase: 'convergence', at: 0.3 }, { down: 'none' });
    assert.ok(o.runId && o.landed === 'convergence', formatOutcome(o));
    for (const want of ['namespaces left', 'cgroup left', 'run folder left', 'processes of the run still alive']) {
      assert.ok(o.problems.some((p) => p.startsWith(want)), `${want}: ${formatOutcome(o)}`);
    }
  });

  for (const [i, plan] of plans(seed, 6, true).entries()) {
    it(`run ${i + 1}: ${plan.signal} during ${plan.phase} leaves nothing of the run`, async () => {
      const o = await signalRun(plan, { down, log: (l) => process.stdout.write(`# ${l}\n`) });
      assert.ok(o.runId, `the run started (owner file seen): ${formatOutcome(o)}`);
      assert.deepEqual(o.problems, [], `${formatOutcome(o)}\nreplay: SIGNAL_TEST_SEED=${seed}`);
    });
  }
});
