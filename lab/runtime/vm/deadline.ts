// Named deadlines: every wait of the VM lab has a name, and the error it throws at the deadline
// carries it, so a failure bundle (bundle.ts) says which one expired.
import { until } from '../exec.ts';

export class DeadlineError extends Error {
  constructor(readonly deadline: string, readonly ms: number, detail: string) {
    super(`${detail} (deadline "${deadline}" expired after ${ms} ms)`);
    this.name = 'DeadlineError';
  }
}

/** Polls `check` until it returns a value; at the deadline throws a DeadlineError named `name`. */
export async function untilDeadline<T>(name: string, check: () => Promise<T | undefined>, ms: number, describe: () => string | Promise<string>, intervalMs = 50): Promise<T> {
  let detail = '';
  try {
    return await until(check, ms, async () => (detail = await describe()), intervalMs);
  } catch (e) {
    if (detail) throw new DeadlineError(name, ms, detail);
    throw e;
  }
}

/** Runs `work` with a deadline; a DeadlineError named `name` when it has not settled in time. */
export async function withDeadline<T>(name: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(name, ms, `${name} did not finish`)), ms);
  });
  try {
    return await Promise.race([work(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A wait that runs inside a tool (helm --wait --timeout, kubectl wait --timeout) under an exec
 * deadline: both scale with the accelerator (TCG is `slow` times slower), and the tool's own timeout
 * ends marginMs before the exec deadline, so the tool reports what it waited for instead of being
 * killed. A fixed `--timeout=900s` under a 10x longer TCG deadline would fail a run that is merely slow.
 */
export function toolWait(deadlineMs: number, slow: number, marginMs = 30_000): { execMs: number; toolSeconds: number } {
  const execMs = deadlineMs * slow;
  return { execMs, toolSeconds: Math.max(1, Math.floor((execMs - marginMs) / 1000)) };
}
