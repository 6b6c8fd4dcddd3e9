// The twin: the whole lab in network namespaces on this machine, with real BIRD 2, GoBGP, dnsmasq
// and nftables, configured from the rendered files.
import type { FlowSpec, RunningFlows } from '../flows.ts';
import { startTwinFlows } from './flows.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderedText, type RenderedFiles } from '../../render/index.ts';
import { LAN_BRIDGE, ROUTER_PORTS } from '../../render/ports.ts';
import { masterDownMs } from '../../render/keepalived.ts';
import { CLUSTER_FILES, routerPath } from '../../render/index.ts';
import { allNodes, allRouters, isDualStack, type DatacentreModel, type LabModel, type RouterModel } from '../../topology/model.ts';
import { until } from '../exec.ts';
import type { BgpRoute, BgpSession, Capture, CapturedPacket, FaultKind, InjectedFault, Lab, Link, Machine, ProbeResult, Route, TraceResult } from '../lab.ts';
import { twinFault } from './faults.ts';
import { DISCARD_PORT, parseWhoAmI, WHOAMI_PORT } from '../lab.ts';

/** Speakers started at once per datacentre. */
const SPEAKERS_PER_ROUND = 4;
/** BIRD's earliest first dial after a session can start: MAX(1 s, connect delay) less a quarter (bgp_start_timer). */
const FIRST_DIAL_MS = 750;

/** UDP port of the datagram that marks the end of a capture (discard: nobody answers it). */
const CAPTURE_END_PORT = 9;
import { parsePcap } from '../pcap.ts';
import { checkObjects, speakersFor, type SpeakerChoice } from './speaker/choose.ts';
import { clusterObjects } from './speaker/cluster-objects.ts';
import { labManifests } from './speaker/manifests.ts';
import type { NodeSpeakers } from './speaker/types.ts';
import { datapathSettings, nodeDatapath, serviceNft } from './datapath.ts';
import { backendEchoArgv, routerSysctls, twinServices } from './lb-twin.ts';
import { listenAddress } from '../echo.ts';
import type { ServiceIntent } from './lb-services.ts';
import { dnsmasqArgs } from './dnsmasq.ts';
import { fw4Ruleset } from './fw4.ts';
import { addNamespaces, findDaemon, inNs, sealRun } from '../netns.ts';
// Short commands through long-lived shells: a fork of this process per command caps a large lab.
import { ipBatch, must, run, startDaemon } from './shell-pool.ts';
import { claimRun } from '../owner.ts';
import { birdSocket } from './sockets.ts';
import { destroyRun } from '../teardown.ts';
import { birdRefusals, parseBirdProtocols, parseBirdRoutes, parseLinks, parseNslookup, parseRoutes, parseTraceroute } from '../parsers.ts';
import { machinesOf, twinPlan, type TwinPlan } from './plan.ts';
import { deferred, pool } from '../../util/pool.ts';
import { listeningCheck, listensOn } from './listening.ts';
import type { Manifests } from './speaker/manifests.ts';

export const TWIN_FIDELITY =
  'twin: real BIRD 2, dnsmasq and nftables in network namespaces; Cilium\'s datapath reproduced with kernel routes and nft (the eBPF datapath is not run)';

export interface TwinOptions {
  runId: string;
  artifacts: string;
  /** Where control sockets live (short paths: unix sockets allow 108 bytes). */
  runDir: string;
  /** The user's own Cilium BGP manifests instead of the rendered ones. */
  ciliumBgpText?: string;
  /** Which speaker runs on the nodes (speaker/choose.ts). */
  speaker: SpeakerChoice;
  /** Aborted on a signal: up() stops spawning so teardown sees everything there is. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export class TwinLab implements Lab {
  readonly runtime = 'twin' as const;
  readonly plan: TwinPlan;
  /** The nodes' BGP speakers: Cilium's own control plane, or the emulation. */
  readonly speakers: NodeSpeakers;
  private readonly machineList: Machine[];
  private readonly nsOf = new Map<string, string>();
  private captures = 0;
  private readonly pids = new Map<string, number>();
  /** What the start-up saw worth saying (a start that ate into BIRD's first second). */
  private readonly startNotes: string[] = [];
  /** Parsed up front: bad manifests are an input error before anything is created. */
  readonly manifests: Manifests;
  /** LoadBalancer Services as Cilium reads them from the rendered cluster/load-balancer.yaml. */
  readonly services: ServiceIntent[];

  constructor(readonly model: LabModel, readonly files: RenderedFiles, readonly opts: TwinOptions) {
    const networks = Object.fromEntries(allRouters(model).map((r) => [r.key, renderedText(files, routerPath(r.key, 'network'))]));
    this.plan = twinPlan(model, opts.runId, networks, { ipv6LinkLocal: !existsSync('/proc/sys/net/ipv6') });
    this.machineList = machinesOf(this.plan);
    for (const n of this.plan.namespaces) if (n.machine) this.nsOf.set(n.machine.name, n.ns);
    this.manifests = labManifests(files, opts.ciliumBgpText);
    this.services = twinServices(model, files);
    this.speakers = speakersFor(opts.speaker, this, files, this.manifests.used, this.services);
  }

  get fidelity(): string {
    return `${TWIN_FIDELITY}; nodes: ${this.speakers.description}`;
  }

  /** The manifests and the cluster's objects against the release's CRDs, before anything exists (exit 2). */
  async checkInputs(): Promise<void> {
    const note = await checkObjects(this.opts.speaker, [...clusterObjects(this.model, this.files, this.manifests.used, this.services), ...this.manifests.checkOnly]);
    if (note) this.startNotes.push(note);
  }

  /** How each node's BGP came about, where it says more than "selected by"; what the twin did not use. */
  notes(): string[] {
    return [...this.startNotes, ...this.speakers.notes(), ...this.manifests.unused,
      ...this.services.flatMap((s) => s.notes.map((n) => `service ${s.name}: ${n}`))];
  }

  get runDir(): string {
    return this.opts.runDir;
  }

  /** Whether the lab carries IPv6 beside IPv4. */
  get dual(): boolean {
    return isDualStack(this.model);
  }

  get artifacts(): string {
    return this.opts.artifacts;
  }

  get namespaces(): string[] {
    return this.plan.namespaces.map((n) => n.ns);
  }

  machines(): Machine[] {
    return this.machineList;
  }

  ns(machine: string): string {
    const ns = this.nsOf.get(machine);
    if (!ns) throw new Error(`no machine named ${machine} in this lab`);
    return ns;
  }

  path(...parts: string[]): string {
    const p = join(this.opts.artifacts, ...parts);
    mkdirSync(join(p, '..'), { recursive: true });
    return p;
  }

  /** Creates everything and starts every daemon; returns once each daemon answers. */
  async up(): Promise<void> {
    const log = this.opts.log ?? (() => undefined);
    // Owner file and cgroup before anything exists; on a signal the run is sealed at once, so no
    // spawn or namespace of it starts after teardown began enumerating (lab/runtime/cgroup.ts).
    const claim = await claimRun(this.opts.runId, this.opts.runDir);
    if (claim.why) log(`no cgroup for this run (${claim.why}): teardown finds its processes by namespace`);
    this.opts.signal?.throwIfAborted();
    this.opts.signal?.addEventListener('abort', () => void sealRun(this.opts.runId), { once: true });
    for (const [rel, text] of this.files) writeFileSync(this.path('configs', rel), text);
    let since = Date.now();
    const phase = (what: string) => {
      const now = Date.now();
      log(`${what} (${now - since} ms)`);
      since = now;
    };
    // One `ip -batch` for every namespace and one for every veth (each end created directly in its
    // namespace, from inside a lab namespace): two processes instead of one per object.
    await addNamespaces(this.plan.namespaces.map((n) => n.ns), must);
    const vethLines = this.plan.veths.map((v) => `link add ${v.name} index ${v.index} address ${v.mac} netns ${v.ns} type veth peer name ${v.peerName} index ${v.peerIndex} address ${v.peerMac} netns ${v.peerNs}`);
    await ipBatch(this.plan.namespaces[0]!.ns, vethLines);
    phase(`${this.plan.namespaces.length} namespaces and ${vethLines.length} veths created`);
    const settings = datapathSettings(renderedText(this.files, CLUSTER_FILES.ciliumValues));
    const datapaths = new Map(allNodes(this.model).map((node) => [node.name, nodeDatapath(this.model, node, settings)]));
    // Addresses, routes and neighbours first, the switches, routers and nodes before the rest: BGP
    // waits for those only. VXLAN forwarding entries (tunnel mode), sysctls and rulesets follow.
    const rank = (n: (typeof this.plan.namespaces)[number]) => (!n.machine ? 0 : n.machine.kind === 'router' ? 1 : n.machine.kind === 'node' ? 2 : 3);
    const addressed = new Map(this.plan.namespaces.map((n) => [n.ns, deferred()]));
    const addressing = pool([...this.plan.namespaces].sort((a, b) => rank(a) - rank(b)), 8, async (n) => {
      const dp = n.machine?.kind === 'node' ? datapaths.get(n.machine.name) : undefined;
      const podOfNode = n.machine?.kind === 'pod' ? datapaths.get(n.machine.node ?? '') : undefined;
      try {
        await ipBatch(n.ns, [...n.batch, ...(dp?.ipBatch ?? []), ...(podOfNode?.podBatch ?? [])]);
        addressed.get(n.ns)!.resolve();
      } catch (e) {
        addressed.get(n.ns)!.reject(e as Error);
        throw e;
      }
    });
    const ready = (names: string[]) => Promise.all(names.map((ns) => addressed.get(ns)!.promise));
    const switches = this.plan.namespaces.filter((n) => !n.machine).map((n) => n.ns);
    // BGP first, everything else while BIRD waits. Speakers that only dial (Cilium's: its GoBGP
    // dials 0.75-1 x 2 s after the peer is added, gobgp pkg/server/fsm.go connectLoop) need BIRD and
    // the router's firewall up before that first dial: both start as soon as the datacentre is
    // addressed. A listening emulation is dialled by BIRD instead, 0.75-1 s after it starts
    // (bgp_active() waits MAX(1, connect delay), bgp_start_timer() takes up to a quarter off at
    // random: BIRD's proto/bgp/bgp.c), so there its speakers and firewall must be up first: with
    // speakers started in one round BIRD starts with them and how much of its first second they
    // took is checked; in larger datacentres BIRD starts once they listen.
    const bgp = pool(this.model.datacentres, 3, async (dc) => {
      await ready([...switches, ...dc.routers.map((r) => this.ns(r.name)), ...dc.nodes.map((n) => this.ns(n.name))]);
      const firewall = Promise.all(dc.routers.map((r) => this.routerFirewall(r)));
      const birds = () => Promise.all(dc.routers.map((r) => this.spawnBird(r.key)));
      if (!this.speakers.listens) {
        await firewall;
        const started = await birds();
        await this.speakers.start(dc.nodes);
        return started;
      }
      const prerequisites = Promise.all([this.speakers.start(dc.nodes), firewall]);
      if (dc.nodes.length > SPEAKERS_PER_ROUND) {
        await prerequisites;
        return birds();
      }
      const birdStarted = Date.now();
      const started = await birds();
      await prerequisites;
      const took = Date.now() - birdStarted;
      if (took > FIRST_DIAL_MS - 250) this.startNotes.push(`${dc.routers.map((r) => r.name).join(', ')}: its speakers and firewall took ${took} ms of BIRD's first ${FIRST_DIAL_MS} ms; a first dial refused is retried after the connect retry time`);
      return started;
    });
    // The rest waits for BIRD too: its commands would queue before BGP's in the shells.
    const rest = Promise.all([addressing, bgp]).then(() => pool(this.plan.namespaces, 8, async (n) => {
      const dp = n.machine?.kind === 'node' ? datapaths.get(n.machine.name) : undefined;
      if (dp) await ipBatch(n.ns, dp.bridgeBatch, 'bridge');
      if (n.forwarding) await this.sh(n.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', ...(isDualStack(this.model) ? ['net.ipv6.conf.all.forwarding=1'] : [])]);
      if (dp?.nft) await this.nft(n.ns, dp.nft, this.path('configs', 'nodes', `${n.machine!.name}.nft`));
      const lb = n.machine?.kind === 'node' ? serviceNft(n.machine, this.services, settings.lbMode) : undefined;
      if (lb) await this.nft(n.ns, lb, this.path('configs', 'nodes', `${n.machine!.name}.lb.nft`));
      const lb6 = n.machine?.kind === 'node' && isDualStack(this.model) ? serviceNft(n.machine, this.services, settings.lbMode, 6) : undefined;
      if (lb6) await this.nft(n.ns, lb6, this.path('configs', 'nodes', `${n.machine!.name}.lb6.nft`));
      if (n.machine?.kind === 'router') {
        for (const kv of routerSysctls(this.files, this.router(n.machine.name).key)) await this.sh(n.ns, ['sysctl', '-q', '-w', kv]);
        // A real wire carries frames of at most the MTU: no segmentation offload on the peering
        // port, so captures there count what a switch would see.
        await this.sh(n.ns, ['ethtool', '-K', ROUTER_PORTS.peering, 'tso', 'off', 'gso', 'off']);
      }
    }));
    rest.catch(() => undefined); // awaited below; a failure before that is bgp's (the same namespace)
    const birds = (await bgp).flat();
    phase('speakers running and BIRD started in every datacentre');
    await Promise.all([
      rest,
      ...birds.map((started) => started()),
      this.speakers.announce(),
      pool(allRouters(this.model), 4, (r) => this.startDnsmasq(r)),
      rest.then(() => pool(this.model.datacentres.filter((d) => d.vrrp), 4, (dc) => this.startVrrp(dc))),
      this.startEchoServers(),
    ]);
    phase('links, BIRD answering, routes announced, dnsmasq and echo services listening');
  }

  private async sh(ns: string, argv: string[]): Promise<string> {
    const r = await run(inNs(ns, argv), { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} in ${ns} failed: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  private async nft(ns: string, ruleset: string, file: string): Promise<void> {
    writeFileSync(file, ruleset);
    await this.sh(ns, ['nft', '-f', file]);
  }

  /** Polls check every intervalMs (20 ms: most checks read /proc or a log, not a process). */
  async waitFor(what: string, logFile: string, check: () => Promise<boolean>, deadlineMs = 10_000, intervalMs = 20): Promise<void> {
    await until(async () => ((await check()) ? true : undefined), deadlineMs, () => {
      let tail: string;
      try {
        tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      } catch {
        tail = '(no log)';
      }
      return `${what} did not become ready; last log lines:\n${tail}`;
    }, intervalMs);
  }

  /**
   * Starts (or restarts) a router's BIRD with the rendered bird.conf and waits until it answers. A
   * restart in a lab with graceful restart runs the recovery (-R, doc/bird.sgml "Graceful restart"):
   * BIRD keeps the kernel routes it left and its peers' stale routes until BGP has converged.
   */
  async startBird(routerKey: string, restart = false): Promise<void> {
    await (await this.spawnBird(routerKey, restart && this.model.gracefulRestart?.enabled === true))();
  }

  /** A router of the model by its name. */
  private router(name: string): RouterModel {
    const r = allRouters(this.model).find((x) => x.name === name);
    if (!r) throw new Error(`${name} is not a router`);
    return r;
  }

  /** Starts a router's BIRD (by its key: dc1, or dc1-2...); returns the wait until it answers on its control socket. */
  private async spawnBird(routerKey: string, recovery = false): Promise<() => Promise<void>> {
    const r = allRouters(this.model).find((x) => x.key === routerKey)!;
    const ns = this.ns(r.name);
    const birdConf = this.path('configs', routerPath(r.key, 'bird.conf'));
    const sock = birdSocket(this.opts.runDir, r.key);
    const birdLog = this.path('logs', `bird-${r.key}.log`);
    this.pids.set(`bird:${r.key}`, await startDaemon(ns, ['bird', '-f', ...(recovery ? ['-R'] : []), '-c', birdConf, '-s', sock, '-P', join(this.opts.runDir, `bird-${r.key}.pid`)], birdLog));
    // Its socket first (a file: no process per poll), then one `birdc` to hear it say it is up.
    return () => this.waitFor(`BIRD on ${r.name}`, birdLog, async () => existsSync(sock) && (await run(inNs(ns, ['birdc', '-s', sock, 'show', 'status']))).stdout.includes('Daemon is up'), 10_000, 10);
  }

  /**
   * keepalived on every router of a datacentre with several, on the rendered keepalived.conf; ready
   * once one of them holds the gateway address (the first election takes the master-down interval:
   * every router starts as backup).
   */
  private async startVrrp(dc: DatacentreModel): Promise<void> {
    for (const r of dc.routers) await this.startKeepalived(r);
    const log = this.path('logs', `keepalived-${dc.routers[0]!.key}.log`);
    await this.waitFor(`a VRRP master for ${dc.name}'s gateway ${dc.gateway}`, log, async () => (await this.vrrpMaster(dc)) !== undefined, masterDownMs(dc) + 10_000, 100);
  }

  /** Starts (or restarts) keepalived on one router. */
  async startKeepalived(r: RouterModel): Promise<void> {
    const conf = this.path('configs', routerPath(r.key, 'keepalived.conf'));
    const pid = (what: string) => join(this.opts.runDir, `keepalived-${r.key}${what}.pid`);
    // -n: in the foreground (the lab reaps it); -P: VRRP only; -l -D: log to the console, in detail.
    this.pids.set(`keepalived:${r.key}`, await startDaemon(this.ns(r.name), ['keepalived', '-n', '-l', '-D', '-P', '-f', conf, '-p', pid(''), '-r', pid('-vrrp'), '-c', pid('-checkers')], this.path('logs', `keepalived-${r.key}.log`)));
  }

  /** The router of a datacentre that holds its VRRP gateway address now, if one does. */
  async vrrpMaster(dc: DatacentreModel): Promise<RouterModel | undefined> {
    for (const r of dc.routers) {
      const out = (await run(inNs(this.ns(r.name), ['ip', '-4', '-o', 'addr', 'show', 'dev', LAN_BRIDGE]))).stdout;
      if (out.includes(` ${dc.gateway}/`)) return r;
    }
    return undefined;
  }

  /** Pid of a daemon this lab started: "bird:<router key>", "keepalived:<router key>", or "speaker:<node>". */
  daemonPid(key: string): number | undefined {
    return key.startsWith('speaker:') ? this.speakers.pid(key.slice('speaker:'.length)) : this.pids.get(key);
  }

  /** The router's firewall, in place before BIRD's first packet (as at an OpenWRT boot: firewall before bird). */
  private async routerFirewall(r: RouterModel): Promise<void> {
    const fw = fw4Ruleset(renderedText(this.files, routerPath(r.key, 'firewall')), renderedText(this.files, routerPath(r.key, 'network')));
    await this.nft(this.ns(r.name), fw, this.path('configs', 'routers', r.key, 'fw4.nft'));
  }

  private async startDnsmasq(r: RouterModel): Promise<void> {
    const dc = this.model.datacentres.find((d) => d.name === r.dc)!;
    const args = dnsmasqArgs(renderedText(this.files, routerPath(r.key, 'dhcp')), dc.lan, {
      pidFile: join(this.opts.runDir, `dnsmasq-${r.key}.pid`),
      leaseFile: join(this.opts.runDir, `dnsmasq-${r.key}.leases`),
    });
    writeFileSync(this.path('configs', 'routers', r.key, 'dnsmasq.args'), args.join('\n') + '\n');
    const dnsLog = this.path('logs', `dnsmasq-${r.key}.log`);
    const dnsPid = await startDaemon(this.ns(r.name), ['dnsmasq', ...args], dnsLog);
    await this.waitFor(`dnsmasq on ${r.name}`, dnsLog, () => Promise.resolve(listensOn(dnsPid, 'dnsmasq', 'udp', 53)));
  }

  /** Starts (or restarts) a node's speaker, announcements included. */
  async startSpeaker(nodeName: string): Promise<void> {
    await this.speakers.restart(nodeName);
  }

  /** Reconnects to a lab another process brought up (`lab up`): daemon pids. */
  async attach(): Promise<void> {
    await this.speakers.attach();
    for (const r of allRouters(this.model)) {
      const pid = await findDaemon(this.ns(r.name), 'bird');
      if (pid) this.pids.set(`bird:${r.key}`, pid);
      const vrrp = await findDaemon(this.ns(r.name), 'keepalived');
      if (vrrp) this.pids.set(`keepalived:${r.key}`, vrrp);
    }
  }

  private async startEchoServers(): Promise<void> {
    const hosts = this.machineList.filter((m) => ['pod', 'lanhost', 'zonehost', 'internet'].includes(m.kind));
    // Many at once: each start is a line to a shell and the readiness a read of /proc.
    await pool(hosts, 32, async (m) => {
      const ns = this.ns(m.name);
      const logFile = this.path('logs', `services-${m.name}.log`);
      // Answers every connection with the source address the server saw.
      // -d -d: socat logs "listening on" once it listens, the cheap sign of readiness (listening.ts).
      const whoami = await startDaemon(ns, ['socat', '-d', '-d', listenAddress(WHOAMI_PORT, this.dual), 'SYSTEM:echo $SOCAT_PEERADDR'], logFile);
      // Counts bulk transfers and answers the byte count once the sender closes (lab compare).
      const discard = await startDaemon(ns, ['socat', '-d', '-d', listenAddress(DISCARD_PORT, this.dual), 'SYSTEM:wc -c'], logFile);
      const both = [listeningCheck(whoami, 'socat', 'tcp', WHOAMI_PORT, logFile, 'listening on', 2), listeningCheck(discard, 'socat', 'tcp', DISCARD_PORT, logFile, 'listening on', 2)];
      await this.waitFor(`services on ${m.name}`, logFile, () => Promise.resolve(both.every((c) => c())));
    });
    // LoadBalancer backends answer on their Service's port with the client address and their own.
    const backends = this.machineList.filter((m) => m.kind === 'backend');
    await pool(backends, 8, async (m) => {
      const port = this.services.find((s) => s.name === m.service)?.targetPort;
      if (!port) return;
      const logFile = this.path('logs', `services-${m.name}.log`);
      const echo = await startDaemon(this.ns(m.name), backendEchoArgv(port, this.dual), logFile);
      const listening = listeningCheck(echo, 'socat', 'tcp', port, logFile, 'listening on');
      await this.waitFor(`backend ${m.name}`, logFile, () => Promise.resolve(listening()));
    });
  }

  async down(): Promise<string[]> {
    return destroyRun(this.opts.runId);
  }

  addressesOf(machine: string): string[] {
    const m = this.machineList.find((x) => x.name === machine);
    if (!m) return [];
    const six = (...a: (string | undefined)[]) => a.filter((x): x is string => x !== undefined);
    if (m.kind === 'router') {
      const r = this.router(machine);
      return [r.address, r.peeringAddress, r.wanAddress, ...(r.index === 0 ? this.model.extraZones.filter((z) => z.dc === r.dc).map((z) => z.routerAddress) : []),
        ...six(r.address6, r.peeringAddress6, r.wanAddress6)];
    }
    if (m.kind === 'node') {
      const pod = this.plan.pods.find((p) => p.node === machine);
      return [m.address, ...(pod ? [pod.gateway] : []), ...six(m.address6, pod?.gateway6)];
    }
    if (m.kind === 'internet') return [m.address, this.model.internet.gateway, ...six(m.address6, this.model.internet.gateway6)];
    return [m.address, ...six(m.address6)];
  }

  async bgpSessions(scope: 'all' | 'routers' = 'all'): Promise<BgpSession[]> {
    const routers = await Promise.all(allRouters(this.model).map(async (router) => {
      const r = await run(inNs(this.ns(router.name), ['birdc', '-s', birdSocket(this.opts.runDir, router.key), 'show', 'protocols', 'all']));
      return parseBirdProtocols(r.stdout, router.name, this.model.routers.asn);
    }));
    if (scope === 'routers') return routers.flat();
    const nodes = await pool(allNodes(this.model), 8, (n) => this.speakers.sessions(n.name));
    return [...routers.flat(), ...nodes.flat()];
  }

  async bgpRoutes(router: string): Promise<BgpRoute[]> {
    const key = this.router(router).key;
    const r = await run(inNs(this.ns(router), ['birdc', '-s', birdSocket(this.opts.runDir, key), 'show', 'route', 'all']), { timeoutMs: 15_000 });
    if (r.code !== 0) throw new Error(`birdc show route all on ${router} failed: ${(r.stderr || r.stdout).trim()}`);
    return parseBirdRoutes(r.stdout);
  }

  async bgpRefusals(router: string): Promise<string[]> {
    const log = this.path('logs', `bird-${this.router(router).key}.log`);
    return existsSync(log) ? birdRefusals(readFileSync(log, 'utf8')) : [];
  }

  async routes(machine: string, family: 4 | 6 = 4): Promise<Route[]> {
    return parseRoutes((await run(inNs(this.ns(machine), ['ip', '-j', `-${family}`, 'route', 'show']))).stdout);
  }

  async links(machine: string): Promise<Link[]> {
    return parseLinks((await run(inNs(this.ns(machine), ['ip', '-j', '-d', 'link', 'show']))).stdout);
  }

  private target(to: string): string {
    return this.machineList.find((m) => m.name === to)?.address ?? to;
  }

  async ping(from: string, to: string, opts: { size?: number; dontFragment?: boolean } = {}): Promise<ProbeResult> {
    // Short deadlines (every hop is on this machine): a probe that cannot succeed costs at most 1-2 s.
    // One the source cannot route fails at once (the kernel answers ENETUNREACH), so no route check first.
    const args = ['ping', '-n', '-c', '1', '-W', '1'];
    if (opts.dontFragment) args.push('-M', 'do');
    const target = this.target(to);
    if (opts.size) args.push('-s', String(opts.size - (isV6(target) ? 48 : 28))); // IP + ICMP headers
    const r = await run(inNs(this.ns(from), [...args, target]), { timeoutMs: 5000 });
    return { ok: r.code === 0, detail: (r.stdout + r.stderr).trim().split('\n').filter((l) => /bytes from|too long|unreachable|loss|error/i.test(l)).join('; ') };
  }

  async tcpWhoAmI(from: string, to: string, port = WHOAMI_PORT): Promise<ProbeResult & { seenSource?: string; answeredBy?: string }> {
    const r = await run(inNs(this.ns(from), ['socat', '-T', '2', '-', `${tcpAddress(this.target(to), port)},connect-timeout=2`]), { timeoutMs: 6000 });
    const seen = parseWhoAmI(r.stdout);
    if (r.code !== 0 || !seen) return { ok: false, detail: (r.stderr || r.stdout).trim().split('\n').at(-1) || 'no answer' };
    return { ok: true, detail: `server saw ${seen.seenSource}${seen.answeredBy ? ` (answered by ${seen.answeredBy})` : ''}`, ...seen };
  }

  async traceroute(from: string, to: string): Promise<TraceResult> {
    const target = this.target(to);
    const r = await run(inNs(this.ns(from), ['traceroute', ...(isV6(target) ? ['-6'] : []), '-I', '-n', '-q', '1', '-w', '1', '-m', '10', target]), { timeoutMs: 15_000 });
    return parseTraceroute(r.stdout, target);
  }

  async transfer(from: string, to: string, bytes: number): Promise<ProbeResult> {
    // The receiver answers with the byte count after our half-close, so this returns once every
    // byte has arrived, not when it left our socket buffer.
    const r = await run(inNs(this.ns(from), ['socat', '-t', '10', '-T', '10', '-', `${tcpAddress(this.target(to), DISCARD_PORT)},connect-timeout=3`]), { timeoutMs: 15_000, input: '\0'.repeat(bytes) });
    const received = Number(r.stdout.trim());
    return { ok: received === bytes, detail: r.code === 0 ? `${received} of ${bytes} bytes arrived` : r.stderr.trim().split('\n').at(-1) ?? 'failed' };
  }

  async resolve(from: string, name: string, server: string, family: 4 | 6 = 4): Promise<ProbeResult & { address?: string }> {
    const r = await run(inNs(this.ns(from), ['timeout', '3', 'busybox', 'nslookup', `-type=${family === 6 ? 'aaaa' : 'a'}`, name, this.target(server)]), { timeoutMs: 5000 });
    const address = parseNslookup(r.stdout, name, family);
    if (!address) return { ok: false, detail: (r.stdout + r.stderr).trim().split('\n').slice(-2).join('; ') || 'no answer' };
    return { ok: true, detail: `${name} -> ${address}`, address };
  }

  async capture(segment: string, during: () => Promise<void>): Promise<Capture> {
    const seg = this.plan.segments[segment];
    if (!seg) throw new Error(`no segment ${segment}; known: ${Object.keys(this.plan.segments).join(', ')}`);
    const stamp = `${segment}-${Date.now()}-${++this.captures}`;
    const file = this.path('captures', `${stamp}.pcap`);
    // One log per capture: readiness is "listening on" in *this* tcpdump's output.
    const logFile = this.path('logs', `tcpdump-${stamp}.log`);
    const pid = await startDaemon(seg.ns, ['tcpdump', '-i', seg.dev, '-nn', '--immediate-mode', '-U', '-s', '200', '-w', file], logFile);
    const [from, to] = seg.endpoints;
    const isMarker = (p: CapturedPacket) => from !== undefined && to !== undefined && p.protocol === 'udp' && p.src === from.ip && p.dst === to.ip && p.dstPort === CAPTURE_END_PORT;
    let packets: CapturedPacket[] = [];
    try {
      await this.waitFor(`tcpdump on ${segment}`, logFile, async () => readFileSync(logFile, 'utf8').includes('listening on'), 10_000, 5);
      await during();
      // The end of the capture is a marker datagram sent across the segment after the probes: the
      // bridge hands frames to tcpdump in order, so once the marker is in the file (written packet
      // by packet, -U) every frame before it is too. Exact where a fixed wait is a guess.
      if (from && to) {
        await run(inNs(from.ns, ['socat', '-u', '-', `UDP-SENDTO:${to.ip}:${CAPTURE_END_PORT}`]), { input: 'native-routing-lab: end of capture\n', timeoutMs: 5000 });
        await until(async () => {
          packets = parsePcap(readFileSync(file));
          return packets.some(isMarker) ? true : undefined;
        }, 5000, () => `the end-of-capture marker did not reach tcpdump on ${segment}`, 5).catch(() => undefined);
      } else await new Promise((r) => setTimeout(r, 50)); // nobody on the segment to send a marker: a moment for the last frames
    } finally {
      // SIGKILL: every frame is on disk already (-U), and tcpdump takes ~50 ms to leave on SIGINT.
      // Its exit is not waited for: closing a packet socket waits out an RCU grace period (20-30
      // ms; packet_release in net/packet/af_packet.c), and teardown ends whatever is left of a run.
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    packets = parsePcap(readFileSync(file));
    return { segment, packets: packets.filter((p) => !isMarker(p)), file };
  }

  startFlows(flows: FlowSpec[]): Promise<RunningFlows> {
    return startTwinFlows(this, flows);
  }

  async injectFault(kind: FaultKind): Promise<InjectedFault> {
    return twinFault(this, kind);
  }

  async exec(machine: string, argv: string[], timeoutMs = 30_000) {
    return run(inNs(this.ns(machine), argv), { timeoutMs });
  }
}


const isV6 = (address: string) => address.includes(':');

/** socat's client address for a host and port, IPv6 in brackets. */
function tcpAddress(host: string, port: number): string {
  return isV6(host) ? `TCP6:[${host}]:${port}` : `TCP:${host}:${port}`;
}
