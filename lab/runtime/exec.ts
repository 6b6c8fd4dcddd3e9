// Process running for the runtimes: every call has a deadline, nothing inherits our stdin.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('run: empty command');
  const r = await execa(cmd, args, {
    reject: false,
    timeout: opts.timeoutMs ?? 10_000,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    ...(opts.input === undefined ? {} : { input: opts.input }),
    stripFinalNewline: false,
  });
  const timedOut = r.timedOut ? `\n(timed out after ${opts.timeoutMs ?? 10_000} ms: ${argv.join(' ')})` : '';
  return { code: r.exitCode ?? (r.timedOut ? 124 : 1), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') + timedOut };
}

/** Runs and throws with the command's own words when it fails. */
export async function must(argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 800)}`);
  return r.stdout;
}

/** Polls `check` until it returns a value, or throws `describe()` at the deadline. */
export async function until<T>(check: () => Promise<T | undefined>, deadlineMs: number, describe: () => string | Promise<string>, intervalMs = 50): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= end) throw new Error(`${await describe()} (gave up after ${deadlineMs} ms)`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited: it only waits for a parent (or init) to reap it, which may take a while.
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves once the process is gone; throws naming `what` at the deadline. */
export async function waitForExit(pid: number, deadlineMs: number, what: string): Promise<void> {
  await until(async () => (isAlive(pid) ? undefined : true), deadlineMs, () => `${what} (pid ${pid}) did not exit`, 20);
}
