// The loss meter in the twin: flow-probe.mjs receivers and senders as daemons in the machines'
// namespaces (and the run's cgroup, so teardown takes them too), their logs in the run's artifacts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForExit } from '../exec.ts';
import { FLOW_PORT, parseArrivals, parseSenderLog, summarizeFlow, type FlowResult, type FlowSpec, type RunningFlows } from '../flows.ts';
import { listensOn } from './listening.ts';
import { startDaemon } from './shell-pool.ts';

/** What the meter needs of the twin (an interface, so this file does not import the lab). */
export interface FlowHost {
  ns(machine: string): string;
  path(...parts: string[]): string;
  readonly dual: boolean;
  waitFor(what: string, logFile: string, check: () => Promise<boolean>, deadlineMs?: number): Promise<void>;
}

/** flow-probe.mjs, found by walking up: the CLI also runs bundled from dist/. */
function probeScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const at = join(dir, 'lab', 'runtime', 'flow-probe.mjs');
    if (existsSync(at)) return at;
    const up = dirname(dir);
    if (up === dir) throw new Error('lab/runtime/flow-probe.mjs is not above this module');
    dir = up;
  }
}

function stopAll(pids: number[], what: string): Promise<void[]> {
  return Promise.all(pids.map(async (pid) => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    await waitForExit(pid, 5000, what);
  }));
}

const safe = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_');

export async function startTwinFlows(host: FlowHost, specs: FlowSpec[]): Promise<RunningFlows> {
  const script = probeScript();
  const node = process.execPath;
  const receivers = [...new Set(specs.flatMap((s) => s.receivers ?? [s.to]))];
  const recvLogs = new Map(receivers.map((m) => [m, host.path('logs', `flows-recv-${m}.log`)]));
  const recvPids: number[] = [];
  for (const m of receivers) {
    const out = recvLogs.get(m)!;
    const daemonLog = host.path('logs', `flows-${m}.log`);
    const pid = await startDaemon(host.ns(m), [node, script, 'recv', String(FLOW_PORT), out, ...(host.dual ? ['6'] : [])], daemonLog);
    recvPids.push(pid);
    await host.waitFor(`the loss meter's receiver on ${m}`, daemonLog, () => Promise.resolve(listensOn(pid, 'node', 'udp', FLOW_PORT)));
  }
  const sendPids: number[] = [];
  const sendLogs = new Map<string, string>();
  for (const s of specs) {
    const out = host.path('logs', `flows-send-${safe(s.id)}.json`);
    sendLogs.set(s.id, out);
    sendPids.push(await startDaemon(host.ns(s.from), [node, script, 'send', s.id, s.toAddress, String(FLOW_PORT), String(s.pps), out], host.path('logs', `flows-${s.from}.log`)));
  }
  return {
    specs,
    async stop(referenceMs: number): Promise<FlowResult[]> {
      await stopAll(sendPids, 'a loss meter sender');
      // The last datagrams are in flight for well under a millisecond here; a little margin.
      await new Promise((r) => setTimeout(r, 200));
      await stopAll(recvPids, 'a loss meter receiver');
      const arrivals = [...recvLogs.values()].flatMap((f) => (existsSync(f) ? parseArrivals(readFileSync(f, 'utf8')) : []));
      return specs.map((s) => {
        const file = sendLogs.get(s.id)!;
        const sender = existsSync(file) ? parseSenderLog(readFileSync(file, 'utf8')) : undefined;
        if (!sender) throw new Error(`the loss meter's sender ${s.id} on ${s.from} wrote no count (${file}): see ${host.path('logs', `flows-${s.from}.log`)}`);
        return summarizeFlow(s, sender, arrivals, referenceMs);
      });
    },
  };
}
