// `talosctl bootstrap`, retried the way Talos's own client retries it. Facts (siderolabs/talos
// release-1.14):
//  - internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go, Bootstrap(): answers
//    FailedPrecondition "bootstrap is not available yet" until the node may bootstrap, FailedPrecondition
//    "time is not in sync yet" until its clock is synced, AlreadyExists "etcd data directory is not
//    empty" once bootstrapped, InvalidArgument "etcd is not configured, bootstrap is not possible";
//  - pkg/cluster/bootstrap.go: the client retries for 10 minutes on FailedPrecondition,
//    DeadlineExceeded, Canceled (apid restarting maintenance -> ready), Unavailable, "connection
//    refused" and "error reading from server: EOF", and gives up on anything else;
//  - cmd/talosctl/cmd/talos/bootstrap.go: talosctl itself calls Bootstrap once ("error executing
//    bootstrap: <grpc error>", grpc errors print as "rpc error: code = <Code> desc = <text>").
import type { RunResult } from '../exec.ts';
import { DeadlineError } from './deadline.ts';

export type BootstrapVerdict = { verdict: 'done' | 'retry' | 'fail'; why: string };

const RETRY_CODES = new Set(['FailedPrecondition', 'DeadlineExceeded', 'Canceled', 'Unavailable']);

/** What one `talosctl bootstrap` run means. Pure. */
export function bootstrapVerdict(r: RunResult): BootstrapVerdict {
  const text = `${r.stderr}\n${r.stdout}`.trim();
  const last = text.split('\n').filter((l) => l.trim()).at(-1)?.trim() ?? '';
  if (r.code === 0) return { verdict: 'done', why: 'bootstrapped' };
  const code = /code = (\w+)/.exec(text)?.[1];
  if (code === 'AlreadyExists') return { verdict: 'done', why: 'already bootstrapped (AlreadyExists)' };
  if (code && RETRY_CODES.has(code)) return { verdict: 'retry', why: `${code}: ${/desc = (.*)$/m.exec(text)?.[1]?.trim() ?? last}` };
  if (/connection refused|error reading from server: EOF|context deadline exceeded/.test(text)) return { verdict: 'retry', why: last };
  if (code === 'InvalidArgument') return { verdict: 'fail', why: `the control plane has no etcd to bootstrap: ${last}` };
  return { verdict: 'fail', why: last || `exit ${r.code}` };
}

export interface RetryOptions {
  deadlineMs: number;
  intervalMs: number;
  /** Injected clock and sleep (the tests replay recorded answers without waiting). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs bootstrap until it is done, fails for good, or the "talos-bootstrap" deadline expires. */
export async function bootstrapWithRetry(runOnce: () => Promise<RunResult>, o: RetryOptions): Promise<{ attempts: number; why: string }> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const end = now() + o.deadlineMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    const v = bootstrapVerdict(await runOnce());
    if (v.verdict === 'done') return { attempts, why: v.why };
    if (v.verdict === 'fail') throw new Error(`talosctl bootstrap failed: ${v.why}`);
    if (now() + o.intervalMs > end) throw new DeadlineError('talos-bootstrap', o.deadlineMs, `talosctl bootstrap never succeeded after ${attempts} attempts; last answer: ${v.why}`);
    await sleep(o.intervalMs);
  }
}
