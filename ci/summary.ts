// The nightly's summary: one record per matrix cell (versions, outcome, what failed), and the table
// that names which versions broke what.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_RECORD } from '../dagger/src/plan.ts';
import type { MatrixCell } from './matrix.ts';

export interface CellResult extends MatrixCell {
  /** The GitHub step outcome of the e2e call: success, failure, cancelled or skipped. */
  outcome: string;
  /** Failed assertions and stages from the report(s), e.g. "A5 source IP preserved". */
  failures: string[];
}

interface ReportLike {
  ok?: boolean;
  stages?: { name: string; ok: boolean; detail?: string }[];
  assertions?: { id: number; title: string; ok: boolean }[];
}

function files(dir: string, name: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...files(p, name));
    else if (name.test(entry)) out.push(p);
  }
  return out;
}

/** What failed according to every report.json under `artifacts`. */
export function failuresFromReports(artifacts: string): string[] {
  const failures: string[] = [];
  for (const file of files(artifacts, /^report\.json$/)) {
    let r: ReportLike;
    try {
      r = JSON.parse(readFileSync(file, 'utf8')) as ReportLike;
    } catch {
      failures.push(`unreadable report ${file}`);
      continue;
    }
    for (const s of r.stages ?? []) if (!s.ok) failures.push(`stage ${s.name}${s.detail ? `: ${s.detail}` : ''}`);
    for (const a of r.assertions ?? []) if (!a.ok) failures.push(`A${a.id} ${a.title}`);
  }
  return failures;
}

/** How the lab itself ended, from the Dagger module's record beside the reports (none: undefined). */
function recordedEnd(artifacts: string): { ok: boolean; exitCode: number; meaning: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(artifacts, RUN_RECORD), 'utf8')) as { ok: boolean; exitCode: number; meaning: string };
  } catch {
    return undefined;
  }
}

export function cellResult(cell: MatrixCell, outcome: string, artifacts: string): CellResult {
  const failures = failuresFromReports(artifacts);
  const end = recordedEnd(artifacts);
  if (outcome !== 'success' && failures.length === 0 && end && !end.ok) failures.push(`lab exited ${end.exitCode}: ${end.meaning}`);
  if (outcome !== 'success' && failures.length === 0) failures.push(`the e2e call ended ${outcome} before a report was exported (see the job log)`);
  return { ...cell, outcome, failures };
}

export function readCells(dir: string): CellResult[] {
  return files(dir, /^cell-.*\.json$/).map((f) => JSON.parse(readFileSync(f, 'utf8')) as CellResult);
}

const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown: the table of every cell, then a sentence per broken cell naming the versions and what broke. */
export function summaryMarkdown(cells: readonly CellResult[]): string {
  const order = (c: CellResult) => (c.name === 'pinned' ? 0 : c.name === 'all newest' ? 2 : 1);
  const sorted = [...cells].sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  const lines = ['## Nightly release regression', '', '| cell | Cilium | Talos | OpenWRT | result | what failed |', '|---|---|---|---|---|---|'];
  for (const c of sorted) {
    const ok = c.outcome === 'success';
    lines.push(`| ${escape(c.name)} | ${c.cilium} | ${c.talos} | ${c.openwrt} | ${ok ? 'pass' : c.outcome === 'failure' ? '**FAIL**' : c.outcome} | ${ok ? '' : escape(c.failures.join('; '))} |`);
  }
  lines.push('');
  const pinned = sorted.find((c) => c.name === 'pinned');
  const broken = sorted.filter((c) => c.outcome !== 'success');
  if (sorted.length === 0) lines.push('No cell reported: the resolve job or the whole matrix failed before any e2e ran (see the jobs above).');
  else if (broken.length === 0) lines.push(`Every cell passed (${sorted.length}).`);
  if (pinned && pinned.outcome !== 'success') {
    lines.push(`- The pinned versions (Cilium ${pinned.cilium}, Talos ${pinned.talos}, OpenWRT ${pinned.openwrt}) fail too: the break is not in a new release.`);
  }
  for (const c of broken) {
    if (c.name === 'pinned') continue;
    const changed = pinned ? (['cilium', 'talos', 'openwrt'] as const).filter((p) => c[p] !== pinned[p]) : [];
    const what = changed.length > 0 ? changed.map((p) => `${{ cilium: 'Cilium', talos: 'Talos', openwrt: 'OpenWRT' }[p]} ${c[p]}`).join(' + ') : c.name;
    lines.push(`- ${what} broke: ${c.failures.join('; ')}`);
  }
  return lines.join('\n') + '\n';
}
