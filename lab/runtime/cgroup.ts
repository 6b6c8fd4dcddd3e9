// One cgroup (v2) per run, so one command ends every process of the run, even when the orchestrator
// was SIGKILLed and the namespaces are already gone (a process keeps its cgroup; a deleted
// namespace keeps no name). Every process a runtime starts in a lab namespace joins the run's
// cgroup *before* it execs (a shell writes its own pid, then execs), so nothing it forks escapes.
// The cgroup is created at the root of the cgroup2 mount: `lab down` from any shell finds it there;
// creating a child cgroup changes nothing of the host outside that cgroup. Without a writable
// cgroup2 mount the runtimes fall back to the processes they find inside the namespaces.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, run } from './exec.ts';
import { PREFIX } from './names.ts';

const RUN_ID = /^[0-9a-f]{6}$/;
let root: string | null | undefined;

/** Where cgroup2 is mounted (/sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one). */
export function cgroupRoot(): string | undefined {
  if (root === undefined) {
    root = null;
    try {
      // mountinfo: "id parent major:minor root mountpoint options ... - fstype source superoptions"
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const [left, right] = line.split(' - ');
        if (right?.split(' ')[0] !== 'cgroup2') continue;
        const fields = left!.split(' ');
        if (fields[3] === '/') {
          root = fields[4]!;
          break;
        }
      }
    } catch {
      /* no /proc: no cgroups */
    }
  }
  return root ?? undefined;
}

export function cgroupOf(runId: string): string | undefined {
  const r = cgroupRoot();
  return r && RUN_ID.test(runId) ? join(r, `${PREFIX}-${runId}`) : undefined;
}

/** Creates the run's cgroup; undefined (and why) when this machine gives us none. */
export async function createRunCgroup(runId: string): Promise<{ path?: string; why?: string }> {
  const dir = cgroupOf(runId);
  if (!dir) return { why: 'no cgroup2 mount' };
  try {
    mkdirSync(dir, { recursive: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { why: `cannot create ${dir}: ${(e as Error).message}` };
  }
  // A cgroup we may create but not join (an undelegated subtree) would make every spawn fail:
  // probe the join the way inRunCgroup does it, and go without a cgroup if it fails.
  const probe = await run(['sh', '-c', 'echo $$ > "$0"', join(dir, 'cgroup.procs')], { timeoutMs: 5000 });
  if (probe.code !== 0) {
    try {
      rmdirSync(dir);
    } catch {
      /* someone else's process joined: leave it */
    }
    return { why: `cannot join ${dir}: ${(probe.stderr || 'sh failed').trim()}` };
  }
  return { path: dir };
}

const JOIN_CGROUP = 'echo $$ > "$0" && exec "$@"';

/**
 * argv that joins the run's cgroup, then execs argv (same pid, so pid files and kill(pid) still
 * work). When the run has no cgroup, argv unchanged. When the cgroup vanishes in between (teardown
 * removed it), the shell's write fails and argv never runs: nothing starts outside the cgroup.
 */
export function inRunCgroup(runId: string | undefined, argv: string[]): string[] {
  const dir = runId ? cgroupOf(runId) : undefined;
  if (!dir || !existsSync(dir)) return argv;
  return joinCgroup(join(dir, 'cgroup.procs'), argv);
}

/** The cgroup.procs an inRunCgroup argv joins, and the argv it then execs (a runner already in that cgroup skips the join). */
export function splitCgroupJoin(argv: string[]): { procs?: string; argv: string[] } {
  if (argv[0] === 'sh' && argv[1] === '-c' && argv[2] === JOIN_CGROUP && argv[3]) return { procs: argv[3], argv: argv.slice(4) };
  return { argv };
}

/** argv that joins the cgroup of `procs` (a cgroup.procs file), then execs argv. */
export function joinCgroup(procs: string, argv: string[]): string[] {
  return ['sh', '-c', JOIN_CGROUP, procs, ...argv];
}

export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return cgroupPids(dir).length > 0;
  }
}

/**
 * Ends every process of the run and removes its cgroup: cgroup.kill where the kernel has it
 * (Linux 5.14+: SIGKILL to every process, including ones forking meanwhile), else SIGKILL to each
 * pid in cgroup.procs, repeated until the cgroup is empty. Returns what it could not remove.
 */
export async function killRunCgroup(runId: string, deadlineMs = 5000): Promise<string[]> {
  const dir = cgroupOf(runId);
  if (!dir || !existsSync(dir)) return [];
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (existsSync(join(dir, 'cgroup.kill'))) {
      try {
        writeFileSync(join(dir, 'cgroup.kill'), '1');
      } catch {
        /* removed meanwhile */
      }
    } else {
      for (const pid of cgroupPids(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    while (populated(dir) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    try {
      rmdirSync(dir);
      return [];
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return [];
      // EBUSY: a process joined after the kill (its shell was already past the check): kill again.
      if (Date.now() >= end) return [`cgroup ${dir}: ${(e as Error).message} (pids ${cgroupPids(dir).filter(isAlive).join(', ') || 'none'})`];
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Run ids that have a cgroup on this machine, whichever process made it. */
export function runCgroups(): string[] {
  const r = cgroupRoot();
  if (!r) return [];
  try {
    return readdirSync(r).flatMap((d) => (d.startsWith(`${PREFIX}-`) && RUN_ID.test(d.slice(PREFIX.length + 1)) ? [d.slice(PREFIX.length + 1)] : []));
  } catch {
    return [];
  }
}

/** Pids of the run's processes (empty without a cgroup). */
export function runPids(runId: string): number[] {
  const dir = cgroupOf(runId);
  return dir ? cgroupPids(dir) : [];
}
