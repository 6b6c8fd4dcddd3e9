// The terminal: the assertion table, failures grouped by assertion (three at most, "and N more"),
// the artifacts on the last line; stage progress as plain lines or a TTY spinner that is cleared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stageLogger } from '../../../lab/cli/progress.ts';
import { formatReport } from '../../../lab/report/terminal.ts';
import { recorded } from './support.ts';

test('a passing run: the table and one line naming the artifacts', () => {
  const text = formatReport(recorded('reference'));
  const lines = text.trimEnd().split('\n');
  assert.match(lines.at(-1)!, /^PASS: \d+ of \d+ assertions hold\. Artifacts: .* \(report\.json, junit\.xml, diagram\.svg.*\d+ captures?, \d+ logs, \d+ configs\)$/);
  assert.doesNotMatch(text, /Failures/);
});

test('a failing run: failures grouped per assertion, at most three each, and N more', () => {
  const r = recorded('tunnel-masquerade');
  const text = formatReport(r);
  for (const a of r.assertions.filter((x) => x.failed > 0)) {
    assert.ok(text.includes(`  ${a.id}. ${a.title}: ${a.failed} of ${a.results.length} failed`), `assertion ${a.id}`);
    if (a.failed > 3) assert.ok(text.includes(`    and ${a.failed - 3} more`), `assertion ${a.id} and more`);
  }
  assert.equal(text.split('\n').filter((l) => l.startsWith('    - ')).length, r.assertions.reduce((n, a) => n + Math.min(a.failed, 3), 0));
  assert.ok(text.split('\n').every((l) => l.length <= 260), 'no wall of logs');
  assert.match(text.trimEnd().split('\n').at(-1)!, /^FAIL: .* Artifacts: /);
});

test('plain progress: one line per finished stage, nothing for a start', () => {
  const out: string[] = [];
  const log = stageLogger(true, { write: (s) => out.push(s) });
  log({ name: 'up', started: true });
  log({ name: 'up', ms: 12, ok: true });
  log({ name: 'convergence', started: true });
  log({ name: 'convergence', ms: 30, ok: false, detail: 'timed out' });
  assert.deepEqual(out, ['  done up (12 ms)\n', '  FAILED convergence (30 ms): timed out\n']);
});

test('TTY progress: a spinner with the running time, cleared by the finished line', async () => {
  const out: string[] = [];
  let t = 0;
  const log = stageLogger(false, { write: (s) => out.push(s), intervalMs: 5, now: () => t });
  log({ name: 'up', started: true });
  t = 1500;
  await new Promise((r) => setTimeout(r, 30));
  log({ name: 'up', ms: 1500, ok: true });
  const frames = out.slice(0, -1);
  assert.ok(frames.length >= 2, `spinner redrawn (${frames.length} frames)`);
  assert.ok(frames.every((f) => f.startsWith('\r\x1b[2K  ') && f.includes(' up ')), 'each frame clears the line');
  assert.ok(frames.some((f) => f.endsWith('1.5 s')), 'frames show the running time');
  assert.ok(out.at(-1)!.startsWith('\r\x1b[2K  ') && out.at(-1)!.endsWith('up (1500 ms)\n'), JSON.stringify(out.at(-1)));
  const after = out.length;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(out.length, after, 'the spinner stops with its stage');
});
