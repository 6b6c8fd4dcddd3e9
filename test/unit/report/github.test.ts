// GITHUB_STEP_SUMMARY naming a file that cannot be written: a warning, never a crash of a run that
// passed (the summary is a courtesy; the run's verdict is its exit code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishToGithub } from '../../../lab/report/github.ts';
import { recorded } from './support.ts';

async function withSummary(path: string, fn: () => Promise<void>): Promise<void> {
  const saved = process.env['GITHUB_STEP_SUMMARY'];
  process.env['GITHUB_STEP_SUMMARY'] = path;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env['GITHUB_STEP_SUMMARY'];
    else process.env['GITHUB_STEP_SUMMARY'] = saved;
  }
}

test('a GITHUB_STEP_SUMMARY that does not exist: one warning, no throw, nothing created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nrl-gh-'));
  const missing = join(dir, 'no-such-dir', 'summary.md');
  const warnings: string[] = [];
  try {
    await withSummary(missing, () => publishToGithub(recorded('reference'), { annotations: false, warn: (l) => warnings.push(l) }));
    assert.equal(warnings.length, 1, warnings.join(''));
    assert.match(warnings[0]!, /^lab: warning: job summary not written to GITHUB_STEP_SUMMARY=.*no-such-dir.*Unable to access summary file/);
    assert.equal(existsSync(missing), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('negative control: a writable GITHUB_STEP_SUMMARY gets the summary and no warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nrl-gh-'));
  const file = join(dir, 'summary.md');
  writeFileSync(file, '');
  const warnings: string[] = [];
  try {
    await withSummary(file, () => publishToGithub(recorded('reference'), { annotations: false, warn: (l) => warnings.push(l) }));
    assert.deepEqual(warnings, []);
    assert.ok(readFileSync(file, 'utf8').length > 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
