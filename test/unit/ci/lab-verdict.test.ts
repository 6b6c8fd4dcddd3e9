// The step after a Dagger run's export: it reads the module's record, appends every run's
// summary.md to the job summary, annotates each failed check from report.json, and exits with the
// lab's own code; with no record (the call failed early) it fails and says so.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runRecord, RUN_RECORD } from '../../../dagger/src/plan.ts';
import { failureAnnotations } from '../../../lab/report/github.ts';
import type { Report } from '../../../lab/report/model.ts';
import { readVerdict } from '../../../ci/verdict.ts';
import { repoRoot, unitDir } from '../support/paths.ts';

const root = mkdtempSync(path.join(tmpdir(), 'lab-verdict-'));
after(() => rmSync(root, { recursive: true, force: true }));
const recorded = (name: string) => path.join(unitDir, 'report', 'fixtures', `${name}.report.json`);

function exported(name: string, code: number, report: string | undefined): string {
  const artifacts = path.join(root, name, 'artifacts');
  const run = path.join(artifacts, 'nrl-abc123');
  mkdirSync(run, { recursive: true });
  if (report) {
    copyFileSync(recorded(report), path.join(run, 'report.json'));
    writeFileSync(path.join(run, 'summary.md'), `## summary of ${report}\n`);
  }
  writeFileSync(path.join(artifacts, RUN_RECORD), JSON.stringify(runRecord(['node', 'bin/lab.mjs', 'e2e'], code, ['nrl-abc123/'])));
  return artifacts;
}

function verdictStep(artifacts: string): { code: number | null; stdout: string; summary: string } {
  const summaryFile = path.join(root, `summary-${Math.random().toString(16).slice(2)}.md`);
  writeFileSync(summaryFile, '');
  const env = { ...process.env, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: 'true' };
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'ci/lab-verdict.ts', '--artifacts', artifacts], { cwd: repoRoot, encoding: 'utf8', env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, summary: readFileSync(summaryFile, 'utf8') };
}

test('a failed run: the lab\'s exit code, its summary, one annotation per failed check', () => {
  const artifacts = exported('red', 1, 'tunnel-masquerade');
  const v = readVerdict(artifacts);
  const report = JSON.parse(readFileSync(recorded('tunnel-masquerade'), 'utf8')) as Report;
  assert.equal(v.record.exitCode, 1);
  assert.ok(v.annotations.length > 0);
  assert.deepEqual(v.annotations, failureAnnotations(report));
  const step = verdictStep(artifacts);
  assert.equal(step.code, 1);
  assert.equal(step.summary, '> **lab exited 1: an assertion failed**\n\n## summary of tunnel-masquerade\n');
  assert.match(step.stdout, /^::error title=lab e2e .*assertion 2/m);
  assert.match(step.stdout, /lab e2e exited 1: an assertion failed/);
});

test('a passing run exits 0 with its summary and no annotation', () => {
  const artifacts = exported('green', 0, 'reference');
  const v = readVerdict(artifacts);
  assert.deepEqual(v.annotations, []);
  const step = verdictStep(artifacts);
  assert.equal(step.code, 0);
  assert.equal(step.summary, '## summary of reference\n');
  assert.doesNotMatch(step.stdout, /::error/);
});

test('a kill by signal without a report is still reported, with its meaning', () => {
  const step = verdictStep(exported('killed', 137, undefined));
  assert.equal(step.code, 137);
  assert.match(step.summary, /lab exited 137: killed by SIGKILL/);
  assert.match(step.stdout, /::error title=lab e2e exited 137::killed by SIGKILL/);
});

test('no record at all (the call failed before the run ended): exit 1, saying so', () => {
  const step = verdictStep(path.join(root, 'never-exported', 'artifacts'));
  assert.equal(step.code, 1);
  assert.match(step.summary, /no dagger-run\.json .*the dagger call failed before the run finished/);
});
