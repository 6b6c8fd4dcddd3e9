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
