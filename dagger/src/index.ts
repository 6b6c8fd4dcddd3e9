/**
 * native-routing-lab pipelines: render, the twin, the VM lab and the tests.
 *
 * Every function is a thin wrapper around the CLI a laptop runs (`node bin/lab.mjs render|e2e ...`,
 * `npm test`), inside a pinned Debian (bookworm) Node.js 20 container, so the pipeline and a
 * laptop do the same thing. The argv, exit-code meanings and exported folders live in plan.ts
 * (pure, unit-tested without an engine).
 *
 * Facts relied on (dagger/dagger, v0.21.8 tag and the backport-0.21 branch; the npm package
 * @dagger.io/dagger 0.21.9 has the same API):
 * - `@func({ cache: "never" })` adds a per-call input so the function runs on every call; it does
 *   not stop layer caching inside it (sdk/typescript/src/module/entrypoint/register.ts,
 *   core/modfunc.go cacheImplicitInputs, docs/current_docs/extending/sdks/typescript.mdx). So each
 *   run's exec also gets a fresh NRL_RUN_NONCE variable.
 * - `@check()` beside `@func()` marks a check (no required arguments): `dagger check`
 *   (sdk/typescript/src/module/decorators.ts, core/integration/testdata/checks/hello-with-checks-ts).
 * - ReturnType.Any accepts exit codes 0-127 and 192-255 only; 128-191 (signal kills) still raise
 *   an ExecError (core/container.go ReturnCodes), hence plan.ts recordExitCode.
 * - dagger/package.json has one dependency, typescript at exactly the runtime's
 *   DefaultTypeScriptVersion (5.9.3, sdk/typescript/runtime/tsdistconsts/consts.go): the runtime then
 *   mounts its bundled copy and installs nothing (runtime_node.go withInstalledDependencies); the
 *   lockfile makes it pick npm 11.8.0 instead of yarn (config.go detectPackageManager); it drops any
 *   @dagger.io/dagger entry and bundles the SDK itself (tsutils/package_json_updator.go).
 * - Every exec gets OTEL_EXPORTER_OTLP_{,TRACES_}ENDPOINT (http/protobuf, a 127.0.0.1 proxy in the
 *   exec's network namespace), OTEL_TRACES_EXPORTER=otlp and TRACEPARENT from the engine
 *   (engine/engineutil/executor_spec.go setupOTel): `lab`'s stage spans need nothing from here.
 */
import { argument, check, dag, Container, Directory, ExecError, File, func, object, ReturnType } from '@dagger.io/dagger';
import { randomUUID } from 'node:crypto';
import {
  ARTIFACTS, doctorArgv, e2eArgv, exitMeaning, exportCacheArgv, finalExitCode, IMAGE_CACHE, IMAGE_CACHE_VOLUME,
  IMAGE_SEED, IMAGES_OUT, INPUTS, joinSummaries, kvmDecision, kvmProbeArgv, NODE_IMAGE, OUT, OUTPUTS, parseStatus,
  recordExitCode, renderArgv, RUN_RECORD, runRecord, seedCacheArgv, SOURCE_IGNORE, SRC, STATUS_FILE, tail,
  GO_CACHES, GO_IMAGE, parseSpeakerPlan, SPEAKER_BIN, speakerBuildArgv, speakerPlanArgv,
  type SpeakerPlan, type TopologyArgs,
} from './plan.js';

/** One `lab e2e` run: its verdict, its job summary and its files, returned whatever the verdict. */
@object()
export class LabRun {
  /** Exit code of `lab e2e`: 0 all hold, 1 an assertion failed, 2 bad input, 3 missing tool/KVM/image, 128+N killed by signal N. */
  @func()
  exitCode: number;

  /** The exit code in words. */
  @func()
  meaning: string;

  /** Every assertion held. */
  @func()
  ok: boolean;

  /** The job summary (Markdown): every run's summary.md, as `lab` writes it. */
  @func()
  summary: string;

  /** The last lines of the run's output. */
  @func()
  log: string;

  /** The artifacts root: one `<run id>/` folder (report.json, junit.xml, summary.md, diagram, logs, captures, configs) and dagger-run.json. */
  @func()
  artifacts: Directory;

  /** The VM image cache after the run (empty for the twin), to keep between CI runs. */
  @func()
  images: Directory;

  constructor(exitCode: number, summary: string, log: string, artifacts: Directory, images: Directory) {
    this.exitCode = exitCode;
    this.meaning = exitMeaning(exitCode);
    this.ok = exitCode === 0;
    this.summary = summary;
    this.log = log;
    this.artifacts = artifacts;
    this.images = images;
  }

  /** `artifacts/` and `images/` in one folder, for one export. */
  @func()
  outputs(): Directory {
    return dag.directory().withDirectory(OUTPUTS.artifacts, this.artifacts).withDirectory(OUTPUTS.images, this.images);
  }

  /** Fails (after the artifacts were available to export) unless every assertion held. */
  @func()
  verdict(): string {
    if (!this.ok) throw new Error(`lab e2e exited ${this.exitCode} (${this.meaning})\n${this.log}`);
    return `lab e2e: ${this.meaning}`;
  }
}

@object()
export class NativeRoutingLab {
  source: Directory;

  constructor(
    /** The project checkout (default: the repository holding this module). */
    @argument({ defaultPath: '/', ignore: SOURCE_IGNORE })
    source: Directory,
  ) {
    this.source = source;
  }

  /**
   * Renders every router and cluster config of the topology (`lab render`).
   */
  @func()
  render(
    /** Topology YAML (default: the reference setup). */
    topology?: File,
    /** Cilium version to render for (default: the topology's, else the newest verified). */
    ciliumVersion?: string,
  ): Directory {
    return this.project(topology)
      .withExec(renderArgv({ ...this.topologyPath(topology), ciliumVersion }))
      .directory(OUT);
  }

  /**
   * Runs the twin end to end (`lab e2e`: BIRD, dnsmasq, nftables in network namespaces, Cilium's own
   * BGP control plane on every node, built at the topology's Cilium release in a pinned Go image
   * with its caches in volumes) in a privileged container. Returns the run whatever its verdict:
   * `artifacts`, `summary`, `exit-code`; `verdict` fails when an assertion failed. Never cached.
   */
  @func({ cache: 'never' })
  async twin(
    /** Topology YAML (default: the reference setup). */
    topology?: File,
    /** Cilium version (default: the topology's, else the newest verified); the speaker is built at this release. */
    ciliumVersion?: string,
    /** A fault to inject after the assertions and measure in lost packets: router-down, router-restart, speaker-restart, link-flap, peering-down, lan-cut (empty: none). */
    fault?: string,
  ): Promise<LabRun> {
    const t: TopologyArgs = { ...this.topologyPath(topology), ciliumVersion };
    let base = this.project(topology).withExec(doctorArgv(false));
    const plan = parseSpeakerPlan(await base.withExec(speakerPlanArgv(t)).stdout());
    // A line without a speaker (the proxy refuses its module) runs the emulation; the report says so.
    if (!('unserved' in plan)) base = base.withFile(SPEAKER_BIN, this.speaker(plan)).withEnvVariable('NRL_SPEAKER_BIN', SPEAKER_BIN);
    return await this.run(base, e2eArgv('twin', t, undefined, fault), false);
  }

  /** Cilium's own BGP speaker for a line and release, built in GO_IMAGE (Go's caches in volumes). */
  private speaker(plan: Exclude<SpeakerPlan, { unserved: string }>): File {
    let go = dag.container().from(GO_IMAGE);
    for (const [path, volume] of Object.entries(GO_CACHES)) go = go.withMountedCache(path, dag.cacheVolume(volume));
    return go
      .withDirectory(`${SRC}/speaker`, this.source.directory('speaker'))
      .withWorkdir(`${SRC}/${plan.dir}`)
      .withExec(speakerBuildArgv(plan))
      .file('/out/nrl-speaker');
  }

  /**
   * Runs the VM lab end to end (`lab e2e --runtime vm --download`: OpenWRT routers, Talos nodes,
   * Cilium). Images are downloaded (checksum-verified) into a cache volume, seeded from `images`
   * when given. A probe first boots a kernel under KVM; without working KVM the call fails unless
   * `allowTcg` is set. Returns the run whatever its verdict, like `twin`. Never cached.
   */
  @func({ cache: 'never' })
  async e2e(
    /** Topology YAML (default: the reference setup). */
    topology?: File,
    /** Cilium version (default: the topology's, else the newest verified). */
    ciliumVersion?: string,
    /** Talos version (default: the topology's, else the newest verified). */
    talosVersion?: string,
    /** OpenWRT version (default: the topology's, else the newest verified). */
    openwrtVersion?: string,
    /** A folder of previously downloaded images (e.g. `images` of an earlier run, restored by actions/cache). */
    images?: Directory,
    /** Run under TCG (software emulation, hours) when KVM does not work, instead of failing. */
    allowTcg = false,
  ): Promise<LabRun> {
    const t: TopologyArgs = { ...this.topologyPath(topology), ciliumVersion, talosVersion, openwrtVersion };
    let base = this.project(topology)
      .withExec(doctorArgv(true))
      .withMountedCache(IMAGE_CACHE, dag.cacheVolume(IMAGE_CACHE_VOLUME))
      .withEnvVariable('LAB_CACHE_DIR', IMAGE_CACHE); // lab/runtime/vm/images.ts cacheDir()
    if (images) base = base.withMountedDirectory(IMAGE_SEED, images);
    const probe = base
      .withEnvVariable('NRL_RUN_NONCE', randomUUID()) // the probe's verdict is about this host, now
      .withExec(seedCacheArgv())
      .withExec(kvmProbeArgv(t), { insecureRootCapabilities: true, expect: ReturnType.Any });
    let code: number;
    let said: string;
    try {
      const [c, out, err] = await Promise.all([probe.exitCode(), probe.stdout(), probe.stderr()]);
      [code, said] = [c, `${err}\n${out}`];
    } catch (e) {
      if (!(e instanceof ExecError)) throw e; // a probe killed by a signal (outside ReturnType.Any)
      [code, said] = [e.exitCode, `${e.stderr}\n${e.stdout}`];
    }
    const kvm = kvmDecision(code, said, allowTcg);
    if (!kvm.go) throw new Error(kvm.message);
    return await this.run(probe, e2eArgv('vm', t), true);
  }

  /** Check: the twin end to end on the reference topology; fails when an assertion fails. */
  @func({ cache: 'never' })
  @check()
  async twinAssertions(): Promise<void> {
    (await this.twin()).verdict();
  }

  /** Check: the VM lab end to end on the reference topology (needs KVM); fails when an assertion fails. */
  @func({ cache: 'never' })
  @check()
  async vmAssertions(): Promise<void> {
    (await this.e2e()).verdict();
  }

  /**
   * Runs the project's tests (`npm test`: unit tests, then the twin for real) and returns their output.
   */
  @func({ cache: 'never' })
  async test(): Promise<string> {
    return await this.project()
      .withEnvVariable('CI', 'true')
      .withEnvVariable('NRL_RUN_NONCE', randomUUID())
      .withExec(['npm', 'test'], { insecureRootCapabilities: true })
      .stdout();
  }

  /** The checkout in a Node.js container with its npm dependencies installed, and the topology file if given. */
  private project(topology?: File): Container {
    const ctr = dag.container().from(NODE_IMAGE)
      .withMountedCache('/root/.npm', dag.cacheVolume('native-routing-lab-npm'))
      .withWorkdir(SRC)
      // package files first, so the npm layer stays cached until a lockfile changes (the root's
      // postinstall installs dagger/'s, so those come along)
      .withFile(`${SRC}/package.json`, this.source.file('package.json'))
      .withFile(`${SRC}/package-lock.json`, this.source.file('package-lock.json'))
      .withFile(`${SRC}/dagger/package.json`, this.source.file('dagger/package.json'))
      .withFile(`${SRC}/dagger/package-lock.json`, this.source.file('dagger/package-lock.json'))
      .withExec(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'])
      .withDirectory(SRC, this.source);
    return topology ? ctr.withFile(`${INPUTS}/topology.yaml`, topology) : ctr;
  }

  private topologyPath(topology?: File): TopologyArgs {
    return topology ? { topology: `${INPUTS}/topology.yaml` } : {};
  }

  /**
   * Runs `lab e2e` (privileged, never from the layer cache) so that it always leaves its artifacts,
   * then reads the real exit code, the summaries and the run record.
   */
  private async run(base: Container, argv: string[], exportImages: boolean): Promise<LabRun> {
    const ran = base
      .withEnvVariable('NRL_RUN_NONCE', randomUUID())
      .withExec(['mkdir', '-p', ARTIFACTS])
      .withExec(recordExitCode(argv), { insecureRootCapabilities: true, expect: ReturnType.Any });
    let stdout: string;
    let stderr: string;
    let status: number | undefined;
    try {
      [stdout, stderr] = await Promise.all([ran.stdout(), ran.stderr()]);
      status = parseStatus(await ran.file(STATUS_FILE).contents().catch(() => undefined));
    } catch (e) {
      // Only the wrapper shell itself killed (e.g. the whole exec OOM-killed) lands here.
      if (!(e instanceof ExecError)) throw e;
      const record = runRecord(argv, e.exitCode, []);
      const artifacts = dag.directory().withNewFile(RUN_RECORD, JSON.stringify(record, null, 2) + '\n');
      return new LabRun(e.exitCode, joinSummaries([], record), tail(`${e.stdout}\n${e.stderr}`, 80), artifacts, dag.directory());
    }
    const exitCode = finalExitCode(status, await ran.exitCode());
    const root = ran.directory(ARTIFACTS);
    const record = runRecord(argv, exitCode, await root.entries());
    const paths = await root.glob('*/summary.md');
    const summaries = await Promise.all(paths.map(async (path) => ({ path, text: await root.file(path).contents() })));
    const artifacts = root.withNewFile(RUN_RECORD, JSON.stringify(record, null, 2) + '\n');
    const images = exportImages ? ran.withExec(exportCacheArgv(IMAGE_CACHE, IMAGES_OUT)).directory(IMAGES_OUT) : dag.directory();
    return new LabRun(exitCode, joinSummaries(summaries, record), tail(`${stdout}\n${stderr}`, 80), artifacts, images);
  }
}
