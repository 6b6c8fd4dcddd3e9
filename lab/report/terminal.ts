// Plain-text rendering of a report: the assertion table, then for each failure the diagnosis and
// at most three lines of evidence, not a wall of logs.
import type { Report } from './model.ts';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push(`${r.lab} on the ${r.runtime} (run ${r.runId}): Cilium ${r.versions.cilium} (${r.bgpApi}, ${r.mode.routingMode}${r.mode.masquerade ? ', masquerade' : ''}), Talos ${r.versions.talos}, OpenWRT ${r.versions.openwrt}${r.pitfall ? `, pitfall ${r.pitfall}` : ''}`);
  lines.push(`  ${r.fidelity}`);
  if (r.convergence) lines.push(`  convergence: ${r.convergence.converged ? 'converged' : 'NOT converged'} after ${r.convergence.ms} ms${r.convergence.converged ? '' : ` (missing: ${r.convergence.missing.slice(0, 3).join(', ')}${r.convergence.missing.length > 3 ? ', ...' : ''})`}`);
  lines.push('');
  lines.push(`  ${pad('#', 3)}${pad('assertion', 52)}${pad('result', 9)}checks`);
  for (const a of r.assertions) {
    lines.push(`  ${pad(String(a.id), 3)}${pad(a.title, 52)}${pad(a.ok ? 'PASS' : 'FAIL', 9)}${a.passed}/${a.passed + a.failed}`);
  }
  const failures = r.assertions.flatMap((a) => a.results.filter((x) => !x.ok));
  if (failures.length > 0) {
    lines.push('', 'Failures:');
    for (const f of failures) {
      lines.push(`  [${f.assertion}] ${f.subject}`, `      expected: ${f.expected}`, `      seen:     ${f.seen}`);
      if (f.diagnosis) lines.push(`      why:      ${f.diagnosis}`);
      for (const e of (f.evidence ?? []).slice(0, 3)) lines.push(`      evidence: ${e}`);
    }
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push('', `${r.ok ? 'PASS' : 'FAIL'}: ${r.assertions.filter((a) => a.ok).length} of ${r.assertions.length} assertions hold. Artifacts: ${r.artifacts}`);
  return lines.join('\n') + '\n';
}
