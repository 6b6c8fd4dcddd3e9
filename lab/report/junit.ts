// JUnit XML of a run: a test suite per assertion, a test case per subject (a session, a router's
// route, a pod pair), failures carrying expected versus seen, the diagnosis and the evidence. Pure.
import type { Report } from './model.ts';

function esc(s: string): string {
  // XML 1.0 cannot carry most control characters, even escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const secs = (ms: number): string => (ms / 1000).toFixed(3);

export function junitXml(r: Report): string {
  const tests = r.assertions.reduce((n, a) => n + a.results.length, 0);
  const failures = r.assertions.reduce((n, a) => n + a.failed, 0);
  const stageErrors = r.stages.filter((s) => !s.ok);
  const total = r.stages.reduce((n, s) => n + s.ms, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="lab e2e ${esc(r.lab)}" tests="${tests + stageErrors.length}" failures="${failures}" errors="${stageErrors.length}" time="${secs(total)}">`);
  for (const a of r.assertions) {
    const each = a.results.length > 0 ? a.ms / a.results.length : 0;
    out.push(`  <testsuite name="${a.id}. ${esc(a.title)}" tests="${a.results.length}" failures="${a.failed}" errors="0" skipped="0" time="${secs(a.ms)}" timestamp="${esc(r.startedAt.replace(/\.\d+Z$/, ''))}" hostname="${esc(r.runtime)}" id="${a.id}" package="lab.${esc(r.lab)}">`);
    out.push('    <properties>', `      <property name="runId" value="${esc(r.runId)}"/>`, `      <property name="cilium" value="${esc(r.versions.cilium)} ${esc(r.bgpApi)} ${esc(r.mode.routingMode)}${r.mode.masquerade ? ' masquerade' : ''}"/>`, '    </properties>');
    for (const x of a.results) {
      const head = `    <testcase name="${esc(x.subject)}" classname="lab.${esc(r.lab)}.assertion${a.id}" time="${secs(each)}"`;
      if (x.ok) {
        out.push(`${head}/>`);
        continue;
      }
      const body = [`expected: ${x.expected}`, `seen:     ${x.seen}`, ...(x.diagnosis ? [`why:      ${x.diagnosis}`] : []), ...(x.evidence ?? []).map((e) => `evidence: ${e}`)].join('\n');
      out.push(`${head}>`, `      <failure message="${esc(x.diagnosis ?? `expected ${x.expected}, seen ${x.seen}`)}" type="assertion${a.id}">${esc(body)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (r.fault) {
    // One test case per flow of the fault, failed when it lost more than the fault's bound allows.
    const f = r.fault;
    const failed = f.lossViolations.length + (f.ok ? 0 : f.lossViolations.length === 0 ? 1 : 0);
    out.push(`  <testsuite name="fault ${esc(f.kind)}" tests="${f.flows.length + 1}" failures="${failed}" errors="0" skipped="0" time="${secs(f.heldMs + (f.recoverMs ?? 0))}">`);
    const verdict = `    <testcase name="${esc(f.description)}" classname="lab.${esc(r.lab)}.fault"`;
    out.push(f.ok || f.lossViolations.length > 0 ? `${verdict}/>` : `${verdict}>\n      <failure message="${esc(`detected ${f.detectMs ?? 'never'} ms, recovered ${f.recovered}`)}" type="fault"/>\n    </testcase>`);
    for (const x of f.flows) {
      const over = f.lossViolations.find((v) => v.startsWith(`${x.from} -> ${x.to}:`));
      const head = `    <testcase name="${esc(`${x.from} -> ${x.to}: ${x.lost} of ${x.sent} lost, longest gap ${x.longestGapMs} ms`)}" classname="lab.${esc(r.lab)}.fault.loss"`;
      out.push(over ? `${head}>\n      <failure message="${esc(over)}" type="loss">${esc(f.lossBound.explains)}</failure>\n    </testcase>` : `${head}/>`);
    }
    out.push('  </testsuite>');
  }
  if (stageErrors.length > 0) {
    out.push(`  <testsuite name="stages" tests="${stageErrors.length}" failures="0" errors="${stageErrors.length}" skipped="0" time="${secs(stageErrors.reduce((n, s) => n + s.ms, 0))}">`);
    for (const s of stageErrors) {
      out.push(`    <testcase name="${esc(s.name)}" classname="lab.${esc(r.lab)}.stages" time="${secs(s.ms)}">`, `      <error message="${esc(s.detail ?? 'stage failed')}" type="stage">${esc(s.detail ?? '')}</error>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
