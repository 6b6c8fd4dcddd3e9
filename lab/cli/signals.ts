// Teardown on SIGINT/SIGTERM: the registered cleanups run once, then the process exits with the
// conventional code (130 or 143). A second signal while cleaning up is ignored, not fatal.
// Before any cleanup runs, `interrupted` is aborted: `up` checks it between spawns, so it stops
// growing the lab before teardown enumerates what exists.
import { shutdownTracing } from '../telemetry/tracing.ts';

type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
const abort = new AbortController();
let installed = false;
let stopping = false;

/** Aborted when SIGINT, SIGTERM or SIGHUP arrives, before the cleanups run (pass it to `up`). */
export const interrupted: AbortSignal = abort.signal;

async function handle(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  abort.abort(new Error(`${signal} received`));
  process.stderr.write(`\nlab: ${signal} received, tearing down...\n`);
  for (const c of cleanups) {
    try {
      await c();
    } catch (e) {
      process.stderr.write(`lab: cleanup failed: ${(e as Error).message}\n`);
    }
  }
  const code = signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143;
  await shutdownTracing({ exitCode: code, signal }); // open stage spans end as ERROR "interrupted by ..." and are sent
  process.exit(code);
}

export function onInterrupt(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.on('SIGINT', (s) => void handle(s));
    process.on('SIGTERM', (s) => void handle(s));
    process.on('SIGHUP', (s) => void handle(s));
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
