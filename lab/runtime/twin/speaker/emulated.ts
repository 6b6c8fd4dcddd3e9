// The emulated speaker: GoBGP (Debian's gobgpd) configured from this project's reading of Cilium's
// BGP resources (emulated-intent.ts). For labs too large for Cilium's speaker (about 40 MiB a node)
// and Cilium lines whose module cannot be built here. It follows what Cilium's own code was seen
// to do: ORIGIN IGP, and it dials its routers; unlike Cilium it also listens, by default (choose.ts).
import { writeFileSync } from 'node:fs';
import { allNodes, type NodeModel } from '../../../topology/model.ts';
import { pool } from '../../../util/pool.ts';
import { until, waitForExit } from '../../exec.ts';
import type { BgpSession } from '../../lab.ts';
import { findDaemon, inNs } from '../../netns.ts';
import { parseGobgpNeighbors } from '../../parsers.ts';
import type { ServiceIntent } from '../lb-services.ts';
import { listeningCheck } from '../listening.ts';
import { run, startDaemon } from '../shell-pool.ts';
import { GOBGP_API } from '../sockets.ts';
import { gobgpToml, nodeIntent, type NodeBgpIntent } from './emulated-intent.ts';
import type { ManifestObject } from './manifests.ts';
import type { NodeSpeakers, SpeakerHost } from './types.ts';

/** Speakers started at once per call. */
const STARTS_AT_ONCE = 4;

export interface EmulatedOptions {
  /** Listen on 179 (the router's dial lands first) as well as dial; false: dial only, as Cilium does. */
  listen: boolean;
  /** Why the emulation runs instead of Cilium's own code, for the report. */
  why: string;
}

export class EmulatedSpeakers implements NodeSpeakers {
  readonly kind = 'emulated' as const;
  readonly intents: NodeBgpIntent[];
  private readonly pids = new Map<string, number>();

  constructor(
    private readonly host: SpeakerHost,
    docs: ManifestObject[],
    labels: Map<string, Record<string, string>>,
    services: ServiceIntent[],
    private readonly opts: EmulatedOptions,
  ) {
    this.intents = allNodes(host.model).map((n) => nodeIntent(docs, { name: n.name, labels: labels.get(n.name) ?? {}, podCIDR: n.podCIDR, ...(n.podCIDR6 ? { podCIDR6: n.podCIDR6 } : {}) }, services));
  }

  get listens(): boolean {
    return this.opts.listen;
  }

  get description(): string {
    return `GoBGP configured from this project's reading of the Cilium BGP resources (the emulated speaker: ${this.opts.why})`;
  }

  private intent(node: string): NodeBgpIntent | undefined {
    return this.intents.find((i) => i.node === node);
  }

  async start(nodes: readonly NodeModel[]): Promise<void> {
    await pool(nodes, STARTS_AT_ONCE, async (node) => {
      const intent = this.intent(node.name)!;
      writeFileSync(this.host.path('configs', 'nodes', `${node.name}.bgp.json`), JSON.stringify(intent, null, 2) + '\n');
      if (intent.localAsn === undefined) return; // no BGP resource selects the node: Cilium runs no BGP there
      const toml = this.host.path('configs', 'nodes', `${node.name}.gobgpd.toml`);
      writeFileSync(toml, gobgpToml(intent, node.address, { listen: this.opts.listen === true }));
      const logFile = this.host.path('logs', `gobgpd-${node.name}.log`);
      // GOMAXPROCS=1, GOGC=50: a speaker with a handful of routes needs neither a scheduler per core
      // nor a heap that doubles before it is collected (memory per node is a figure of the bench).
      const pid = await startDaemon(this.host.ns(node.name), ['env', 'GOMAXPROCS=1', 'GOGC=50', 'gobgpd', '-f', toml, '-t', 'toml', '-l', 'info', '-p', '--api-hosts', `${GOBGP_API.host}:${GOBGP_API.port}`, '--pprof-disable'], logFile);
      this.pids.set(node.name, pid);
      // Ready once its API (and, listening, BGP) port is open, read from /proc: a `gobgp` poll
      // against a closed port takes 1 s. GoBGP 3 logs "Add Peer" for each neighbour of its config
      // file once StartBgp has run (config.InitialConfig in osrg/gobgp pkg/config/config.go).
      const ports = this.opts.listen ? [GOBGP_API.port, 179] : [GOBGP_API.port];
      const listening = listeningCheck(pid, 'gobgpd', 'tcp', ports, logFile, intent.peers.length > 0 ? 'msg="Add Peer"' : 'msg="gobgpd started"');
      await this.host.waitFor(`GoBGP on ${node.name}`, logFile, () => Promise.resolve(listening()), 10_000, 10);
    });
  }

  async announce(nodes: readonly string[] = this.intents.map((i) => i.node)): Promise<void> {
    await pool(nodes.flatMap((n) => this.intent(n) ?? []), 8, async (intent) => {
      if (intent.localAsn === undefined) return;
      for (const prefix of intent.advertise) {
        // ORIGIN IGP, as Cilium's agent announces (gobgp's own default for `rib add` is incomplete).
        // The API may answer a moment before the BGP server has started: retry until it takes the path.
        const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
        await until(async () => ((await run(inNs(this.host.ns(intent.node), ['gobgp', 'global', 'rib', 'add', prefix, 'origin', 'igp', '-a', family]), { timeoutMs: 5000 })).code === 0 ? true : undefined),
          10_000, () => `GoBGP on ${intent.node} refused to announce ${prefix}`);
      }
    });
  }

  async stop(node: string): Promise<void> {
    const pid = this.pids.get(node);
    if (pid === undefined) throw new Error(`GoBGP on ${node} is not running`);
    process.kill(pid, 'SIGTERM');
    await waitForExit(pid, 5000, `GoBGP on ${node}`);
    this.pids.delete(node);
  }

  async restart(node: string): Promise<void> {
    const n = allNodes(this.host.model).find((x) => x.name === node);
    if (!n) throw new Error(`no node ${node}`);
    await this.start([n]);
    await this.announce([node]);
  }

  async sessions(node: string): Promise<BgpSession[]> {
    // A node without a speaker (no resource selects it) answers nothing, as a Cilium agent would.
    if (this.intent(node)?.localAsn === undefined) return [];
    const r = await run(inNs(this.host.ns(node), ['gobgp', 'neighbor', '-j']), { timeoutMs: 3000 });
    return r.code === 0 ? parseGobgpNeighbors(r.stdout, node, this.host.model.cluster.asn) : [];
  }

  pid(node: string): number | undefined {
    return this.pids.get(node);
  }

  async attach(): Promise<void> {
    for (const n of allNodes(this.host.model)) {
      const pid = await findDaemon(this.host.ns(n.name), 'gobgpd');
      if (pid) this.pids.set(n.name, pid);
    }
  }

  notes(): string[] {
    return this.intents.flatMap((i) => i.notes.filter((n) => !n.startsWith('selected by')).map((n) => `${i.node}: ${n}`));
  }
}
