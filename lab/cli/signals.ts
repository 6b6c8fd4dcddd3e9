// Teardown on SIGINT/SIGTERM: the registered cleanups run once, then the process exits with the
// conventional code (130 or 143). A second signal while cleaning up is ignored, not fatal.
type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
let installed = false;
let stopping = false;

async function handle(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\nlab: ${signal} received, tearing down...\n`);
  for (const c of cleanups) {
    try {
      await c();
    } catch (e) {
      process.stderr.write(`lab: cleanup failed: ${(e as Error).message}\n`);
    }
  }
  process.exit(signal === 'SIGINT' ? 130 : 143);
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
