// `npm run bench`: wall time of each e2e stage (median of repeated runs) and memory, for the
// reference topology with Cilium's own speaker and with the emulated one, generated ones (100 nodes
// of Cilium's own among them) and a topology of a thousand machines; the private memory of Cilium's
// speaker under a few GOMAXPROCS/GOGC settings; the ratio of `lab e2e` to a hand-written floor
// (bench/floor.sh, alternating pairs); how fast the CLI starts. Prints a table with the targets
// beside the figures, writes bench/results.json. Never fails on a number: targets are for people to
// read, not for CI to enforce. Other work on the machine makes the figures noisy: run it on an
// otherwise idle machine.
//   --repeat N (5)  --sizes 2x2:cilium,5x5,10x10,10x10:cilium:1 (NxM[:speaker[:runs]], emulated by default)
//   --big 24x20 ('' skips)  --fault peering-down ('' skips)  --floor-pairs N (5, '0' skips)
//   --tuning 'GOMAXPROCS=1 GOGC=50,...' ('' skips)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runE2e } from '../lab/e2e.ts';
import { renderAll } from '../lab/render/index.ts';
import type { FaultKind } from '../lab/runtime/lab.ts';
import type { TwinLab } from '../lab/runtime/twin/twin-lab.ts';
import { generateTopology } from '../lab/topology/generate.ts';
import { referenceTopology } from '../lab/topology/reference.ts';
import { resolveTopology } from '../lab/topology/resolve.ts';
import type { Topology } from '../lab/topology/schema.ts';
import type { SpeakerMode } from '../lab/runtime/twin/speaker/choose.ts';
import { labMemory, type LabMemory } from './memory.mts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] ?? fallback : fallback;
};
const repeat = Number(flag('--repeat', '5'));
const sizes = flag('--sizes', '2x2:cilium,5x5,10x10,10x10:cilium:1').split(',').filter(Boolean);
const tuning = flag('--tuning', 'GOMAXPROCS=1 GOGC=50,GOMAXPROCS=1 GOGC=100,GOMAXPROCS=1 GOGC=25,GOMAXPROCS=2 GOGC=100').split(',').filter(Boolean);
const big = flag('--big', '24x20');
const faultKind = flag('--fault', 'peering-down') as FaultKind | '';
const floorPairs = Number(flag('--floor-pairs', '5'));
const REPO = join(import.meta.dirname, '..');
const ARTIFACTS = '/tmp/nrl-bench';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Row {
  topology: string;
  speaker: string;
  machines: number;
  runs: number;
  ok: number;
  medianMs: Record<string, number>;
  memory: LabMemory | undefined;
  medianNodePssKiB: number;
  maxNodePssKiB: number;
  medianRouterPssKiB: number;
  peakOrchestratorKiB: number;
  /** Private memory of each node's speaker, median and max over the nodes of the biggest run. */
  medianSpeakerPrivateKiB: number;
  maxSpeakerPrivateKiB: number;
  fault: { kind: string; detectMs: number | undefined; recoverMs: number | undefined; ok: boolean } | undefined;
}

async function bench(t: Topology, runs: number, withFault: boolean, speaker: SpeakerMode): Promise<Row> {
  const model = resolveTopology(t);
  const files = renderAll(model);
  const stages: Record<string, number[]> = { up: [], convergence: [], assertions: [], teardown: [], 'up+convergence+assertions': [], total: [] };
  let ok = 0;
  let memory: LabMemory | undefined;
  let machines = 0;
  for (let i = 0; i < runs; i++) {
    let lab: TwinLab | undefined;
    const report = await runE2e({
      model, files, artifactsRoot: ARTIFACTS, speaker,
      onLab: (l) => { lab = l as TwinLab; machines = l.machines().length; },
      onStage: (s) => {
        // After the assertions, before teardown: every daemon runs and has served its probes.
        if (!('started' in s) && s.name === 'assertions' && lab) {
          const m = labMemory(lab);
          if (!memory || m.pssKiB > memory.pssKiB) memory = m;
        }
      },
    });
    const ms = (name: string) => report.stages.find((s) => s.name === name)?.ms ?? 0;
    for (const name of ['up', 'convergence', 'assertions', 'teardown']) stages[name]!.push(ms(name));
    stages['up+convergence+assertions']!.push(ms('up') + ms('convergence') + ms('assertions'));
    stages['total']!.push(report.stages.reduce((sum, s) => sum + s.ms, 0));
    if (report.ok) ok++;
  }
  let fault: Row['fault'];
  if (withFault && faultKind) {
    // One more run with a fault: time to notice it and to converge again after healing.
    const f = (await runE2e({ model, files, artifactsRoot: ARTIFACTS, fault: faultKind, speaker })).fault;
    fault = f ? { kind: f.kind, detectMs: f.detectMs, recoverMs: f.recoverMs, ok: f.ok } : undefined;
  }
  return {
    topology: t.name, speaker, machines, runs, ok, fault, memory,
    medianSpeakerPrivateKiB: median(memory?.speakerPrivateKiB ?? []),
    maxSpeakerPrivateKiB: Math.max(0, ...(memory?.speakerPrivateKiB ?? [])),
    medianMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
    medianNodePssKiB: median(memory?.perNodePssKiB ?? []),
    maxNodePssKiB: Math.max(0, ...(memory?.perNodePssKiB ?? [])),
    medianRouterPssKiB: median(memory?.perRouterPssKiB ?? []),
    peakOrchestratorKiB: process.resourceUsage().maxRSS,
  };
}

/** Wall time of a command, in ms, and whether it exited 0. */
function timed(argv: string[]): { ms: number; ok: boolean; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim().split('\n').at(-1) ?? '' };
}

/** `lab e2e` of the reference against bench/floor.sh, alternating which goes first. */
function floorComparison(pairs: number) {
  const runs: { floorMs: number; labMs: number; ratio: number; ok: boolean }[] = [];
  // The floor runs GoBGP as the emulated speaker does: the comparison is of the lab around it.
  const lab = () => timed([process.execPath, 'bin/lab.mjs', 'e2e', '--plain', '--speaker', 'emulated', '--artifacts', ARTIFACTS]);
  const floor = () => timed(['sh', 'bench/floor.sh']);
  for (let i = 0; i < pairs; i++) {
    let f: ReturnType<typeof timed>;
    let l: ReturnType<typeof timed>;
    if (i % 2 === 0) {
      f = floor();
      l = lab();
    } else {
      l = lab();
      f = floor();
    }
    if (!f.ok) console.log(`  floor run failed: ${f.out}`);
    if (!l.ok) console.log(`  lab e2e run failed: ${l.out}`);
    runs.push({ floorMs: f.ms, labMs: l.ms, ratio: l.ms / f.ms, ok: f.ok && l.ok });
  }
  return { pairs: runs, medianFloorMs: median(runs.map((r) => r.floorMs)), medianLabMs: median(runs.map((r) => r.labMs)), medianRatio: median(runs.map((r) => r.ratio)) };
}

function cliStart() {
  spawnSync(process.execPath, ['bin/build.mjs'], { cwd: REPO, stdio: 'inherit' }); // what `npm ci` does
  const five = (argv: string[]) => median(Array.from({ length: 5 }, () => timed([process.execPath, 'bin/lab.mjs', ...argv]).ms));
  return { helpMs: five(['--help']), renderMs: five(['render', '-o', join(ARTIFACTS, 'render')]) };
}

const generated = (s: string): Topology => {
  const [n, m] = s.split('x').map(Number);
  const nodes = n! * m!;
  // Large topologies need more /24 pod blocks than 10.244.0.0/16 has (lab generate --pod-cidr).
  const prefix = nodes > 256 ? 16 - Math.ceil(Math.log2(nodes / 256)) : 16;
  return generateTopology({ datacentres: n!, nodesPerDc: m!, autoDirectNodeRoutes: m! > 1, podCIDR: `10.244.0.0/${prefix}`, nodeMaskSize: 24 });
};

/** Cilium's speaker on the reference under one GOMAXPROCS/GOGC setting: private memory and convergence. */
async function tune(env: string, runs: number) {
  process.env['NRL_SPEAKER_ENV'] = env;
  try {
    const r = await bench(referenceTopology(), runs, false, 'cilium');
    return { env, privateKiB: r.medianSpeakerPrivateKiB, maxPrivateKiB: r.maxSpeakerPrivateKiB, convergenceMs: r.medianMs['convergence'] ?? 0, ok: r.ok, runs: r.runs };
  } finally {
    delete process.env['NRL_SPEAKER_ENV'];
  }
}

const cli = cliStart();
const floor = floorPairs > 0 ? floorComparison(floorPairs) : undefined;
const rows: Row[] = [];
// The reference with each speaker, one after the other in the same run.
rows.push(await bench(referenceTopology(), repeat, true, 'cilium'));
rows.push(await bench(referenceTopology(), repeat, true, 'emulated'));
for (const spec of sizes) {
  const [size, speaker = 'emulated', runs] = spec.split(':');
  rows.push(await bench(generated(size!), runs ? Number(runs) : repeat, speaker !== 'cilium' && size === '10x10', speaker as SpeakerMode));
}
if (big) rows.push(await bench(generated(big), 1, false, 'emulated'));
const tuned = [];
for (const env of tuning) tuned.push(await tune(env, 3));

console.log(`\nmedian of ${repeat} runs per topology (the ${big || 'big'} one: 1 run); memory: proportional set size after the assertions; ${cpus().length} cores\n`);
console.log(`topology      speaker   machines  ok   up       converge  assert   teardown  up..assert  total    lab memory  per node  per router  ${faultKind || 'fault'}: detect, recover`);
for (const r of rows) {
  const ms = (k: string) => secs(r.medianMs[k] ?? 0).padEnd(k === 'up+convergence+assertions' ? 12 : 9);
  const cells = [r.topology.padEnd(14), r.speaker.padEnd(10), String(r.machines).padEnd(10), `${r.ok}/${r.runs}`.padEnd(5), ms('up'), ms('convergence').padEnd(10), ms('assertions'), ms('teardown').padEnd(10),
    ms('up+convergence+assertions'), ms('total'), mib(r.memory?.pssKiB ?? 0).padEnd(12), mib(r.medianNodePssKiB).padEnd(10), mib(r.medianRouterPssKiB).padEnd(12),
    r.fault ? `${r.fault.detectMs ?? '-'} ms, ${r.fault.recoverMs ?? '-'} ms${r.fault.ok ? '' : ' (FAILED)'}` : '-'];
  console.log(cells.join(''));
}
for (const r of rows) {
  const m = r.memory;
  if (m) console.log(`${r.topology} (${r.speaker}): ${m.processes} processes, ${m.threads} threads; speaker private memory median ${mib(r.medianSpeakerPrivateKiB)}, max ${mib(r.maxSpeakerPrivateKiB)}; per node (speaker + its pod's services) median ${mib(r.medianNodePssKiB)}, max ${mib(r.maxNodePssKiB)}; per router (BIRD + dnsmasq) ${mib(r.medianRouterPssKiB)}; peak RSS per daemon: ${Object.entries(m.peakDaemonKiB).map(([k, v]) => `${k} ${mib(v)}`).join(', ')}`);
}
console.log(`orchestrator (node) peak RSS: ${mib(rows.at(-1)?.peakOrchestratorKiB ?? 0)}`);
if (tuned.length > 0) {
  console.log(`\nCilium's speaker on the reference, median of 3 runs per setting: private memory per speaker, convergence`);
  for (const t of tuned) console.log(`  ${t.env.padEnd(24)} ${mib(t.privateKiB).padEnd(10)} (max ${mib(t.maxPrivateKiB)})  converged in ${secs(t.convergenceMs)}  ${t.ok}/${t.runs} green`);
}

const targets: string[] = [];
const [ciliumRef, emulatedRef] = [rows[0]!, rows[1]!];
targets.push(`reference with Cilium's own speaker: up ${secs(ciliumRef.medianMs['up'] ?? 0)}, convergence ${secs(ciliumRef.medianMs['convergence'] ?? 0)}, whole e2e ${secs(ciliumRef.medianMs['total'] ?? 0)}; with the emulation: convergence ${secs(emulatedRef.medianMs['convergence'] ?? 0)}, whole ${secs(emulatedRef.medianMs['total'] ?? 0)} (Cilium's GoBGP dials first 1.5-2 s after its peer is added: the bound)`);
targets.push(`private memory per Cilium speaker ${mib(ciliumRef.medianSpeakerPrivateKiB)} (max ${mib(ciliumRef.maxSpeakerPrivateKiB)}; target < 45 MiB)`);
const hundred = rows.find((r) => r.speaker === 'cilium' && r.topology === 'dc10x10');
if (hundred) targets.push(`100 nodes of Cilium's speaker (${hundred.machines} machines, ${hundred.ok === hundred.runs ? 'all assertions hold' : 'ASSERTIONS FAILED'}): up, converged and asserted in ${secs(hundred.medianMs['up+convergence+assertions'] ?? 0)}, lab memory ${mib(hundred.memory?.pssKiB ?? 0)}, speaker private median ${mib(hundred.medianSpeakerPrivateKiB)}`);
const bigRow = big ? rows.at(-1) : undefined;
if (bigRow) {
  const uca = bigRow.medianMs['up+convergence+assertions'] ?? 0;
  targets.push(`${bigRow.topology} (${bigRow.machines} machines, ${bigRow.ok === 1 ? 'all assertions hold' : 'ASSERTIONS FAILED'}): up, converged and asserted in ${secs(uca)} (target < 60 s), with teardown ${secs(bigRow.medianMs['total'] ?? 0)} (target < 120 s)`);
  targets.push(`memory per node ${mib(bigRow.medianNodePssKiB)} (max ${mib(bigRow.maxNodePssKiB)}; target < 20 MiB), per router ${mib(bigRow.medianRouterPssKiB)}`);
}
if (floor) targets.push(`lab e2e / floor (bench/floor.sh), median of ${floor.pairs.length} alternating pairs: ${floor.medianRatio.toFixed(2)} (lab ${secs(floor.medianLabMs)}, floor ${secs(floor.medianFloorMs)}; target <= 1.3)`);
targets.push(`lab --help ${Math.round(cli.helpMs)} ms (target < 150 ms), lab render ${Math.round(cli.renderMs)} ms (target < 250 ms), median of 5`);
console.log(`\ntargets:\n${targets.map((t) => `  ${t}`).join('\n')}`);

const out = join(import.meta.dirname, 'results.json');
writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), host: { cpus: cpus().length }, repeat, cli, floor, rows, tuned, targets }, null, 2) + '\n');
console.log(`written: ${out}`);
