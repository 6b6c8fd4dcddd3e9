// The GitHub job summary: golden Markdown from the recorded reports, a Mermaid diagram naming every
// machine with the traced path highlighted, and the @actions/core side effect into a summary file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureAnnotations, publishToGithub } from '../../../lab/report/github.ts';
import { mermaid, summaryMarkdown } from '../../../lab/report/summary.ts';
import { golden, recorded, RECORDED } from './support.ts';

for (const name of RECORDED) {
  test(`the summary of the recorded ${name} run matches its golden file`, () => {
    golden(`${name}.summary.md`, summaryMarkdown(recorded(name)));
  });

  test(`the summary of the recorded ${name} run has every assertion, machine and route`, () => {
    const r = recorded(name);
    const md = summaryMarkdown(r);
    for (const a of r.assertions) assert.ok(md.includes(`| ${a.id} | ${a.title} |`), `assertion ${a.id}`);
    for (const m of r.machines) {
      assert.ok(md.includes(`<b>${m.name}</b>`), m.name);
      for (const route of m.routes) assert.ok(md.includes(`\`${route.dst}\``), `${m.name}: ${route.dst}`);
    }
  });
}

test('the Mermaid diagram names every machine and highlights the traced path', () => {
  const r = recorded('reference');
  const chart = mermaid(r);
  assert.match(chart, /^flowchart TB/);
  for (const m of r.machines) assert.ok(chart.includes(`["${m.name}<br/>`) || m.kind === 'internet', m.name);
  assert.match(chart, /linkStyle [\d,]+ stroke:#ea580c/);
  assert.match(chart, /class controlplane_1_pod,controlplane_1,router_dc1,router_dc2,worker_1,worker_1_pod hop/);
});

test('annotations: one per failed check (a few per assertion), none for a passing run', () => {
  assert.deepEqual(failureAnnotations(recorded('reference')), []);
  const r = recorded('tunnel-masquerade');
  const a = failureAnnotations(r);
  assert.equal(a.length, r.assertions.reduce((n, x) => n + Math.min(x.failed, 10) + (x.failed > 10 ? 1 : 0), 0));
  assert.ok(a.every((x) => x.title.startsWith('lab e2e tunnel-masquerade: assertion ')));
  assert.ok(a.some((x) => x.message.includes('Cilium enableIPv4Masquerade: true')));
});

test('publishToGithub writes the job summary to GITHUB_STEP_SUMMARY, and nothing without it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nrl-summary-'));
  const file = join(dir, 'summary.md');
  writeFileSync(file, '');
  const saved = process.env['GITHUB_STEP_SUMMARY'];
  try {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await publishToGithub(recorded('reference'), { annotations: false });
    assert.equal(readFileSync(file, 'utf8'), '');
    process.env['GITHUB_STEP_SUMMARY'] = file;
    await publishToGithub(recorded('reference'), { annotations: false });
    assert.equal(readFileSync(file, 'utf8').trim(), summaryMarkdown(recorded('reference')).trim());
  } finally {
    if (saved === undefined) delete process.env['GITHUB_STEP_SUMMARY'];
    else process.env['GITHUB_STEP_SUMMARY'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
