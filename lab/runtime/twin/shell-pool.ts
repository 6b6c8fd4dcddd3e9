// Short commands through a few long-lived shells instead of one fork of Node each. Node forks its
// whole address space per child (2 ms at 50 MiB, 4-5 ms at 250 MiB, on the main thread, so never
// more than a few hundred a second whatever the cores); a thousand-machine lab runs thousands of
// `ip`, `nft`, `ping`, `birdc`. A shell forks in well under a millisecond. Same contract as
// exec.ts `run` (exit code, stdout, stderr, deadline, stdin), so callers swap the import.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../exec.ts';
import { inNs } from '../netns.ts';
import { joinCgroup, splitCgroupJoin } from '../cgroup.ts';

const WORKERS = 8;
const dir = `/run/nrl-shells-${process.pid}`;

interface Job {
  id: number;
  resolve: (r: RunResult) => void;
  timeoutMs: number;
  argv: string[];
  /** The running command's pid (a `run` job), and its deadline. */
  pid?: number;
  timer?: NodeJS.Timeout;
  timedOut?: boolean;
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  pending: Map<number, Job>;
  buffer: string;
}

/**
 * Shells per cgroup ('' for none): a run's commands go to shells that joined the run's cgroup once,
 * so each command inherits it instead of joining through a shell of its own (inRunCgroup), and
 * the deadline is kept here instead of by timeout(1): a command costs its own exec and nsenter's.
 */
const pools = new Map<string, Worker[]>();
let nextId = 0;

export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function file(id: number, ext: string): string {
  return join(dir, `${id}.${ext}`);
}

function take(path: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    unlinkSync(path);
    return text;
  } catch {
    return '';
  }
}

function finish(w: Worker, id: number, code: number): void {
  const job = w.pending.get(id);
  if (!job) return;
  w.pending.delete(id);
  if (job.timer) clearTimeout(job.timer);
  if (w.pending.size === 0) (w.child.stdout as unknown as { unref(): void }).unref();
  take(file(id, 'in'));
  const timedOut = job.timedOut ? `\n(timed out after ${job.timeoutMs} ms: ${job.argv.join(' ')})` : '';
  job.resolve({ code: job.timedOut ? 124 : code, stdout: take(file(id, 'out')), stderr: take(file(id, 'err')) + timedOut });
}

/** The command started: its deadline runs from now (TERM at the deadline, KILL a second later, 124). */
function started(w: Worker, id: number, pid: number): void {
  const job = w.pending.get(id);
  if (!job) return;
  job.pid = pid;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  };
  job.timer = setTimeout(() => {
    job.timedOut = true;
    signal('SIGTERM');
    job.timer = setTimeout(() => signal('SIGKILL'), 1000);
    job.timer.unref();
  }, job.timeoutMs);
  job.timer.unref();
}

function startWorkers(procs: string): Worker[] {
  mkdirSync(dir, { recursive: true });
  if (pools.size === 0) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return Array.from({ length: WORKERS }, () => {
    // The shell ends when our end of its stdin closes, that is with this process at the latest.
    const argv = procs ? joinCgroup(procs, ['sh', '-s']) : ['sh', '-s'];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const w: Worker = { child, pending: new Map(), buffer: '' };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      w.buffer += chunk;
      let nl: number;
      while ((nl = w.buffer.indexOf('\n')) >= 0) {
        const [kind, id, value] = w.buffer.slice(0, nl).split(' ');
        w.buffer = w.buffer.slice(nl + 1);
        if (kind === 'P') started(w, Number(id), Number(value));
        else if (kind === 'D') finish(w, Number(id), Number(value));
      }
    });
    child.on('exit', () => {
      // A run's shells end with its cgroup (teardown); whatever they still had is lost, as with timeout's kill.
      for (const id of [...w.pending.keys()]) finish(w, id, 127);
      const left = (pools.get(procs) ?? []).filter((x) => x !== w);
      if (left.length > 0) pools.set(procs, left);
      else pools.delete(procs);
    });
    child.stdin.on('error', () => undefined); // a shell that died: its exit handler answers its jobs
    child.stderr.resume();
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stdin as unknown as { unref(): void }).unref();
    (child.stderr as unknown as { unref(): void }).unref();
    return w;
  });
}

function workersFor(procs: string): Worker[] {
  let ws = pools.get(procs);
  if (!ws || ws.length === 0) {
    ws = startWorkers(procs);
    pools.set(procs, ws);
  }
  return ws;
}

/** Starts the shells now (they start on first use otherwise): a run's first command then finds them ready. */
export function warmShells(): void {
  workersFor('');
}

/** One shell command line on the least busy shell of the cgroup's pool; its output lands in files read once it ends. */
function job(procs: string, argv: string[], line: (id: number) => string, timeoutMs: number, input?: string): Promise<RunResult> {
  const w = workersFor(procs).reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  const id = ++nextId;
  if (input !== undefined) writeFileSync(file(id, 'in'), input);
  return new Promise((resolve) => {
    w.pending.set(id, { id, resolve, timeoutMs, argv });
    (w.child.stdout as unknown as { ref(): void }).ref();
    w.child.stdin.write(`${line(id)}\n`);
  });
}

/** exec.ts `run`, through the shells: the exit code, all of stdout and stderr, 124 at the deadline. */
export function run(argvIn: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  if (argvIn.length === 0) throw new Error('run: empty command');
  const { procs = '', argv } = splitCgroupJoin(argvIn);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const cmd = argv.map(shellQuote).join(' ');
  const stdin = (id: number) => (opts.input !== undefined ? file(id, 'in') : '/dev/null');
  // In the background, so its pid is known (the deadline's target), then waited for: P <id> <pid>, D <id> <code>.
  return job(procs, argv, (id) => `${cmd} >${file(id, 'out')} 2>${file(id, 'err')} <${stdin(id)} & echo "P ${id} $!"; wait $!; echo "D ${id} $?"`, timeoutMs, opts.input);
}

/**
 * netns.ts `startDaemon` through the shells: a long-lived process in a namespace (and the run's
 * cgroup), in its own session (setsid, as `detached`), output appended to logFile; its pid. Started
 * from a subshell that exits at once, so the daemon is reaped by init when it ends, never left a
 * zombie of a shell that does not wait for it (pid checks would see it alive).
 */
export async function startDaemon(ns: string, argvIn: string[], logFile: string): Promise<number> {
  const { procs = '', argv } = splitCgroupJoin(inNs(ns, argvIn));
  // A shell without job control starts background commands with SIGINT and SIGQUIT ignored, and
  // exec keeps that: env --default-signal (coreutils 8.31+) gives the daemon default handlers again
  // (tcpdump is stopped with SIGINT).
  const cmd = ['env', '--default-signal', 'setsid', ...argv].map(shellQuote).join(' ');
  // The log exists before we return: the background job opens it only after its fork, and readiness
  // checks read it at once.
  closeSync(openSync(logFile, 'a'));
  const r = await job(procs, argvIn, (id) => `( ${cmd} >>${shellQuote(logFile)} 2>&1 </dev/null & echo $! ) >${file(id, 'out')} 2>${file(id, 'err')}; echo "D ${id} $?"`, 10_000);
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !(pid > 0)) throw new Error(`could not start ${argvIn[0]} in ${ns}: ${r.stderr.trim()}`);
  return pid;
}

/** Throws with the command's own words when it fails (exec.ts `must`). */
export async function must(argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 800)}`);
  return r.stdout;
}

/** netns.ts `ipBatch` through the shells (the seal and the cgroup come with inNs). */
export async function ipBatch(ns: string, lines: string[], tool: 'ip' | 'bridge' = 'ip'): Promise<void> {
  if (lines.length === 0) return;
  await must(inNs(ns, [tool, '-batch', '-']), { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
}
