// Network namespaces and the processes inside them. Every command here runs inside a lab
// namespace (`ip -n NS`, `ip netns exec NS`) except creating and deleting those namespaces.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { inRunCgroup } from './cgroup.ts';
import { must, run, isAlive } from './exec.ts';
import { isLabNamespace, runIdOf } from './names.ts';

/** Runs being torn down by this process: nothing of theirs may start or be created any more. */
const sealed = new Set<string>();
/** Namespace creations under way, per run: teardown waits for them before it enumerates. */
const creating = new Map<string, Set<Promise<unknown>>>();

export class RunSealedError extends Error {
  constructor(runId: string) {
    super(`run ${runId} is being torn down: nothing more is started`);
    this.name = 'RunSealedError';
  }
}

function refuseIfSealed(ns: string): string | undefined {
  const runId = runIdOf(ns);
  if (runId && sealed.has(runId)) throw new RunSealedError(runId);
  return runId;
}

/**
 * Stops the run from growing (every later spawn or namespace creation of it throws), then waits
 * for creations already under way, so what teardown enumerates next is everything there is.
 */
export async function sealRun(runId: string): Promise<void> {
  sealed.add(runId);
  await Promise.allSettled([...(creating.get(runId) ?? [])]);
}

/**
 * argv that runs inside the namespace and, when the run has one, inside the run's cgroup.
 * nsenter joins only the network namespace; `ip netns exec` also unshares the mount namespace and
 * remounts /sys, which copies every mount of the host (one per named namespace), so on a thousand
 * namespaces each call cost twice the time and ten times the system time. Every tool the lab runs
 * reads the network through netlink, sockets and /proc/sys, which follow the network namespace.
 */
export function inNs(ns: string, argv: string[]): string[] {
  return inRunCgroup(refuseIfSealed(ns), ['nsenter', `--net=/run/netns/${ns}`, ...argv]);
}

/** Named network namespaces: the entries of /run/netns, which is all `ip netns list` reads (iproute2 NETNS_RUN_DIR). */
export async function listNamespaces(): Promise<string[]> {
  try {
    return readdirSync('/run/netns').sort();
  } catch {
    return []; // no namespace was ever named on this machine
  }
}

export async function addNamespace(ns: string): Promise<void> {
  await addNamespaces([ns]);
}

/** Many namespaces with one `ip -batch` (one process instead of one per namespace; same tracking), run by `runner` (the twin's shells). */
export async function addNamespaces(names: string[], runner: typeof must = must): Promise<void> {
  for (const ns of names) if (!isLabNamespace(ns)) throw new Error(`refusing to create ${ns}: not a lab namespace name`);
  for (let i = 0; i < names.length; i += 200) {
    const chunk = names.slice(i, i + 200);
    if (chunk.length === 0) break;
    const runId = refuseIfSealed(chunk[0]!)!;
    chunk.forEach(refuseIfSealed);
    const pending = runner(['ip', '-batch', '-'], { input: chunk.map((ns) => `netns add ${ns}`).join('\n') + '\n', timeoutMs: 60_000 });
    const set = creating.get(runId) ?? new Set();
    creating.set(runId, set.add(pending));
    try {
      await pending;
    } finally {
      set.delete(pending);
    }
  }
}

export async function ipBatch(ns: string, lines: string[], tool: 'ip' | 'bridge' = 'ip'): Promise<void> {
  if (lines.length === 0) return;
  refuseIfSealed(ns);
  // Not `ip -n NS`: like `ip netns exec`, it unshares the mount namespace and remounts /sys, which
  // copies (and on exit tears down) one mount per named namespace: quadratic on a large lab.
  await must(['nsenter', `--net=/run/netns/${ns}`, tool, '-batch', '-'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
}

/** Starts a long-lived process in a namespace (and the run's cgroup), detached, its output in logFile. */
export function startDaemon(ns: string, argv: string[], logFile: string): number {
  const [cmd, ...args] = inNs(ns, argv);
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined); // reported through readiness checks and the log
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${argv[0]} in ${ns}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export async function pidsIn(ns: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', ns]);
  return r.stdout.split('\n').map(Number).filter((n) => n > 0);
}

/** The pid of the process named `comm` inside a namespace, if one runs there. */
export async function findDaemon(ns: string, comm: string): Promise<number | undefined> {
  for (const pid of await pidsIn(ns)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return pid;
    } catch {
      /* exited */
    }
  }
  return undefined;
}


/** Stops every process inside the namespaces (TERM, then KILL after graceMs) and deletes them. */
export async function destroyNamespaces(namespaces: string[], graceMs = 2000): Promise<string[]> {
  const lab = namespaces.filter((ns) => isLabNamespace(ns));
  const pids = pidsInAll(lab);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const end = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  // One `ip -force -batch` per 200 namespaces (not a process each), then whatever is left is named.
  for (let i = 0; i < lab.length; i += 200) {
    await run(['ip', '-force', '-batch', '-'], { input: lab.slice(i, i + 200).map((ns) => `netns del ${ns}`).join('\n') + '\n', timeoutMs: 60_000 });
  }
  const left = new Set(await listNamespaces());
  return lab.filter((ns) => left.has(ns)).map((ns) => `${ns}: still present after ip netns del`);
}

/** Pids of every process in any of the namespaces: one pass over /proc, matching ns inodes. */
function pidsInAll(namespaces: string[]): number[] {
  const inodes = new Set<number>();
  for (const ns of namespaces) {
    try {
      inodes.add(statSync(`/run/netns/${ns}`).ino);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (inodes.has(Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]))) out.push(Number(pid));
    } catch {
      /* exited, or not ours to read */
    }
  }
  return out;
}

/** Runs a command in a namespace with the terminal attached (`lab exec`); returns its exit code. */
export function execAttached(ns: string, argv: string[]): number {
  const [cmd, ...args] = inNs(ns, argv);
  const r = spawnSync(cmd!, args, { stdio: 'inherit' });
  return r.status ?? 1;
}
