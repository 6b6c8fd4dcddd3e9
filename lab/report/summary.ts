// The GitHub job summary of a run, as Markdown: verdict, assertion table, failures (grouped, a few
// per assertion), a Mermaid diagram of the topology with the traced path, every machine's routing
// table, stages and artifacts. Pure: built from the report alone.
import { reportedPath, sortRoutes } from './diagram/model.ts';
import type { MachineState, Report } from './model.ts';
import type { FaultReport } from '../faults/run.ts';
import { dualStackText } from './terminal.ts';

const FAILURES_PER_ASSERTION = 10;

export function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

const mid = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');
const mlabel = (s: string): string => s.replace(/"/g, '#quot;');

/** A Mermaid flowchart of the machines the run reported: datacentres, LANs, the peering network, the internet. */
export function mermaid(r: Report): string {
  const lines = ['flowchart TB'];
  const byDc = new Map<string, MachineState[]>();
  for (const m of r.machines) if (m.dc) byDc.set(m.dc, [...(byDc.get(m.dc) ?? []), m]);
  const internet = r.machines.find((m) => m.kind === 'internet');
  lines.push(`  internet(("internet${internet ? `<br/>${internet.address}` : ''}"))`);
  const routers = r.machines.filter((m) => m.kind === 'router');
  const peering = routers[0]?.routes.find((x) => x.dev === 'eth2' && !x.gateway)?.dst;
  if (routers.length > 1) lines.push(`  peering{{"peering network${peering ? `<br/>${peering}` : ''}"}}`);
  const edges: { a: string; b: string; style: string }[] = [];
  for (const [dc, ms] of byDc) {
    // Every router of the datacentre, side by side on its LAN; the first owns any extra zone.
    const dcRouters = ms.filter((m) => m.kind === 'router');
    const router = dcRouters[0];
    const lan = router?.routes.find((x) => x.dev === 'br-lan' && !x.gateway)?.dst;
    lines.push(`  subgraph ${mid(`dc_${dc}`)}["${mlabel(dc)}"]`);
    lines.push(`    ${mid(`lan_${dc}`)}[/"LAN ${mlabel(dc)}${lan ? `<br/>${lan}` : ''}"/]`);
    for (const m of ms) lines.push(`    ${mid(m.name)}["${mlabel(m.name)}<br/>${m.kind} ${m.address}"]`);
    lines.push('  end');
    for (const x of dcRouters) {
      edges.push({ a: 'internet', b: mid(x.name), style: '---' });
      if (routers.length > 1) edges.push({ a: 'peering', b: mid(x.name), style: '===' });
      edges.push({ a: mid(x.name), b: mid(`lan_${dc}`), style: '---' });
    }
    for (const m of ms) {
      if (m.kind === 'node' || m.kind === 'lanhost') edges.push({ a: mid(`lan_${dc}`), b: mid(m.name), style: '---' });
      if (m.kind === 'pod' && m.node) edges.push({ a: mid(m.node), b: mid(m.name), style: '---' });
      if (m.kind === 'zonehost' && router) edges.push({ a: mid(router.name), b: mid(m.name), style: '---' });
    }
  }
  edges.forEach((e) => lines.push(`  ${e.a} ${e.style} ${e.b}`));
  // The traced path: the links between consecutive machines (through their LAN or the peering network).
  const path = reportedPath(r);
  const kind = (n: string) => r.machines.find((m) => m.name === n);
  const onPath = new Set<number>();
  const mark = (a: string, b: string) => edges.forEach((e, i) => { if ((e.a === a && e.b === b) || (e.a === b && e.b === a)) onPath.add(i); });
  for (let i = 0; i + 1 < path.length; i++) {
    const a = kind(path[i]!);
    const b = kind(path[i + 1]!);
    if (!a || !b) continue;
    if (a.kind === 'pod' || b.kind === 'pod') mark(mid(a.name), mid(b.name));
    else if (a.kind === 'router' && b.kind === 'router') { mark('peering', mid(a.name)); mark('peering', mid(b.name)); }
    else if (a.dc && a.dc === b.dc) { mark(mid(a.name), mid(`lan_${a.dc}`)); mark(mid(`lan_${a.dc}`), mid(b.name)); }
  }
  if (onPath.size > 0) lines.push(`  linkStyle ${[...onPath].sort((x, y) => x - y).join(',')} stroke:#ea580c,stroke-width:4px`);
  const onPathMachines = path.filter((p) => kind(p)).map(mid);
  if (onPathMachines.length > 0) {
    lines.push('  classDef hop stroke:#ea580c,stroke-width:3px', `  class ${onPathMachines.join(',')} hop`);
  }
  return lines.join('\n');
}

/** The fault, measured in lost packets: one row per flow, and the bound it was held to. */
function faultMarkdown(f: FaultReport): string[] {
  return [
    `### Fault \`${cell(f.kind)}\`: ${f.ok ? 'pass' : '**FAIL**'}`, '',
    `${cell(f.description)}. BGP noticed after ${f.detectMs === undefined ? 'never' : `${f.detectMs} ms`}; held ${f.heldMs} ms; recovered ${f.recoverMs === undefined ? '**not**' : `${f.recoverMs} ms after the heal`}.`, '',
    `Bound: ${cell(f.lossBound.name)} (${f.lossBound.maxGapMs === 0 ? 'no loss' : `gap up to ${f.lossBound.maxGapMs} ms`}): ${cell(f.lossBound.explains)}.`, '',
    ...(f.flowsNote ? [`Loss not measured: ${cell(f.flowsNote)}.`, ''] : [
      '| flow | sent | lost | longest gap | loss windows (ms from the fault) |', '|---|---|---|---|---|',
      ...f.flows.map((x) => `| ${cell(`${x.from} → ${x.to} (${x.toAddress})`)} | ${x.sent} | ${x.lost} | ${x.longestGapMs} ms | ${cell(x.windows.slice(0, 4).map((w) => `${w.fromMs}..${w.toMs}`).join(', '))} |`), '',
    ]),
    ...f.lossViolations.map((v) => `- **exceeded**: ${cell(v)}`), ...(f.lossViolations.length > 0 ? [''] : []),
  ];
}

function routeTable(m: MachineState): string[] {
  const rows = sortRoutes(m.routes).map((x) => `| \`${cell(x.dst)}\` | ${x.gateway ? `\`${cell(x.gateway)}\`` : ''} | ${cell(x.dev ?? '')} | ${cell(x.protocol ?? '')} |`);
  return ['| destination | via | dev | protocol |', '|---|---|---|---|', ...rows];
}

export function summaryMarkdown(r: Report): string {
  const held = r.assertions.filter((a) => a.ok).length;
  const out: string[] = [];
  out.push(`## lab e2e \`${cell(r.lab)}\`: ${r.ok ? 'PASS' : 'FAIL'}, ${held} of ${r.assertions.length} assertions hold`, '');
  out.push(`Cilium ${r.versions.cilium} (${r.bgpApi}, ${r.mode.routingMode}${r.mode.masquerade ? ', masquerade' : ''}${r.mode.autoDirectNodeRoutes ? ', autoDirectNodeRoutes' : ''}${dualStackText(r)}), Talos ${r.versions.talos}, OpenWRT ${r.versions.openwrt}${r.pitfall ? `, pitfall \`${cell(r.pitfall)}\`` : ''} · ${r.runtime} run \`${r.runId}\` · started ${r.startedAt}`, '');
  out.push(`> ${cell(r.fidelity)}`, '');
  if (r.convergence) out.push(`Convergence: ${r.convergence.converged ? 'converged' : '**not converged**'} after ${r.convergence.ms} ms${r.convergence.converged ? '' : ` (missing: ${cell(r.convergence.missing.join(', '))})`}.`, '');
  out.push('| # | assertion | result | checks | time |', '|---|---|---|---|---|');
  for (const a of r.assertions) out.push(`| ${a.id} | ${cell(a.title)} | ${a.ok ? 'pass' : '**FAIL**'} | ${a.passed}/${a.passed + a.failed} | ${a.ms} ms |`);
  out.push('');
  const failing = r.assertions.filter((a) => a.failed > 0);
  if (failing.length > 0) {
    out.push('### Failures', '');
    for (const a of failing) {
      const fails = a.results.filter((x) => !x.ok);
      out.push(`**${a.id}. ${cell(a.title)}**: ${fails.length} of ${a.results.length} checks failed`, '', '| subject | expected | seen | diagnosis |', '|---|---|---|---|');
      for (const f of fails.slice(0, FAILURES_PER_ASSERTION)) out.push(`| ${cell(f.subject)} | ${cell(f.expected)} | ${cell(f.seen)} | ${cell(f.diagnosis ?? '')} |`);
      if (fails.length > FAILURES_PER_ASSERTION) out.push(`| and ${fails.length - FAILURES_PER_ASSERTION} more (see junit.xml) | | | |`);
      out.push('');
    }
  }
  if (r.fault) out.push(...faultMarkdown(r.fault));
  const stopped = r.stages.filter((s) => !s.ok);
  for (const s of stopped) out.push(`Stage **${cell(s.name)}** failed after ${s.ms} ms: ${cell(s.detail ?? '')}`, '');
  for (const n of r.notes) out.push(`- note: ${cell(n)}`);
  if (r.notes.length > 0) out.push('');
  if (r.machines.length > 0) {
    const path = reportedPath(r);
    out.push('### Topology', '');
    if (path.length > 0) out.push(`Path of a cross-datacentre packet (assertion 4's first traceroute), in orange: ${path.map((p) => `\`${cell(p)}\``).join(' → ')}`, '');
    out.push('```mermaid', mermaid(r), '```', '');
    out.push('### Routing tables as the assertions found them', '');
    for (const m of r.machines) {
      out.push(`<details><summary><b>${cell(m.name)}</b> (${m.kind}${m.dc ? `, ${m.dc}` : ''}, ${m.address}): ${m.routes.length} routes</summary>`, '', ...routeTable(m), '', '</details>', '');
    }
  }
  out.push('### Stages', '', r.stages.map((s) => `${s.name} ${s.ms} ms${s.ok ? '' : ' (failed)'}`).join(' · '), '');
  if (r.artifactsIndex) {
    const i = r.artifactsIndex;
    out.push('### Artifacts', '', `In \`${cell(r.artifacts)}\` (upload it as a build artifact):`, '');
    for (const [label, files] of [['reports', i.reports], ['captures', i.captures], ['logs', i.logs], ['configs', i.configs]] as const) {
      if (files.length > 0) out.push(`- ${label}: ${files.map((f) => `\`${cell(f)}\``).join(', ')}`);
    }
    out.push('');
  }
  return out.join('\n');
}
