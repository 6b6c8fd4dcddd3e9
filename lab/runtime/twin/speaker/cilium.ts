// Cilium's own BGP control plane on every node (speaker/, built per Cilium line): one process per
// node runs the operator's BGP reconciler and LB-IPAM and the agent's BGP control plane with its
// embedded GoBGP, fed every object the cluster would hold. It dials its routers and never listens
// (the agent gives GoBGP listen port -1 without a localPort: pkg/bgp/manager/manager.go).
import { readFileSync, writeFileSync } from 'node:fs';
import { allNodes, type NodeModel } from '../../../topology/model.ts';
import { pool } from '../../../util/pool.ts';
import { isAlive, waitForExit } from '../../exec.ts';
import type { BgpSession } from '../../lab.ts';
import { findDaemon, inNs } from '../../netns.ts';
import { parseCiliumBgpPeersJson } from '../../parsers.ts';
import { run, startDaemon } from '../shell-pool.ts';
import { speakerSocket } from '../sockets.ts';
import type { BuiltSpeaker } from './build.ts';
import type { ManifestDoc } from './manifests.ts';
import type { NodeSpeakers, SpeakerHost } from './types.ts';

/** The process name (comm) of a speaker, as `lab down` and the containment checks see it. */
export const SPEAKER_COMM = 'nrl-speaker';
/** What a speaker prints once its operator and agent run and its objects are in (speaker/core). */
const READY_LINE = 'speaker ready:';
/**
 * One scheduler thread and a collector that runs before the heap doubles: a node's BGP needs
 * neither more (private memory per speaker is a figure of the bench, `npm run bench`).
 */
export const SPEAKER_ENV = { GOMAXPROCS: '1', GOGC: '50' } as const;

/** SPEAKER_ENV, or what NRL_SPEAKER_ENV says instead ("GOMAXPROCS=2 GOGC=100": the bench tunes with it). */
export function speakerEnv(): Record<string, string> {
  const env: Record<string, string> = { ...SPEAKER_ENV };
  for (const kv of (process.env['NRL_SPEAKER_ENV'] ?? '').split(/\s+/).filter(Boolean)) {
    const [k, v] = kv.split('=');
    if (k && v !== undefined && /^(GOMAXPROCS|GOGC|GOMEMLIMIT)$/.test(k)) env[k] = v;
  }
  return env;
}
/** Speakers started at once: each start is about 0.15 s of CPU (two hives, the objects fed). */
const STARTS_AT_ONCE = 4;

export class CiliumSpeakers implements NodeSpeakers {
  readonly kind = 'cilium' as const;
  readonly listens = false;
  private readonly pids = new Map<string, number>();
  private objectsFile: string | undefined;

  constructor(
    private readonly host: SpeakerHost,
    readonly built: Pick<BuiltSpeaker, 'binary' | 'release'>,
    private readonly objects: ManifestDoc[],
    private readonly extraNotes: string[] = [],
  ) {}

  get description(): string {
    return `Cilium ${this.built.release}'s own BGP control plane on every node (operator and agent, embedded GoBGP)`;
  }

  private inputs(): string {
    if (!this.objectsFile) {
      this.objectsFile = this.host.path('configs', 'cluster', 'speaker-objects.json');
      writeFileSync(this.objectsFile, JSON.stringify({ objects: this.objects }, null, 1) + '\n');
    }
    return this.objectsFile;
  }

  async start(nodes: readonly NodeModel[]): Promise<void> {
    const objects = this.inputs();
    await pool(nodes, STARTS_AT_ONCE, async (n) => {
      const logFile = this.host.path('logs', `speaker-${n.name}.log`);
      const argv = ['env', ...Object.entries(speakerEnv()).map(([k, v]) => `${k}=${v}`), this.built.binary, 'run', '--node', n.name, '--objects', objects, '--socket', speakerSocket(this.host.runDir, n.name)];
      const pid = await startDaemon(this.host.ns(n.name), argv, logFile);
      this.pids.set(n.name, pid);
      await this.host.waitFor(`Cilium's speaker on ${n.name}`, logFile, async () => {
        if (readFileSync(logFile, 'utf8').includes(READY_LINE)) return true;
        if (!isAlive(pid)) throw new Error(`Cilium's speaker on ${n.name} exited before it was ready:\n${readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n')}`);
        return false;
      }, 30_000, 10);
    });
  }

  announce(): Promise<void> {
    return Promise.resolve(); // the agent advertises by itself, from the resources it was fed
  }

  async stop(node: string): Promise<void> {
    const pid = this.pids.get(node);
    if (pid === undefined) throw new Error(`Cilium's speaker on ${node} is not running`);
    process.kill(pid, 'SIGTERM');
    await waitForExit(pid, 15_000, `Cilium's speaker on ${node}`);
    this.pids.delete(node);
  }

  async restart(node: string): Promise<void> {
    const n = allNodes(this.host.model).find((x) => x.name === node);
    if (!n) throw new Error(`no node ${node}`);
    await this.start([n]);
  }

  async sessions(node: string): Promise<BgpSession[]> {
    const r = await this.dbg(node, ['bgp', 'peers', '-o', 'json']);
    return r.code === 0 ? parseCiliumBgpPeersJson(r.stdout, node) : [];
  }

  /** `cilium-dbg ARGS` on a node, answered by its speaker. */
  dbg(node: string, args: string[]) {
    return run(inNs(this.host.ns(node), [this.built.binary, 'ctl', '--socket', speakerSocket(this.host.runDir, node), '--', 'cilium-dbg', ...args]), { timeoutMs: 10_000 });
  }

  pid(node: string): number | undefined {
    return this.pids.get(node);
  }

  async attach(): Promise<void> {
    for (const n of allNodes(this.host.model)) {
      const pid = await findDaemon(this.host.ns(n.name), SPEAKER_COMM);
      if (pid) this.pids.set(n.name, pid);
    }
  }

  notes(): string[] {
    return this.extraNotes;
  }
}
