// `npm run bench`: wall time of each e2e stage (median of repeated runs) and peak memory, for the
// reference topology and optionally generated ones. Prints a table, writes bench/results.json.
// Never fails on a number: targets are for people to read, not for CI to enforce.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runE2e } from '../lab/e2e.ts';
import { renderAll } from '../lab/render/index.ts';
import type { TwinLab } from '../lab/runtime/twin/twin-lab.ts';
import type { FaultKind } from '../lab/runtime/lab.ts';
import { generateTopology } from '../lab/topology/generate.ts';
import { referenceTopology } from '../lab/topology/reference.ts';
import { resolveTopology } from '../lab/topology/resolve.ts';
import type { Topology } from '../lab/topology/schema.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] ?? fallback : fallback;
};
const repeat = Number(flag('--repeat', '5'));
const sizes = flag('--sizes', '2x2,5x5,10x10').split(',').filter(Boolean);
const faultKind = flag('--fault', 'peering-down') as FaultKind;

/** Peak resident memory (VmHWM) of every process in the run's namespaces, in KiB. */
function peakMemory(lab: TwinLab): { daemons: Record<string, number>; totalKiB: number; pssKiB: number } {
  const daemons: Record<string, number> = {};
  let total = 0;
  let pss = 0;
  for (const ns of lab.namespaces) {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '?';
        const hwm = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        daemons[name] = Math.max(daemons[name] ?? 0, hwm);
        total += hwm;
        // Proportional set size: shared pages split between the processes that share them.
        pss += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      } catch {
        /* exited meanwhile */
      }
    }
  }
  return { daemons, totalKiB: total, pssKiB: pss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface Row {
  topology: string;
  machines: number;
  runs: number;
  ok: number;
  medianMs: Record<string, number>;
  peakDaemonKiB: Record<string, number>;
  peakLabKiB: number;
  labPssKiB: number;
  peakOrchestratorKiB: number;
  fault: { kind: string; detectMs: number | undefined; recoverMs: number | undefined; ok: boolean } | undefined;
}

async function bench(t: Topology): Promise<Row> {
  const model = resolveTopology(t);
  const files = renderAll(model);
  const stages: Record<string, number[]> = { up: [], convergence: [], assertions: [], teardown: [], total: [] };
  let ok = 0;
  let mem = { daemons: {} as Record<string, number>, totalKiB: 0, pssKiB: 0 };
  let machines = 0;
  for (let i = 0; i < repeat; i++) {
    let lab: TwinLab | undefined;
    const t0 = Date.now();
    const report = await runE2e({
      model, files, artifactsRoot: join('/tmp', 'nrl-bench'),
      onLab: (l) => { lab = l as TwinLab; machines = l.machines().length; }, // the twin runtime: its processes are measured
      onStage: (s) => {
        if (!('started' in s) && s.name === 'assertions' && lab) {
          const m = peakMemory(lab);
          if (m.totalKiB > mem.totalKiB) mem = m;
        }
      },
    });
    stages['total']!.push(Date.now() - t0);
    for (const s of report.stages) stages[s.name]?.push(s.ms);
    if (report.ok) ok++;
  }
  // One more run with a fault: time to notice it and to converge again after healing.
  const faulted = await runE2e({ model, files, artifactsRoot: join('/tmp', 'nrl-bench'), fault: faultKind });
  const f = faulted.fault;
  return {
    fault: f ? { kind: f.kind, detectMs: f.detectMs, recoverMs: f.recoverMs, ok: f.ok } : undefined,
    topology: t.name, machines, runs: repeat, ok,
    medianMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
    peakDaemonKiB: mem.daemons, peakLabKiB: mem.totalKiB, labPssKiB: mem.pssKiB,
    peakOrchestratorKiB: process.resourceUsage().maxRSS,
  };
}

const topologies: Topology[] = [referenceTopology(), ...sizes.map((s) => {
  const [n, m] = s.split('x').map(Number);
  return generateTopology({ datacentres: n!, nodesPerDc: m!, autoDirectNodeRoutes: m! > 1 });
})];
const rows: Row[] = [];
for (const t of topologies) rows.push(await bench(t));

const kib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
console.log(`\nmedian of ${repeat} runs per topology (ms); lab memory: proportional set size of every process after the assertions (sum of peak RSS, shared pages counted per process, in the per-daemon lines)\n`);
console.log(`topology      machines  ok   up      converge  assert  teardown  total   lab memory  gobgpd/node  ${faultKind}: detect, recover`);
for (const r of rows) {
  const cells = [r.topology.padEnd(14), String(r.machines).padEnd(10), `${r.ok}/${r.runs}`.padEnd(5), String(r.medianMs['up']).padEnd(8), String(r.medianMs['convergence']).padEnd(10),
    String(r.medianMs['assertions']).padEnd(8), String(r.medianMs['teardown']).padEnd(10), String(r.medianMs['total']).padEnd(8), kib(r.labPssKiB).padEnd(12),
    kib(r.peakDaemonKiB['gobgpd'] ?? 0).padEnd(13), r.fault ? `${r.fault.detectMs ?? '-'} ms, ${r.fault.recoverMs ?? '-'} ms${r.fault.ok ? '' : ' (FAILED)'}` : '-'];
  console.log(cells.join(''));
}
for (const r of rows) console.log(`${r.topology}: sum of peak RSS ${kib(r.peakLabKiB)}; peak per daemon: ${Object.entries(r.peakDaemonKiB).map(([k, v]) => `${k} ${kib(v)}`).join(', ')}`);
console.log(`orchestrator (node) peak RSS: ${kib(rows.at(-1)?.peakOrchestratorKiB ?? 0)}`);
const out = join(import.meta.dirname, 'results.json');
writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), host: { cpus: (await import('node:os')).cpus().length }, repeat, rows }, null, 2) + '\n');
console.log(`written: ${out}`);
