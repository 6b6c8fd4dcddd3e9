// Bootstrap retry, as a pure function of what talosctl printed. Upstream facts (siderolabs/talos
// release-1.14): the node answers FailedPrecondition "bootstrap is not available yet" / "time is not
// in sync yet" until it may bootstrap and AlreadyExists "etcd data directory is not empty" after
// (internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go); Talos's own client retries
// FailedPrecondition, DeadlineExceeded, Canceled, Unavailable, "connection refused" and
// "error reading from server: EOF" (pkg/cluster/bootstrap.go); talosctl prints
// "error executing bootstrap: <grpc error>" (cmd/talosctl/cmd/talos/bootstrap.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '../../lab/runtime/exec.ts';
import { bootstrapVerdict, bootstrapWithRetry } from '../../lab/runtime/vm/bootstrap.ts';
import { DeadlineError } from '../../lab/runtime/vm/deadline.ts';

const fail = (stderr: string): RunResult => ({ code: 1, stdout: '', stderr });
const OK: RunResult = { code: 0, stdout: '', stderr: '' };
const NOT_YET = fail('error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap is not available yet\n');
const NO_TIME = fail('error executing bootstrap: rpc error: code = FailedPrecondition desc = time is not in sync yet\n');
const DONE_BEFORE = fail('error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n');
const REFUSED = fail('error executing bootstrap: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.10:50000: connect: connection refused"\n');
const RESTARTING = fail('error executing bootstrap: rpc error: code = Canceled desc = grpc: the client connection is closing\n');
const NO_ETCD = fail('error executing bootstrap: rpc error: code = InvalidArgument desc = etcd is not configured, bootstrap is not possible\n');
const DENIED = fail('error executing bootstrap: rpc error: code = PermissionDenied desc = not authorized\n');

describe('talosctl bootstrap verdicts', () => {
  it('FailedPrecondition (not available yet, time not in sync), Unavailable and Canceled: retry', () => {
    assert.deepEqual(bootstrapVerdict(NOT_YET), { verdict: 'retry', why: 'FailedPrecondition: bootstrap is not available yet' });
    assert.deepEqual(bootstrapVerdict(NO_TIME), { verdict: 'retry', why: 'FailedPrecondition: time is not in sync yet' });
    assert.equal(bootstrapVerdict(REFUSED).verdict, 'retry');
    assert.equal(bootstrapVerdict(RESTARTING).verdict, 'retry');
    assert.equal(bootstrapVerdict(fail('error executing bootstrap: error reading from server: EOF')).verdict, 'retry');
  });
  it('exit 0 and AlreadyExists: done', () => {
    assert.equal(bootstrapVerdict(OK).verdict, 'done');
    assert.deepEqual(bootstrapVerdict(DONE_BEFORE), { verdict: 'done', why: 'already bootstrapped (AlreadyExists)' });
  });
  it('anything else fails at once, naming what talosctl said', () => {
    assert.equal(bootstrapVerdict(DENIED).verdict, 'fail');
    assert.match(bootstrapVerdict(DENIED).why, /PermissionDenied desc = not authorized/);
    assert.match(bootstrapVerdict(NO_ETCD).why, /no etcd/);
  });
});

describe('bootstrap retry within the deadline', () => {
  /** Replays recorded answers on a fake clock: no real waiting. */
  function replay(answers: RunResult[]) {
    let t = 0;
    let i = 0;
    return {
      runOnce: async () => answers[Math.min(i++, answers.length - 1)]!,
      opts: { deadlineMs: 60_000, intervalMs: 5000, now: () => t, sleep: async (ms: number) => { t += ms; } },
      calls: () => i,
    };
  }
  it('retries through the install reboot until bootstrapped', async () => {
    const r = replay([REFUSED, NOT_YET, NOT_YET, NO_TIME, OK]);
    assert.deepEqual(await bootstrapWithRetry(r.runOnce, r.opts), { attempts: 5, why: 'bootstrapped' });
  });
  it('AlreadyExists after a lost answer counts as done', async () => {
    const r = replay([NOT_YET, DONE_BEFORE]);
    assert.equal((await bootstrapWithRetry(r.runOnce, r.opts)).attempts, 2);
  });
  it('a node that never becomes ready: a DeadlineError named talos-bootstrap with the last answer', async () => {
    const r = replay([NOT_YET]);
    await assert.rejects(bootstrapWithRetry(r.runOnce, r.opts), (e: unknown) => {
      assert.ok(e instanceof DeadlineError);
      assert.equal(e.deadline, 'talos-bootstrap');
      assert.match(e.message, /bootstrap is not available yet/);
      return true;
    });
    assert.equal(r.calls(), 13, 'one try every 5 s from 0 to 60 s');
  });
  it('a hard error stops at once (negative control: no retry loop)', async () => {
    const r = replay([NOT_YET, DENIED, OK]);
    await assert.rejects(bootstrapWithRetry(r.runOnce, r.opts), /PermissionDenied/);
    assert.equal(r.calls(), 2);
  });
});
