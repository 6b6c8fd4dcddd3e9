// The shell pool keeps exec.ts `run`'s contract without timeout(1): exit code, stdout, stderr and
// stdin as given, and at the deadline TERM (then KILL), exit 124 and a line saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAlive } from '../../../lab/runtime/exec.ts';
import { run } from '../../../lab/runtime/twin/shell-pool.ts';

test('exit code, stdout, stderr and stdin as exec.ts run gives them', async () => {
  const r = await run(['sh', '-c', 'cat; echo err >&2; exit 3'], { input: 'in put\n' });
  assert.deepEqual(r, { code: 3, stdout: 'in put\n', stderr: 'err\n' });
  const quoted = await run(['printf', '%s|', "it's", 'a b', '$HOME']);
  assert.equal(quoted.stdout, "it's|a b|$HOME|", 'arguments reach the command as they are');
});

test('at the deadline the command is ended: exit 124, and the stderr says so', async () => {
  const t0 = Date.now();
  const r = await run(['sh', '-c', 'echo $$; exec sleep 30'], { timeoutMs: 300 });
  const took = Date.now() - t0;
  assert.equal(r.code, 124);
  assert.match(r.stderr, /timed out after 300 ms: sh -c/);
  assert.ok(took >= 290 && took < 3000, `ended after ${took} ms`);
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 0 && !isAlive(pid), 'the sleep is gone');
});

test('a command that ignores TERM is killed a second later', async () => {
  const t0 = Date.now();
  const r = await run(['sh', '-c', "trap '' TERM; sleep 3 & wait"], { timeoutMs: 200 });
  assert.equal(r.code, 124);
  assert.ok(Date.now() - t0 >= 1100, 'KILL came after the grace second');
});

test('negative control: a command done before its deadline keeps its own code, even 124', async () => {
  const r = await run(['sh', '-c', 'sleep 0.1; exit 124'], { timeoutMs: 5000 });
  assert.equal(r.code, 124);
  assert.equal(r.stderr, '', 'no "timed out" line: the deadline never fired');
  assert.equal((await run(['true'], { timeoutMs: 100 })).code, 0);
});
