// Every run leaves summary.md (the GitHub job summary) in its artifacts, because GITHUB_STEP_SUMMARY
// never reaches a Dagger exec: writeRunReports (the one report writer of the one e2e flow, both
// runtimes) writes it and lists it in the artifacts index; the module's `summary` reads it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeRunReports } from '../../../lab/report/artifacts.ts';
import { summaryMarkdown } from '../../../lab/report/summary.ts';
import { modelOf, recorded } from '../report/support.ts';

const root = mkdtempSync(path.join(tmpdir(), 'summary-file-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const [name, runtime] of [['reference', 'twin'], ['tunnel-masquerade', 'vm']] as const) {
  test(`${name} (${runtime} runtime): summary.md beside report.json, indexed, the same Markdown as the job summary`, async () => {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    const r = { ...recorded(name), runtime, artifacts: dir, notes: [] };
    const done = await writeRunReports(r, modelOf(name === 'reference' ? 'reference' : 'tunnel-masquerade'));
    const file = path.join(dir, 'summary.md');
    assert.ok(existsSync(file));
    assert.ok(done.artifactsIndex!.reports.includes('summary.md'));
    const md = readFileSync(file, 'utf8');
    assert.equal(md, summaryMarkdown(done));
    assert.match(md, r.ok ? /: PASS, 11 of 11 assertions hold/ : /: FAIL, 2 of 9 assertions hold/);
    assert.match(md, /`summary\.md`/, 'the summary lists itself among the reports');
  });
}
