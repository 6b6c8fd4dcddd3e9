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

const WORKERS = 8;
const dir = `/run/nrl-shells-${process.pid}`;

interface Job {
  id: number;
  resolve: (r: RunResult) => void;
  timeoutMs: number;
  argv: string[];
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  pending: Map<number, Job>;
  buffer: string;
}

let workers: Worker[] | undefined;
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
  if (w.pending.size === 0) (w.child.stdout as unknown as { unref(): void }).unref();
  take(file(id, 'in'));
  const timedOut = code === 124 ? `\n(timed out after ${job.timeoutMs} ms: ${job.argv.join(' ')})` : '';
  job.resolve({ code, stdout: take(file(id, 'out')), stderr: take(file(id, 'err')) + timedOut });
}

function startWorkers(): Worker[] {
  mkdirSync(dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return Array.from({ length: WORKERS }, () => {
    // The shell ends when our end of its stdin closes, that is with this process at the latest.
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const w: Worker = { child, pending: new Map(), buffer: '' };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      w.buffer += chunk;
      let nl: number;
      while ((nl = w.buffer.indexOf('\n')) >= 0) {
        const [id, code] = w.buffer.slice(0, nl).split(' ').map(Number);
        w.buffer = w.buffer.slice(nl + 1);
        if (id !== undefined && code !== undefined) finish(w, id, code);
      }
    });
    child.on('exit', () => {
      for (const id of [...w.pending.keys()]) finish(w, id, 127);
      if (workers) workers = workers.filter((x) => x !== w);
    });
    child.stderr.resume();
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stdin as unknown as { unref(): void }).unref();
    (child.stderr as unknown as { unref(): void }).unref();
    return w;
  });
}

/** One shell command line on the least busy shell; its output lands in files read once it ends. */
function job(argv: string[], line: (id: number) => string, timeoutMs: number, input?: string): Promise<RunResult> {
  if (!workers || workers.length === 0) workers = startWorkers();
  const w = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  const id = ++nextId;
  if (input !== undefined) writeFileSync(file(id, 'in'), input);
  return new Promise((resolve) => {
    w.pending.set(id, { id, resolve, timeoutMs, argv });
    (w.child.stdout as unknown as { ref(): void }).ref();
    w.child.stdin.write(`${line(id)}; echo "${id} $?"\n`);
  });
}

/** exec.ts `run`, through the shells: the exit code, all of stdout and stderr, 124 at the deadline. */
export function run(argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  if (argv.length === 0) throw new Error('run: empty command');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // timeout(1): TERM at the deadline, KILL a second later; 124 when it fired.
  const cmd = ['timeout', '-k', '1', `${timeoutMs / 1000}`, ...argv].map(shellQuote).join(' ');
  const stdin = (id: number) => (opts.input !== undefined ? file(id, 'in') : '/dev/null');
  return job(argv, (id) => `${cmd} >${file(id, 'out')} 2>${file(id, 'err')} <${stdin(id)}`, timeoutMs, opts.input);
}

/**
 * netns.ts `startDaemon` through the shells: a long-lived process in a namespace (and the run's
 * cgroup), in its own session (setsid, as `detached`), output appended to logFile; its pid. Started
 * from a subshell that exits at once, so the daemon is reaped by init when it ends, never left a
 * zombie of a shell that does not wait for it (pid checks would see it alive).
 */
export async function startDaemon(ns: string, argv: string[], logFile: string): Promise<number> {
  // A shell without job control starts background commands with SIGINT and SIGQUIT ignored, and
  // exec keeps that: env --default-signal (coreutils 8.31+) gives the daemon default handlers again
  // (tcpdump is stopped with SIGINT).
  const cmd = ['env', '--default-signal', 'setsid', ...inNs(ns, argv)].map(shellQuote).join(' ');
  // The log exists before we return: the background job opens it only after its fork, and readiness
  // checks read it at once.
  closeSync(openSync(logFile, 'a'));
  const r = await job(argv, (id) => `( ${cmd} >>${shellQuote(logFile)} 2>&1 </dev/null & echo $! ) >${file(id, 'out')} 2>${file(id, 'err')}`, 10_000);
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !(pid > 0)) throw new Error(`could not start ${argv[0]} in ${ns}: ${r.stderr.trim()}`);
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
