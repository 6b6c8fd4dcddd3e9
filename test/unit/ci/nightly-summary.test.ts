// The nightly's summary names which versions broke what: failed assertions from the cell's
// report.json, the release that differs from the pinned versions, and the pinned cell failing too.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cellResult, readCells, summaryMarkdown } from '../../../ci/summary.ts';

const root = mkdtempSync(path.join(tmpdir(), 'nightly-summary-'));
after(() => rmSync(root, { recursive: true, force: true }));

const pinned = { name: 'pinned', cilium: '1.20.2', talos: 'v1.14.2', openwrt: '25.12.5' };

function artifacts(name: string, report: object | undefined): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'run-1'), { recursive: true });
  if (report) writeFileSync(path.join(dir, 'run-1', 'report.json'), JSON.stringify(report));
  return dir;
}

test('a failing cell names the new release and the failed assertions', () => {
  const ok = cellResult(pinned, 'success', artifacts('ok', { ok: true, stages: [{ name: 'up', ok: true }], assertions: [{ id: 1, title: 'BGP sessions established', ok: true }] }));
  const broken = cellResult({ ...pinned, name: 'cilium 1.21.0', cilium: '1.21.0' }, 'failure', artifacts('broken', {
    ok: false, stages: [{ name: 'up', ok: true }],
    assertions: [{ id: 1, title: 'BGP sessions established', ok: false }, { id: 5, title: 'source IP preserved', ok: false }, { id: 6, title: 'no overlay', ok: true }],
  }));
  assert.deepEqual(broken.failures, ['A1 BGP sessions established', 'A5 source IP preserved']);
  const md = summaryMarkdown([broken, ok]);
  assert.match(md, /\| pinned \| 1\.20\.2 \| v1\.14\.2 \| 25\.12\.5 \| pass \|/);
  assert.match(md, /\| cilium 1\.21\.0 \| 1\.21\.0 \| v1\.14\.2 \| 25\.12\.5 \| \*\*FAIL\*\* \| A1 BGP sessions established; A5 source IP preserved \|/);
  assert.match(md, /- Cilium 1\.21\.0 broke: A1 BGP sessions established; A5 source IP preserved/);
  assert.doesNotMatch(md, /pinned versions .* fail too/);
});

test('no report (the call failed early), the pinned cell failing, no cells at all', () => {
  const early = cellResult({ ...pinned, name: 'all newest', cilium: '1.21.0', talos: 'v1.15.0' }, 'failure', artifacts('early', undefined));
  assert.match(early.failures[0]!, /ended failure before a report was exported/);
  const pinnedBroken = cellResult(pinned, 'failure', artifacts('pinned-broken', undefined));
  const md = summaryMarkdown([early, pinnedBroken]);
  assert.match(md, /The pinned versions \(Cilium 1\.20\.2, Talos v1\.14\.2, OpenWRT 25\.12\.5\) fail too/);
  assert.match(md, /- Cilium 1\.21\.0 \+ Talos v1\.15\.0 broke:/);
  assert.match(summaryMarkdown([]), /No cell reported/);
});

test('the table job reads only the cell records, not the reports beside them', () => {
  const dir = path.join(root, 'downloaded');
  mkdirSync(path.join(dir, 'nightly-cell-0', 'cells'), { recursive: true });
  mkdirSync(path.join(dir, 'nightly-cell-0', 'artifacts', 'e2e', 'run-1'), { recursive: true });
  writeFileSync(path.join(dir, 'nightly-cell-0', 'cells', 'cell-0.json'), JSON.stringify({ ...pinned, outcome: 'success', failures: [] }));
  writeFileSync(path.join(dir, 'nightly-cell-0', 'artifacts', 'e2e', 'run-1', 'report.json'), '{"ok":true}');
  assert.deepEqual(readCells(dir).map((c) => c.name), ['pinned']);
});

test('a red cell without failed assertions names how the lab ended, from the module\'s record', () => {
  const dir = artifacts('missing-images', undefined);
  writeFileSync(path.join(dir, 'dagger-run.json'), JSON.stringify({ command: [], exitCode: 3, meaning: 'a missing tool, privilege, KVM or image', ok: false, runs: [] }));
  const cell = cellResult({ ...pinned, name: 'talos v1.15.0', talos: 'v1.15.0' }, 'failure', dir);
  assert.deepEqual(cell.failures, ['lab exited 3: a missing tool, privilege, KVM or image']);
  assert.match(summaryMarkdown([cell, { ...pinned, outcome: 'success', failures: [] }]), /- Talos v1\.15\.0 broke: lab exited 3/);
  writeFileSync(path.join(dir, 'dagger-run.json'), JSON.stringify({ command: [], exitCode: 0, meaning: 'every assertion holds', ok: true, runs: [] }));
  assert.match(cellResult(pinned, 'failure', dir).failures[0]!, /before a report was exported/, 'a green record does not explain a red step');
});
