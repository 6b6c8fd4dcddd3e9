// Plain-text rendering of a report: the assertion table, then the failures grouped by assertion (at
// most three each: expected, seen, why and one line of evidence), then where the artifacts are.
import { artifactsLine } from './artifacts.ts';
import type { Report } from './model.ts';
import { formatFault } from '../faults/run.ts';

const FAILURES_SHOWN = 3;
const WIDTH = 200;

/** One line, at most WIDTH characters: evidence, not a wall of logs. */
function clip(s: string): string {
  const one = s.replace(/\s*\n\s*/g, ' | ');
  return one.length > WIDTH ? `${one.slice(0, WIDTH - 3)}...` : one;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Rows with every column as wide as its widest cell plus a gap of two (the last one unpadded). */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]! + 2))).join('')}`.trimEnd());
}

export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push(`${r.lab} on the ${r.runtime} (run ${r.runId}): Cilium ${r.versions.cilium} (${r.bgpApi}, ${r.mode.routingMode}${r.mode.masquerade ? ', masquerade' : ''}), Talos ${r.versions.talos}, OpenWRT ${r.versions.openwrt}${r.mode.ibgp ? `; routers: iBGP ${r.mode.ibgp}` : ''}${dualStackText(r)}${r.pitfall ? `, pitfall ${r.pitfall}` : ''}`);
  lines.push(`  ${r.fidelity}`);
  if (r.convergence) lines.push(`  convergence: ${r.convergence.converged ? 'converged' : 'NOT converged'} after ${r.convergence.ms} ms${r.convergence.converged ? '' : ` (missing: ${r.convergence.missing.slice(0, 3).join(', ')}${r.convergence.missing.length > 3 ? ', ...' : ''})`}`);
  lines.push(...scaleLines(r));
  lines.push('');
  lines.push(...table([['#', 'assertion', 'result', 'checks', 'time'], ...r.assertions.map((a) => [String(a.id), a.title, a.ok ? 'PASS' : 'FAIL', `${a.passed}/${a.passed + a.failed}`, `${a.ms} ms`])]));
  const failing = r.assertions.filter((a) => a.failed > 0);
  if (failing.length > 0) {
    lines.push('', 'Failures (the first of each assertion; every one is in junit.xml and report.json):');
    for (const a of failing) {
      const fails = a.results.filter((x) => !x.ok);
      lines.push(`  ${a.id}. ${a.title}: ${fails.length} of ${a.results.length} failed`);
      for (const f of fails.slice(0, FAILURES_SHOWN)) {
        lines.push(`    - ${f.subject}: expected ${f.expected}; seen ${clip(f.seen)}`);
        if (f.diagnosis) lines.push(`      why: ${clip(f.diagnosis)}`);
        const evidence = f.evidence?.[0];
        if (evidence) lines.push(`      evidence: ${clip(evidence)}`);
      }
      if (fails.length > FAILURES_SHOWN) lines.push(`    and ${fails.length - FAILURES_SHOWN} more`);
    }
  }
  for (const s of r.stages.filter((x) => !x.ok)) lines.push(`  stage ${s.name} failed: ${clip(s.detail ?? '')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.fault) lines.push('', ...formatFault(r.fault).trimEnd().split('\n').map((l) => `  ${l}`));
  lines.push('', `${r.ok ? 'PASS' : 'FAIL'}: ${r.assertions.filter((a) => a.ok).length} of ${r.assertions.length} assertions hold. ${artifactsLine(r)}`);
  return lines.join('\n') + '\n';
}

/** The counts that matter and where the time went: machines by kind, each stage, the slowest assertion. */
function scaleLines(r: Report): string[] {
  const kinds = new Map<string, number>();
  for (const m of r.machines) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
  const slowest = [...r.assertions].sort((a, b) => b.ms - a.ms)[0];
  const checks = r.assertions.reduce((n, a) => n + a.passed + a.failed, 0);
  const out: string[] = [];
  if (r.machines.length > 0) out.push(`  machines: ${r.machines.length} (${[...kinds].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ')}); ${checks} checks`);
  if (r.stages.length > 0) out.push(`  time: ${r.stages.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}${slowest ? `; slowest assertion ${slowest.id} (${(slowest.ms / 1000).toFixed(1)} s)` : ''}`);
  return out;
}

/** Dual-stack: the families and how BGP carries IPv6; every check's subject says its family. */
export function dualStackText(r: Pick<Report, 'mode'>): string {
  if (!r.mode.dualStack) return '';
  const how = { 'per-family': 'a BGP session per family', 'mp-over-v4': 'IPv6 over the IPv4 sessions', 'v4-over-v6': 'IPv4 over the nodes\' IPv6 sessions' }[r.mode.dualStack];
  return `; dual-stack, ${how}`;
}
