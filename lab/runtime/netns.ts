// Network namespaces and the processes inside them. Every command here runs inside a lab
// namespace (`ip -n NS`, `ip netns exec NS`) except creating and deleting those namespaces.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { must, run, isAlive } from './exec.ts';
import { isLabNamespace } from './names.ts';

export function inNs(ns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

export async function listNamespaces(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list']);
  return r.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

export async function addNamespace(ns: string): Promise<void> {
  if (!isLabNamespace(ns)) throw new Error(`refusing to create ${ns}: not a lab namespace name`);
  await must(['ip', 'netns', 'add', ns]);
}

export async function ipBatch(ns: string, lines: string[], tool: 'ip' | 'bridge' = 'ip'): Promise<void> {
  if (lines.length === 0) return;
  await must([tool, '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** Starts a long-lived process in a namespace, detached, its output in logFile. */
export function startDaemon(ns: string, argv: string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, stdio: ['ignore', fd, fd] });
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
  const pids = (await Promise.all(lab.map(pidsIn))).flat();
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
  const failed: string[] = [];
  await Promise.all(lab.map(async (ns) => {
    const r = await run(['ip', 'netns', 'del', ns]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) failed.push(`${ns}: ${r.stderr.trim()}`);
  }));
  return failed;
}

/** Runs a command in a namespace with the terminal attached (`lab exec`); returns its exit code. */
export function execAttached(ns: string, argv: string[]): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}
