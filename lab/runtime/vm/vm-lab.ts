// The VM lab: OpenWRT routers and Talos nodes under QEMU, Cilium installed by Helm, behind the same
// Lab interface as the twin. NEVER RUN END TO END: it needs working KVM (or hours of TCG) and the
// internet (images, packages, container images). What did run here: the QEMU runner, the bridges
// and taps, the emulated internet and its slirp4netns uplink, the KVM probe, the download cache, the
// rootfs injection, the failure bundle's writing, and the pure command builders and parsers this
// class uses (test/vm, on real captured outputs). Everything below that talks to a booted router or
// cluster is written against the documented CLIs and upstream sources and has not been exercised.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { CLUSTER_FILES, renderedText, routerPath, type RenderedFiles } from '../../render/index.ts';
import { INSTALL_DISK } from '../../render/talos-patch.ts';
import { allNodes, allRouters, type LabModel, type RouterModel } from '../../topology/model.ts';
import { must, run, until } from '../exec.ts';
import type { BgpRoute, BgpSession, Capture, FaultKind, InjectedFault, Lab, Link, Machine, ProbeResult, Route, TraceResult } from '../lab.ts';
import { DISCARD_PORT, parseWhoAmI, WHOAMI_PORT } from '../lab.ts';
import { listenAddress } from '../echo.ts';
import { backendPods } from '../../topology/services.ts';
import { parsePcap } from '../pcap.ts';
import { inNs, sealRun, startDaemon } from '../netns.ts';
import { claimRun } from '../owner.ts';
import { nsName } from '../names.ts';
import { birdRefusals, parseBirdProtocols, parseBirdRoutes, parseLinks, parseNslookup, parseRoutes, parseTraceroute } from '../parsers.ts';
import { ciliumAgentCli } from '../../versions/cilium.ts';
import { bootstrapWithRetry } from './bootstrap.ts';
import { bundlePlan, reasonText, resultText, writeBundle, type BundleSource } from './bundle.ts';
import { linksArgv, parseLinkText, parseRouteText } from './busybox.ts';
import { DeadlineError, toolWait, untilDeadline } from './deadline.ts';
import { startInternetServices } from './internet.ts';
import { parseTalosVersion } from './talos-version.ts';
import type { Accel } from './qemu.ts';
import { consoleExec, KERNEL_ARGS, startVm, waitForConsole, type RunningVm } from './qemu.ts';
import * as kube from './kube.ts';
import { applyVmNetwork, vmNetworkPlan, type VmNetworkPlan } from './network.ts';
import { injectFiles, routerFiles, ROUTER_FAILED, ROUTER_IP, ROUTER_READY, uciDefaultsScript } from './rootfs.ts';
import * as talos from './talos.ts';
import { destroyVmRun } from './teardown.ts';
import { traceStep } from '../../telemetry/stages.ts';

export const VM_FIDELITY =
  'vm: real OpenWRT (BIRD 2, firewall4, dnsmasq) and Talos with Cilium\'s eBPF datapath under QEMU; the routers\' WANs lead to an emulated internet (203.0.113.0/24, echo host on 198.51.100.0/24, as in the twin) whose way out is a slirp4netns user-mode uplink';

/** Paths of everything the run uses, all verified from the cache by preflight. */
export interface VmImages {
  openwrtKernel: string;
  openwrtRootfsGz: string;
  talosKernel: string;
  talosInitramfs: string;
  talosctl: string;
  kubectl: string;
  helm: string;
  ciliumChart: string;
}

export interface VmOptions {
  runId: string;
  artifacts: string;
  runDir: string;
  images: VmImages;
  accel: Accel;
  /** Aborted on a signal: up() stops spawning so teardown sees everything there is. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Deadlines (ms) of every wait; TCG multiplies them. */
const DEADLINES = { routerBoot: 180_000, routerPackages: 600_000, vrrpMaster: 60_000, talosMaintenance: 300_000, talosApi: 600_000, kubeReady: 900_000, bgp: 300_000 };

/** As the twin's flap: shorter than any hold time the lab allows. */
const VM_FLAP_MS = 2000;

export class VmLab implements Lab {
  readonly runtime = 'vm' as const;
  readonly fidelity = VM_FIDELITY;
  readonly plan: VmNetworkPlan;
  private readonly vms = new Map<string, RunningVm>();
  private readonly podIps = new Map<string, { address: string; address6?: string }>();
  private readonly agentPods = new Map<string, string>();
  private readonly slow: number;
  /** Named deadlines that expired during this run, for the failure bundle. */
  private readonly expired: DeadlineError[] = [];

  constructor(readonly model: LabModel, readonly files: RenderedFiles, readonly opts: VmOptions) {
    this.plan = vmNetworkPlan(model, opts.runId);
    this.slow = opts.accel === 'kvm' ? 1 : 10;
  }

  get artifacts(): string {
    return this.opts.artifacts;
  }

  private path(...parts: string[]): string {
    const p = join(this.opts.artifacts, ...parts);
    mkdirSync(join(p, '..'), { recursive: true });
    return p;
  }

  private get ctl() {
    return { talos: { talosctl: this.opts.images.talosctl, dir: this.path('cluster', 'talos', 'x').replace(/\/x$/, '') }, kube: { kubectl: this.opts.images.kubectl, helm: this.opts.images.helm, kubeconfig: this.path('cluster', 'kubeconfig') } };
  }

  /** Remembers a named deadline that expired (for the failure bundle), then rethrows. */
  private async named<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (e) {
      if (e instanceof DeadlineError) this.expired.push(e);
      throw e;
    }
  }

  private get agentCli(): string {
    return ciliumAgentCli(this.model.versions.cilium);
  }

  /** Runs an orchestrator command inside the ctl namespace (the only way to the lab's networks). */
  private async ctlRun(argv: string[], timeoutMs = 120_000, deadline = `${argv[1] === '--kubeconfig' ? argv[3] : argv[1]} command`): Promise<string> {
    const r = await run(inNs(this.plan.ctlNs, argv), { timeoutMs });
    // exec.ts's run kills a command at timeoutMs and says so: that is a named deadline too.
    if (r.code !== 0 && r.stderr.includes(`(timed out after ${timeoutMs} ms`)) {
      const e = new DeadlineError(deadline, timeoutMs, `${argv.join(' ')} did not finish`);
      this.expired.push(e);
      throw e;
    }
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 800)}`);
    return r.stdout;
  }

  machines(): Machine[] {
    const out: Machine[] = [];
    // Dual-stack: every machine's IPv6 address beside its IPv4 one (pods: the one Cilium's IPAM gave).
    const six = (a: string | undefined) => (a ? { address6: a } : {});
    const pod = (name: string) => ({ address: this.podIps.get(name)?.address ?? '', ...six(this.podIps.get(name)?.address6) });
    for (const dc of this.model.datacentres) {
      for (const r of dc.routers) out.push({ name: r.name, kind: 'router', dc: dc.name, address: r.address, ...six(r.address6) });
      for (const n of dc.nodes) {
        out.push({ name: n.name, kind: 'node', dc: dc.name, address: n.address, ...six(n.address6) });
        out.push({ name: `${n.name}-pod`, kind: 'pod', dc: dc.name, node: n.name, ...pod(`${n.name}-pod`) });
      }
      out.push({ name: dc.lanHost.name, kind: 'lanhost', dc: dc.name, address: dc.lanHost.address, ...six(dc.lanHost.address6) });
    }
    // LoadBalancer backends (cluster/load-balancer.yaml), at the addresses Cilium's IPAM gave them.
    for (const b of backendPods(this.model)) {
      out.push({ name: b.name, kind: 'backend', dc: allNodes(this.model).find((n) => n.name === b.node)?.dc ?? '', node: b.node, service: b.service, ...pod(b.name) });
    }
    out.push({ name: 'internet', kind: 'internet', address: this.model.internet.server, ...six(this.model.internet.server6) });
    return out;
  }

  addressesOf(machine: string): string[] {
    const some = (...a: (string | undefined)[]) => a.filter((x): x is string => !!x);
    const r = this.router(machine);
    if (r) return some(r.address, r.peeringAddress, r.wanAddress, r.address6, r.peeringAddress6, r.wanAddress6);
    const i = this.model.internet;
    if (machine === 'internet') return some(i.server, i.gateway, i.server6, i.gateway6);
    const m = this.machines().find((x) => x.name === machine);
    return some(m?.address, m?.address6);
  }

  async up(): Promise<void> {
    const log = this.opts.log ?? (() => undefined);
    if (this.opts.accel === 'tcg') log('KVM is not usable: running under TCG, every deadline is 10 times longer');
    mkdirSync(this.opts.runDir, { recursive: true });
    // As the twin: owner file and cgroup first, sealed at once on a signal (lab/runtime/owner.ts).
    const claim = await claimRun(this.opts.runId, this.opts.runDir);
    if (claim.why) log(`no cgroup for this run (${claim.why}): teardown finds its processes by namespace and command line`);
    this.opts.signal?.throwIfAborted();
    this.opts.signal?.addEventListener('abort', () => void sealRun(this.opts.runId), { once: true });
    for (const [rel, text] of this.files) writeFileSync(this.path('configs', rel), text);
    await applyVmNetwork(this.plan, { logDir: this.path('logs', 'x').replace(/\/x$/, '') });
    startInternetServices(this.plan.internet, { logDir: this.path('logs', 'x').replace(/\/x$/, ''), runDir: this.opts.runDir }, { whoamiPort: WHOAMI_PORT, discardPort: DISCARD_PORT });
    for (const h of this.plan.hosts) {
      startDaemon(h.ns, ['socat', listenAddress(WHOAMI_PORT, h.six !== undefined), 'SYSTEM:echo $SOCAT_PEERADDR'], this.path('logs', `whoami-${h.name}.log`));
      startDaemon(h.ns, ['socat', listenAddress(DISCARD_PORT, h.six !== undefined), 'SYSTEM:wc -c'], this.path('logs', `discard-${h.name}.log`));
    }
    const key = join(this.opts.runDir, 'id_ed25519');
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `nrl-${this.opts.runId}`, '-f', key]);
    // Child spans of the up stage (no-ops unless OTEL_* asks for traces: lab/telemetry).
    await Promise.all(allRouters(this.model).map((r) => traceStep(`boot ${r.name}`, { 'lab.machine': r.name, 'lab.openwrt': this.model.versions.openwrt },
      () => this.startRouter(r, `${key}.pub`))));
    const vrrp = this.model.datacentres.filter((d) => d.vrrp);
    log(vrrp.length > 0 ? 'routers up, BIRD 2 and keepalived installed' : 'routers up, BIRD 2 installed');
    // The nodes lease through the gateway: with several routers one must hold the VRRP address first.
    for (const dc of vrrp) {
      await this.named(untilDeadline(`vrrp-master ${dc.name}`, () => this.vrrpMaster(dc.index), DEADLINES.vrrpMaster * this.slow,
        () => `no router of ${dc.name} took its VRRP address ${dc.gateway}: see logread -e Keepalived on ${dc.routers.map((r) => r.name).join(', ')}`, 1000));
    }
    await this.startNodes();
    await traceStep('bootstrap Kubernetes, install Cilium', { 'lab.cilium': this.model.versions.cilium }, () => this.bootstrapCluster());
    log('Kubernetes up, Cilium installed');
  }

  private router(name: string): RouterModel | undefined {
    return allRouters(this.model).find((r) => r.name === name);
  }

  /** The router of a datacentre holding its VRRP gateway address now (iproute2's `to` filter), if one does. */
  private async vrrpMaster(dcIndex: number): Promise<RouterModel | undefined> {
    const dc = this.model.datacentres[dcIndex]!;
    for (const r of dc.routers) {
      const out = await this.onRouter(r.name, `${ROUTER_IP} -4 -o addr show to ${dc.gateway}/32`, 15_000);
      if (out.code === 0 && out.stdout.includes(` ${dc.gateway}/`)) return r;
    }
    return undefined;
  }

  private async startRouter(r: RouterModel, pubKey: string): Promise<void> {
    const mp = this.plan.machines.find((m) => m.name === r.name)!;
    const dir = this.path('vms', r.name, 'x').replace(/\/x$/, '');
    const rootfs = join(dir, 'rootfs.ext4');
    writeFileSync(rootfs, gunzipSync(readFileSync(this.opts.images.openwrtRootfsGz)));
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const rendered = (file: Parameters<typeof routerPath>[1]) => renderedText(this.files, routerPath(r.key, file));
    // A router with VRRP partners gets keepalived and its rendered files (render/keepalived.ts).
    const vrrp = this.files.has(routerPath(r.key, 'keepalived'));
    await injectFiles(rootfs, routerFiles({
      network: write('network', rendered('network')),
      firewall: write('firewall', rendered('firewall')),
      dhcp: write('dhcp', rendered('dhcp')),
      bird: write('bird.conf', rendered('bird.conf')),
      ...(this.files.has(routerPath(r.key, 'sysctl')) ? { sysctl: write('90-ecmp.conf', rendered('sysctl')) } : {}),
      ...(vrrp ? { keepalived: { uci: write('keepalived', rendered('keepalived')), conf: write('keepalived.conf', rendered('keepalived.conf')) } } : {}),
      uciDefaults: write('90-nrl-bird', uciDefaultsScript(this.model.versions.openwrt, { waitSeconds: 300 * this.slow, keepalived: vrrp })),
      authorizedKey: (copyFileSync(pubKey, join(dir, 'authorized_keys')), join(dir, 'authorized_keys')),
    }), dir);
    const vm = startVm(this.plan.vmNs, {
      name: nsName(this.opts.runId, r.name), kernel: this.opts.images.openwrtKernel, append: KERNEL_ARGS.openwrt,
      memoryMiB: 256, cpus: 1, accel: this.opts.accel, nics: mp.nics.map((n) => ({ tap: n.tap, mac: n.mac })),
      disks: [{ file: rootfs, format: 'raw' }],
      consoleSocket: join(this.opts.runDir, `${r.name}.con`), consoleLog: this.path('consoles', `${r.name}.log`), pidFile: join(this.opts.runDir, `${r.name}.pid`),
    }, this.path('logs', `qemu-${r.name}.log`));
    this.vms.set(r.name, vm);
    await this.named(waitForConsole(vm, /Please press Enter to activate this console/, DEADLINES.routerBoot * this.slow, `router-boot ${r.name}`));
    const outcome = await this.named(waitForConsole(vm, new RegExp(`${ROUTER_READY}|${ROUTER_FAILED}.*`), DEADLINES.routerPackages * this.slow, `router-packages ${r.name}`));
    if (outcome.startsWith(ROUTER_FAILED)) throw new Error(`${r.name}: ${outcome}`);
  }

  private async startNodes(): Promise<void> {
    const c = this.ctl.talos;
    const cp = allNodes(this.model).find((n) => n.role === 'controlplane')!;
    mkdirSync(c.dir, { recursive: true });
    await this.ctlRun(talos.genConfig(c, this.model.name, talos.clusterEndpoint(cp.address),
      { common: this.path('configs', CLUSTER_FILES.talosPatch), controlPlane: this.path('configs', CLUSTER_FILES.talosPatchControlPlane) }, INSTALL_DISK));
    await Promise.all(allNodes(this.model).map((n) => traceStep(`boot ${n.name}`, { 'lab.machine': n.name, 'lab.talos': this.model.versions.talos }, async () => {
      const mp = this.plan.machines.find((m) => m.name === n.name)!;
      const disk = this.path('vms', n.name, 'disk.qcow2');
      await must(['qemu-img', 'create', '-f', 'qcow2', disk, '12G']);
      const vm = startVm(this.plan.vmNs, {
        name: nsName(this.opts.runId, n.name), kernel: this.opts.images.talosKernel, initrd: this.opts.images.talosInitramfs, append: KERNEL_ARGS.talos,
        memoryMiB: n.role === 'controlplane' ? 3072 : 2048, cpus: 2, accel: this.opts.accel,
        nics: mp.nics.map((x) => ({ tap: x.tap, mac: x.mac })), disks: [{ file: disk, format: 'qcow2' }],
        consoleSocket: join(this.opts.runDir, `${n.name}.con`), consoleLog: this.path('consoles', `${n.name}.log`), pidFile: join(this.opts.runDir, `${n.name}.pid`),
        guestAgentSocket: join(this.opts.runDir, `${n.name}.qga`),
      }, this.path('logs', `qemu-${n.name}.log`));
      this.vms.set(n.name, vm);
      // Maintenance mode: apid answers --insecure once the node has its DHCP lease from the router.
      await this.named(untilDeadline(`talos-maintenance ${n.name}`, async () => ((await run(inNs(this.plan.ctlNs, talos.versionInsecure(c, n.address)), { timeoutMs: 10_000 })).code === 0 ? true : undefined),
        DEADLINES.talosMaintenance * this.slow, () => `Talos on ${n.name} (${n.address}) never answered in maintenance mode`, 5000));
      await this.ctlRun(talos.applyConfig(c, n.address, n.role));
    })));
  }

  private async bootstrapCluster(): Promise<void> {
    const { talos: c, kube: k } = this.ctl;
    const cp = allNodes(this.model).find((n) => n.role === 'controlplane')!;
    // Up once `talosctl version` answers with a Server section for the node (talos-version.ts).
    const server = await this.named(untilDeadline(`talos-api ${cp.name}`, async () => {
      const r = await run(inNs(this.plan.ctlNs, talos.version(c, cp.address)), { timeoutMs: 10_000 });
      return r.code === 0 ? parseTalosVersion(r.stdout).servers[0] : undefined;
    }, DEADLINES.talosApi * this.slow, () => `Talos API on ${cp.name} never came up after apply-config`, 5000));
    (this.opts.log ?? (() => undefined))(`Talos API up on ${cp.name}: ${server.tag ?? 'version unknown'}`);
    // FailedPrecondition until the node is ready after its install reboot (bootstrap.ts).
    await this.named(bootstrapWithRetry(() => run(inNs(this.plan.ctlNs, talos.bootstrap(c, cp.address)), { timeoutMs: 30_000 }),
      { deadlineMs: DEADLINES.talosApi * this.slow, intervalMs: 5000 }));
    await this.named(untilDeadline('talos-kubeconfig', async () => ((await run(inNs(this.plan.ctlNs, talos.kubeconfig(c, cp.address, k.kubeconfig)), { timeoutMs: 20_000 })).code === 0 ? true : undefined),
      DEADLINES.talosApi * this.slow, () => 'talosctl kubeconfig never succeeded', 5000));
    for (const doc of renderedText(this.files, CLUSTER_FILES.nodeLabels).split(/^---$/m)) {
      const d = parse(doc) as { metadata?: { name?: string; labels?: Record<string, string> } } | null;
      if (d?.metadata?.name && d.metadata.labels) {
        const name = d.metadata.name;
        const labels = d.metadata.labels;
        await this.named(untilDeadline(`kube-label ${name}`, async () => ((await run(inNs(this.plan.ctlNs, kube.labelNode(k, name, labels)), { timeoutMs: 20_000 })).code === 0 ? true : undefined),
          DEADLINES.kubeReady * this.slow, () => `could not label node ${name}`, 5000));
      }
    }
    // helm's and kubectl's own timeouts scale with the accelerator and end before the exec deadline (deadline.ts).
    const kw = toolWait(DEADLINES.kubeReady, this.slow);
    await this.ctlRun(kube.helmInstallCilium(k, this.opts.images.ciliumChart, this.path('configs', CLUSTER_FILES.ciliumValues), kw.toolSeconds), kw.execMs, 'helm-install-cilium');
    await this.ctlRun(kube.waitNodesReady(k, kw.toolSeconds), kw.execMs, 'kube-nodes-ready');
    await this.ctlRun(kube.apply(k, this.path('configs', CLUSTER_FILES.ciliumBgp)));
    // LB-IPAM pool, LoadBalancer Services and their backend pods: Cilium allocates, announces and serves them.
    if (this.files.has(CLUSTER_FILES.loadBalancer)) await this.ctlRun(kube.apply(k, this.path('configs', CLUSTER_FILES.loadBalancer)));
    // The probes' namespace (Pod Security `privileged`, kube.ts) first, then the pods in it.
    const pods = [kube.probeNamespaceManifest(), ...allNodes(this.model).map((n) => kube.probePodManifest(n.name, `${n.name}-pod`))];
    const podsFile = this.path('configs', 'cluster', 'probe-pods.yaml');
    writeFileSync(podsFile, pods.map((p) => stringify(p)).join('---\n'));
    await this.ctlRun(kube.apply(k, podsFile));
    await this.ctlRun(kube.waitPodsReady(k, kube.PROBE_NAMESPACE, 'app.kubernetes.io/name=nrl-probe', kw.toolSeconds), kw.execMs, 'probe-pods-ready');
    for (const [name, addresses] of kube.podAddresses(await this.ctlRun(kube.getJson(k, 'pods', kube.PROBE_NAMESPACE)))) this.podIps.set(name, addresses);
    if (this.model.services.length > 0) {
      await this.ctlRun(kube.waitPodsReady(k, 'default', `app.kubernetes.io/name in (${this.model.services.map((s) => s.name).join(',')})`, kw.toolSeconds), kw.execMs, 'backend-pods-ready');
      for (const [name, addresses] of kube.podAddresses(await this.ctlRun(kube.getJson(k, 'pods', 'default')))) this.podIps.set(name, addresses);
    }
    for (const [node, pod] of kube.agentPodsByNode(await this.ctlRun([...kube.getJson(k, 'pods', 'kube-system'), '--selector', 'k8s-app=cilium']))) this.agentPods.set(node, pod);
    await this.named(untilDeadline('bgp-established', async () => {
      const s = await this.bgpSessions();
      return s.length > 0 && s.every((x) => x.established) ? true : undefined;
    }, DEADLINES.bgp * this.slow, async () => `BGP sessions not established: ${(await this.bgpSessions()).filter((x) => !x.established).map((x) => `${x.machine}->${x.peerAddress} ${x.state}`).join(', ')}`, 5000));
  }

  /** Router: ssh to dropbear from the ctl namespace, the serial console when ssh fails. */
  private async onRouter(name: string, command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
    const router = this.router(name);
    if (!router) throw new Error(`no router named ${name} in this lab`);
    const r = await run(inNs(this.plan.ctlNs, sshArgv(join(this.opts.runDir, 'id_ed25519'), router.address, command)), { timeoutMs });
    if (r.code !== 255) return r;
    const vm = this.vms.get(name);
    if (!vm) return r;
    const c = await consoleExec(vm.spec.consoleSocket, command, timeoutMs);
    return { code: c.code, stdout: c.output, stderr: '' };
  }

  async exec(machine: string, argv: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
    const m = this.machines().find((x) => x.name === machine);
    if (!m) throw new Error(`no machine named ${machine} in this lab`);
    const { kube: k } = this.ctl;
    if (m.kind === 'router') return this.onRouter(machine, argv.map(shellQuote).join(' '), timeoutMs);
    if (m.kind === 'lanhost') return run(inNs(nsName(this.opts.runId, machine), argv), { timeoutMs });
    if (m.kind === 'internet') return run(inNs(this.plan.internet.ns, argv), { timeoutMs });
    if (m.kind === 'pod') return run(inNs(this.plan.ctlNs, kube.execIn(k, kube.PROBE_NAMESPACE, machine, argv)), { timeoutMs });
    if (m.kind === 'backend') return run(inNs(this.plan.ctlNs, kube.execIn(k, 'default', machine, argv)), { timeoutMs });
    // A node: Talos has no shell; the Cilium agent pod runs in the node's network namespace.
    const agent = this.agentPods.get(machine);
    if (!agent) return { code: 1, stdout: '', stderr: `no Cilium agent pod on ${machine}` };
    return run(inNs(this.plan.ctlNs, kube.execIn(k, 'kube-system', agent, argv, 'cilium-agent')), { timeoutMs });
  }

  /** `routers`: BIRD's view only (the convergence poll, lab/assert/converge.ts); no kubectl exec per node. */
  async bgpSessions(scope: 'all' | 'routers' = 'all'): Promise<BgpSession[]> {
    const routers = await Promise.all(allRouters(this.model).map(async (r) =>
      parseBirdProtocols((await this.onRouter(r.name, 'birdc show protocols all', 15_000)).stdout, r.name, this.model.routers.asn)));
    if (scope === 'routers') return routers.flat();
    const nodes = await Promise.all(allNodes(this.model).map(async (n) =>
      kube.parseCiliumBgpPeers((await this.exec(n.name, [this.agentCli, 'bgp', 'peers'], 20_000)).stdout, n.name)));
    return [...routers.flat(), ...nodes.flat()];
  }

  async bgpRoutes(router: string): Promise<BgpRoute[]> {
    return parseBirdRoutes((await this.onRouter(router, 'birdc show route all', 15_000)).stdout);
  }

  /**
   * The rendered bird.conf logs to stderr, and OpenWRT's bird2 init script starts BIRD under procd with
   * `procd_set_param stderr 1` (openwrt/routing bird2/files/bird.init), which hands it to logd: logread has it.
   */
  async bgpRefusals(router: string): Promise<string[]> {
    return birdRefusals((await this.onRouter(router, 'logread -e bird', 15_000)).stdout);
  }

  async routes(machine: string, family: 4 | 6 = 4): Promise<Route[]> {
    const m = this.machines().find((x) => x.name === machine);
    const f = `-${family}`;
    // iproute2 (JSON) on lan hosts, the internet, routers and in the Cilium agent; BusyBox `ip` (text) in pods.
    if (m?.kind === 'lanhost' || m?.kind === 'internet' || m?.kind === 'node') return parseRoutes((await this.exec(machine, ['ip', '-j', f, 'route', 'show'])).stdout);
    // Routers: iproute2 (ip-full, installed with BIRD: rootfs.ts), for the next hops of ECMP routes.
    if (m?.kind === 'router') return parseRoutes((await this.exec(machine, [ROUTER_IP, '-j', f, 'route', 'show'])).stdout);
    return parseRouteText((await this.exec(machine, ['ip', f, 'route', 'show'])).stdout);
  }

  async links(machine: string): Promise<Link[]> {
    const m = this.machines().find((x) => x.name === machine);
    if (m?.kind === 'lanhost' || m?.kind === 'internet' || m?.kind === 'node') return parseLinks((await this.exec(machine, ['ip', '-j', '-d', 'link', 'show'])).stdout);
    if (m?.kind === 'router') return parseLinks((await this.exec(machine, [ROUTER_IP, '-j', '-d', 'link', 'show'])).stdout);
    // Pods: BusyBox `ip` has no -d: `ip -o link` plus each device's sysfs DEVTYPE (busybox.ts).
    return parseLinkText((await this.exec(machine, linksArgv())).stdout);
  }

  private target(to: string): string {
    return this.machines().find((m) => m.name === to)?.address || to;
  }

  async ping(from: string, to: string, opts: { size?: number; dontFragment?: boolean } = {}): Promise<ProbeResult> {
    const args = ['ping', '-c', '1', '-W', '2'];
    const target = this.target(to);
    if (opts.size) args.push('-s', String(opts.size - (target.includes(':') ? 48 : 28))); // IP + ICMP headers
    // BusyBox ping has no -M; the kernel sets DF on ICMP it sends by default (pmtudisc "want"), and
    // IPv6 routers never fragment. It picks the family from the address.
    const r = await this.exec(from, [...args, target], 10_000);
    return { ok: r.code === 0, detail: (r.stdout + r.stderr).trim().split('\n').filter((l) => /bytes from|unreachable|loss|error/i.test(l)).join('; ') };
  }

  async tcpWhoAmI(from: string, to: string, port = WHOAMI_PORT): Promise<ProbeResult & { seenSource?: string; answeredBy?: string }> {
    const r = await this.exec(from, ['nc', '-w', '3', this.target(to), String(port)], 10_000);
    const seen = parseWhoAmI(r.stdout);
    if (r.code !== 0 || !seen) return { ok: false, detail: (r.stderr || r.stdout).trim().split('\n').at(-1) || 'no answer' };
    return { ok: true, detail: `server saw ${seen.seenSource}${seen.answeredBy ? ` (answered by ${seen.answeredBy})` : ''}`, ...seen };
  }

  async traceroute(from: string, to: string): Promise<TraceResult> {
    const target = this.target(to);
    const r = await this.exec(from, ['traceroute', ...(target.includes(':') ? ['-6'] : []), '-n', '-q', '1', '-w', '1', '-m', '10', target], 20_000);
    return parseTraceroute(r.stdout, target);
  }

  async transfer(from: string, to: string, bytes: number): Promise<ProbeResult> {
    // The receiver (`wc -c` behind tcpsvd or socat) answers the count after the sender's half-close.
    const r = await this.exec(from, ['sh', '-c', `head -c ${bytes} /dev/zero | nc -w 10 ${this.target(to)} ${DISCARD_PORT}`], 20_000);
    const received = Number(r.stdout.trim());
    return { ok: received === bytes, detail: r.code === 0 ? `${received} of ${bytes} bytes arrived` : r.stderr.trim().split('\n').at(-1) ?? 'failed' };
  }

  async resolve(from: string, name: string, server: string, family: 4 | 6 = 4): Promise<ProbeResult & { address?: string }> {
    const r = await this.exec(from, ['nslookup', `-type=${family === 6 ? 'aaaa' : 'a'}`, name, this.target(server)], 10_000);
    const address = parseNslookup(r.stdout, name, family);
    return address ? { ok: true, detail: `${name} -> ${address}`, address } : { ok: false, detail: (r.stdout + r.stderr).trim().split('\n').slice(-2).join('; ') || 'no answer' };
  }

  /** On the host side of the segment's bridge, in the vm namespace: the wire, as in the twin. */
  async capture(segment: string, during: () => Promise<void>): Promise<Capture> {
    const seg = this.plan.segments[segment];
    if (!seg) throw new Error(`no segment ${segment}; known: ${Object.keys(this.plan.segments).join(', ')}`);
    const file = this.path('captures', `${segment.replace(':', '-')}-${Date.now()}.pcap`);
    const logFile = this.path('logs', `tcpdump-${segment.replace(':', '-')}.log`);
    const pid = startDaemon(seg.ns, ['tcpdump', '-i', seg.dev, '-nn', '--immediate-mode', '-U', '-s', '200', '-w', file], logFile);
    try {
      await until(async () => (readFileSync(logFile, 'utf8').includes('listening on') ? true : undefined), 10_000, () => `tcpdump on ${segment} did not start`);
      await during();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    return { segment, packets: parsePcap(readFileSync(file)), file };
  }

  /**
   * Faults on the VM lab: tap devices on the host side, services inside the guests. Never run. A
   * router fault strikes dc1's VRRP master (whichever won the first election) or its one router.
   */
  async injectFault(kind: FaultKind): Promise<InjectedFault> {
    const dc = this.model.datacentres[0]!;
    const target = dc.routers.length > 1 ? await this.vrrpMaster(dc.index) : dc.routers[0]!;
    if (!target) throw new Error(`no router of ${dc.name} holds its VRRP address ${dc.gateway}`);
    const router = this.plan.machines.find((m) => m.name === target.name)!;
    const node = this.plan.machines.find((m) => m.kind === 'node')!;
    // A tap taken down on the host side leaves the guest's NIC up (QEMU changes a guest's link only
    // by the monitor's set_link): neither end sees carrier loss, BGP notices by its hold timer.
    const tapDown = async (tap: string, name: string, description: string): Promise<InjectedFault> => {
      await must(['ip', '-n', this.plan.vmNs, 'link', 'set', tap, 'down']);
      return { kind, target: name, description, silent: true, heal: async () => { await must(['ip', '-n', this.plan.vmNs, 'link', 'set', tap, 'up']); } };
    };
    if (kind === 'peering-down') return tapDown(router.nics[2]!.tap, target.name, `${target.name}'s peering port (tap ${router.nics[2]!.tap}) is down`);
    if (kind === 'lan-cut') return tapDown(node.nics[0]!.tap, node.name, `${node.name}'s LAN port (tap ${node.nics[0]!.tap}) is down`);
    if (kind === 'router-down') {
      // The router VM keeps running, cut from every segment: to its peers (and its VRRP backups, which
      // stop hearing its adverts) the same as a stopped router.
      const taps = router.nics.map((n) => n.tap);
      await must(['ip', '-n', this.plan.vmNs, '-batch', '-'], { input: taps.map((t) => `link set ${t} down`).join('\n') + '\n' });
      return { kind, target: target.name, description: `${target.name}'s ports (taps ${taps.join(', ')}) are down`, silent: true,
        heal: async () => { await must(['ip', '-n', this.plan.vmNs, '-batch', '-'], { input: taps.map((t) => `link set ${t} up`).join('\n') + '\n' }); } };
    }
    if (kind === 'link-flap') {
      const flap = await tapDown(node.nics[0]!.tap, node.name, `${node.name}'s LAN port (tap ${node.nics[0]!.tap}) down for ${VM_FLAP_MS / 1000} s, then up`);
      return { ...flap, flapMs: VM_FLAP_MS };
    }
    if (kind === 'router-restart') {
      await this.onRouter(target.name, routerRestartCommand(this.model.gracefulRestart?.enabled === true), 30_000);
      return { kind, target: target.name, description: `BIRD restarted on ${target.name}`, silent: false, heal: async () => undefined };
    }
    const agent = this.agentPods.get(node.name);
    if (!agent) throw new Error(`no Cilium agent pod on ${node.name}`);
    await this.ctlRun([this.opts.images.kubectl, '--kubeconfig', this.ctl.kube.kubeconfig, 'delete', 'pod', '--namespace', 'kube-system', agent, '--wait=false']);
    return { kind, target: node.name, description: `the Cilium agent on ${node.name} was restarted`, silent: false, heal: async () => undefined };
  }

  async down(): Promise<string[]> {
    return destroyVmRun(this.opts.runId);
  }

  /**
   * Writes <artifacts>/failure/: the reason and which named deadlines expired, every serial
   * console, BIRD's protocols and routes on each router, the pods and events of the cluster, the
   * Cilium agents' status and BGP peers. Each step has its own short deadline; nothing throws.
   */
  async collectFailureBundle(reason: string): Promise<string[]> {
    const stepMs = 20_000;
    const { kube: k } = this.ctl;
    const kubectl = (...args: string[]) => [k.kubectl, '--kubeconfig', k.kubeconfig, ...args];
    try {
      if (this.agentPods.size === 0) {
        const r = await run(inNs(this.plan.ctlNs, [...kube.getJson(k, 'pods', 'kube-system'), '--selector', 'k8s-app=cilium']), { timeoutMs: stepMs });
        if (r.code === 0) for (const [node, pod] of kube.agentPodsByNode(r.stdout)) this.agentPods.set(node, pod);
      }
    } catch {
      /* no cluster yet: the bundle goes without the agents */
    }
    const consoles = this.plan.machines.map((m) => ({ machine: m.name, path: this.path('consoles', `${m.name}.log`) }));
    const entries = bundlePlan({ routers: allRouters(this.model).map((r) => r.name), consoles, agents: [...this.agentPods].map(([node, pod]) => ({ node, pod })), agentCli: this.agentCli, kubectl });
    const read = async (s: BundleSource): Promise<string> => {
      if (s.kind === 'file') return readFileSync(s.path, 'utf8');
      const r = s.kind === 'router' ? await this.onRouter(s.machine, s.command, stepMs) : await run(inNs(this.plan.ctlNs, s.argv), { timeoutMs: stepMs });
      return resultText(r);
    };
    try {
      return await writeBundle(this.path('failure', 'x').replace(/\/x$/, ''), reasonText(reason, this.expired), entries, read, stepMs);
    } catch {
      return [];
    }
  }
}

/**
 * How a router fault restarts BIRD. OpenWRT's init script starts `/usr/sbin/bird -f -c /etc/bird.conf
 * -P /var/run/bird.pid` under procd, never with -R (openwrt/routing bird2/files/bird.init, branches
 * openwrt-24.10 and openwrt-25.12): under graceful restart the restarted BIRD is started by hand with
 * -R instead, as the twin does, so it keeps its kernel routes until BGP has converged. Pure.
 */
export function routerRestartCommand(gracefulRestart: boolean): string {
  return gracefulRestart ? '/etc/init.d/bird stop; /usr/sbin/bird -R -c /etc/bird.conf -P /var/run/bird.pid' : '/etc/init.d/bird restart';
}

export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** ssh to a router's dropbear with the run's key; host keys are per boot, so none is remembered. Pure. */
export function sshArgv(key: string, address: string, command: string): string[] {
  return ['ssh', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=5', '-o', 'BatchMode=yes', `root@${address}`, command];
}
