// The randomised signal test, shared by test/twin/signals.test.ts (short form) and
// bench/signals.mts (long form): `lab e2e` on the reference, SIGINT, SIGTERM or SIGKILL to the
// orchestrator at a random point of up, convergence, assertions or teardown, then `lab down`; after
// each run, nothing of *that* run may remain (other runs may go on beside it): no namespace, no
// cgroup, no run folder, no process (the pids its cgroup held just before the signal, and any
// process naming the run), and the root namespace unchanged. A seed makes every run replayable.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cgroupOf, runPids } from '../../lab/runtime/cgroup.ts';
import { ownerOf, runDirOf, runDirs, startTime } from '../../lab/runtime/owner.ts';
import { destroyRun, presentRuns } from '../../lab/runtime/teardown.ts';
import { LAB, REPO, labNamespaces, rootSnapshot, tmp } from './support.ts';
import { seeded } from '../../lab/assert/pairs.ts';

export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
export const PHASES = ['up', 'convergence', 'assertions', 'teardown'] as const;
export type Sig = (typeof SIGNALS)[number];
export type Phase = (typeof PHASES)[number];

/**
 * Rough length of each phase on the reference (ms, measured here: up 0.4 s, convergence 1.7 s,
 * assertions 2.6 s, teardown 40 ms): the signal lands at a random point inside; where it really
 * landed is reported with each run (a slower machine shifts some into the next phase).
 */
const PHASE_MS: Record<Phase, number> = { up: 400, convergence: 1600, assertions: 2500, teardown: 40 };
/** The stage line (--plain) that ends each phase; the phase after starts there. */
const ENDS: Record<Phase, RegExp> = { up: /^ {2}\S+ up \(/m, convergence: /^ {2}\S+ convergence \(/m, assertions: /^ {2}\S+ assertions \(/m, teardown: /^ {2}\S+ teardown \(/m };

export function seedFromEnv(): number {
  const s = process.env['SIGNAL_TEST_SEED'];
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : Math.floor(Math.random() * 2 ** 31);
}

export interface Plan {
  signal: Sig;
  phase: Phase;
  /** Fraction of the phase's usual length after its start. */
  at: number;
}

/** n runs from the seed; `cover` first walks every signal and every phase at least once. */
export function plans(seed: number, n: number, cover = false): Plan[] {
  const r = seeded(seed); // the assertions' own generator: same sequence for the same seed
  return Array.from({ length: n }, (_, i) => {
    const signal = cover ? SIGNALS[i % SIGNALS.length]! : SIGNALS[Math.floor(r() * SIGNALS.length)]!;
    const phase = cover ? PHASES[i % PHASES.length]! : PHASES[Math.floor(r() * PHASES.length)]!;
    return { signal, phase, at: r() };
  });
}

export interface Outcome {
  plan: Plan;
  runId: string | undefined;
  /** Where the signal actually landed (the phase may have ended before the timer fired). */
  landed: Phase | 'after';
  exit: string;
  /** What `lab down` said, if it had to run. */
  down: string;
  problems: string[];
}

function processesNaming(runId: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cg = readFileSync(`/proc/${d}/cgroup`, 'utf8');
      if (cmd.includes(`nrl-${runId}`) || cmd.includes(`/${runId}/`) || cg.includes(`/nrl-${runId}\n`)) out.push(`${d} ${cmd.trim().slice(0, 120)}`);
    } catch {
      /* exited */
    }
  }
  return out;
}

/** Dead, waiting for its parent (here PID 1, after the orchestrator died) to reap it. */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Finds the run this child owns: the owner file it writes before anything of the run exists. */
function ownedRun(pid: number): string | undefined {
  return runDirs().find((id) => ownerOf(id)?.pid === pid);
}

export interface RunOptions {
  /** 'run': `lab down --run ID` (other engineers' labs are safe); 'all': `lab down --all`; 'none': the negative control. */
  down: 'run' | 'all' | 'none';
  log?: (line: string) => void;
}

export async function signalRun(plan: Plan, opts: RunOptions): Promise<Outcome> {
  const rootBefore = rootSnapshot();
  const artifacts = tmp();
  const child = spawn(process.execPath, [LAB, 'e2e', '--plain', '--artifacts', artifacts], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<string>((res) => child.on('exit', (code, sig) => res(sig ? `signal ${sig}` : `exit ${code}`)));
  let done = false;
  void exited.then(() => { done = true; });

  let runId: string | undefined;
  const phaseStarted = async (): Promise<boolean> => {
    for (;;) {
      if (done) return false;
      runId ??= ownedRun(child.pid!);
      const i = PHASES.indexOf(plan.phase);
      const started = i === 0 ? runId !== undefined : ENDS[PHASES[i - 1]!].test(stderr);
      if (started) return true;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  let landed: Outcome['landed'] = 'after';
  let victims: { pid: number; start: string | undefined }[] = [];
  if (await phaseStarted()) {
    await new Promise((r) => setTimeout(r, Math.floor(plan.at * PHASE_MS[plan.phase])));
    runId ??= ownedRun(child.pid!);
    if (!done) {
      landed = PHASES.find((p) => !ENDS[p].test(stderr)) ?? 'after';
      victims = runId ? runPids(runId).map((pid) => ({ pid, start: startTime(pid) })) : [];
      child.kill(plan.signal);
    }
  }
  const exit = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
  const problems: string[] = [];
  if (exit.startsWith('still')) {
    child.kill('SIGKILL');
    problems.push(exit);
  }
  const expected = plan.signal === 'SIGKILL' ? 'signal SIGKILL' : plan.signal === 'SIGINT' ? 'exit 130' : 'exit 143';
  if (landed !== 'after' && exit !== expected) problems.push(`orchestrator ended with ${exit}, expected ${expected}`);
  if (landed !== 'after' && plan.signal !== 'SIGKILL' && runId && (labNamespaces(runId).length > 0 || existsSync(cgroupOf(runId) ?? '/nonexistent'))) {
    problems.push(`${plan.signal} left the run behind before any lab down: ${labNamespaces(runId).length} namespaces`);
  }

  let down = '';
  if (runId && opts.down !== 'none' && (await presentRuns()).includes(runId)) {
    const args = opts.down === 'all' ? ['down', '--all'] : ['down', '--run', runId];
    const r = spawnSync(process.execPath, [LAB, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    down = `lab ${args.join(' ')}: exit ${r.status}: ${(r.stdout + r.stderr).trim().split('\n').join(' | ')}`;
    if (r.status !== 0) problems.push(down);
    if (opts.down === 'all' && !r.stdout.includes(runId)) problems.push(`lab down --all did not name ${runId}`);
  }
  if (runId) {
    const ns = labNamespaces(runId);
    if (ns.length > 0) problems.push(`namespaces left: ${ns.join(', ')}`);
    const cg = cgroupOf(runId);
    if (cg && existsSync(cg)) problems.push(`cgroup left: ${cg}`);
    if (existsSync(runDirOf(runId))) problems.push(`run folder left: ${runDirOf(runId)}`);
    const alive = victims.filter((v) => v.start !== undefined && startTime(v.pid) === v.start && !zombie(v.pid));
    if (alive.length > 0) problems.push(`processes of the run still alive: ${alive.map((v) => v.pid).join(', ')}`);
    const named = processesNaming(runId);
    if (named.length > 0) problems.push(`processes naming the run: ${named.join('; ')}`);
  }
  // Whatever the verdict, leave nothing of ours behind for the next run (or other engineers).
  if (runId && problems.length > 0) await destroyRun(runId);
  const rootAfter = rootSnapshot();
  if (rootAfter !== rootBefore) problems.push('the root namespace changed (links, routes, rules, nft ruleset or ip_forward)');
  rmSync(artifacts, { recursive: true, force: true });
  const o: Outcome = { plan, runId, landed, exit, down, problems };
  opts.log?.(formatOutcome(o));
  return o;
}

export function formatOutcome(o: Outcome): string {
  const where = o.landed === o.plan.phase ? o.plan.phase : `${o.plan.phase} (landed in ${o.landed})`;
  return `${o.problems.length === 0 ? 'clean' : 'DIRTY'} ${o.plan.signal} at ${(o.plan.at * 100).toFixed(0)}% of ${where}, run ${o.runId ?? '(none yet)'}: ${o.exit}${o.down ? `; ${o.down}` : ''}${o.problems.map((p) => `\n    - ${p}`).join('')}`;
}

