/**
 * native-routing-lab pipelines: render, the twin, the VM lab and the tests.
 *
 * Every function is a thin wrapper around the CLI a laptop runs (`node bin/lab.mjs render|e2e ...`,
 * `npm test`), inside a pinned Debian (bookworm) Node.js 20 container, so the pipeline and a
 * laptop do the same thing.
 */
import { argument, dag, Container, Directory, File, func, object, ReturnType } from '@dagger.io/dagger';

/** node:20-bookworm, pinned by digest (a Debian bookworm base with Node.js 20 and npm). */
const NODE_IMAGE = 'node:20-bookworm@sha256:8f693eaa7e0a8e71560c9a82b55fd54c2ae920a2ba5d2cde28bac7d1c01c9ba5';
const SRC = '/src';
const INPUTS = '/inputs';
const OUT = '/out';
const ARTIFACTS = '/artifacts';

/** `lab` exit codes (lab/cli/exit.ts). */
const EXIT_MEANING: Record<number, string> = {
  1: 'an assertion failed',
  2: 'bad input',
  3: 'a missing tool or privilege',
};

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

@object()
export class NativeRoutingLab {
  source: Directory;

  constructor(
    /** The project checkout (default: the repository holding this module). */
    @argument({ defaultPath: '/', ignore: ['node_modules', 'artifacts', 'out', '.lab', '.git', '.scratch', 'dagger/sdk', 'dagger/node_modules'] })
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
      .withExec(['node', 'bin/lab.mjs', 'render', ...this.topologyFlags(topology), ...flag('--cilium-version', ciliumVersion), '--out', OUT])
      .directory(OUT);
  }

  /**
   * Runs the twin end to end (`lab e2e`) in a privileged container with BIRD, GoBGP, dnsmasq and
   * nftables installed, and returns the artifacts folder. Fails when an assertion fails.
   */
  @func()
  async twin(
    /** Topology YAML (default: the reference setup). */
    topology?: File,
  ): Promise<Directory> {
    const ran = this.project(topology)
      .withExec(['node', 'bin/lab.mjs', 'doctor', '--install', '--quiet'])
      .withExec(['node', 'bin/lab.mjs', 'e2e', '--plain', ...this.topologyFlags(topology), '--artifacts', ARTIFACTS], {
        insecureRootCapabilities: true, // network namespaces, nftables, sysctls
        expect: ReturnType.Any,
      });
    return await this.artifactsOrFail(ran, 'lab e2e');
  }

  /**
   * Runs the VM lab end to end (`lab e2e --runtime vm`: Talos nodes, OpenWRT routers) and returns
   * the artifacts folder. Fails when an assertion fails. The Dagger engine must run on a host with
   * /dev/kvm.
   */
  @func()
  async e2e(
    /** Topology YAML (default: the reference setup). */
    topology?: File,
    /** Cilium version (default: the topology's, else the newest verified). */
    ciliumVersion?: string,
    /** Talos version (default: the topology's, else the newest verified). */
    talosVersion?: string,
    /** OpenWRT version (default: the topology's, else the newest verified). */
    openwrtVersion?: string,
  ): Promise<Directory> {
    const base = this.project(topology).withExec(['node', 'bin/lab.mjs', 'doctor', '--install', '--vm', '--quiet']);
    const kvm = base.withExec(['test', '-c', '/dev/kvm'], { insecureRootCapabilities: true, expect: ReturnType.Any });
    if ((await kvm.exitCode()) !== 0) {
      throw new Error(
        'the VM lab needs /dev/kvm, and the Dagger engine running this call has none: run the engine on a host with KVM ' +
        '(bare metal or nested virtualisation; on GitHub-hosted runners enable it with the udev rule in .github/workflows/nightly.yml), ' +
        'or use `dagger call twin` for the namespace twin, which needs no KVM',
      );
    }
    const ran = base.withExec([
      'node', 'bin/lab.mjs', 'e2e', '--runtime', 'vm', '--plain', ...this.topologyFlags(topology),
      ...flag('--cilium-version', ciliumVersion), ...flag('--talos-version', talosVersion), ...flag('--openwrt-version', openwrtVersion),
      '--artifacts', ARTIFACTS,
    ], { insecureRootCapabilities: true, expect: ReturnType.Any });
    return await this.artifactsOrFail(ran, 'lab e2e --runtime vm');
  }

  /**
   * Runs the project's tests (`npm test`: unit tests, then the twin for real) and returns their output.
   */
  @func()
  async test(): Promise<string> {
    return await this.project()
      .withEnvVariable('CI', 'true')
      .withExec(['npm', 'test'], { insecureRootCapabilities: true })
      .stdout();
  }

  /** The checkout in a Node.js container with its npm dependencies installed, and the topology file if given. */
  private project(topology?: File): Container {
    const ctr = dag.container().from(NODE_IMAGE)
      .withMountedCache('/root/.npm', dag.cacheVolume('native-routing-lab-npm'))
      .withWorkdir(SRC)
      // package files first, so the npm layer stays cached until the lockfile changes
      .withFile(`${SRC}/package.json`, this.source.file('package.json'))
      .withFile(`${SRC}/package-lock.json`, this.source.file('package-lock.json'))
      .withExec(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'])
      .withDirectory(SRC, this.source);
    return topology ? ctr.withFile(`${INPUTS}/topology.yaml`, topology) : ctr;
  }

  private topologyFlags(topology?: File): string[] {
    return topology ? ['--topology', `${INPUTS}/topology.yaml`] : [];
  }

  /** The artifacts folder of a finished `lab e2e`, or an error carrying its report when it did not pass. */
  private async artifactsOrFail(ran: Container, what: string): Promise<Directory> {
    const code = await ran.exitCode();
    if (code !== 0) {
      const [stdout, stderr] = await Promise.all([ran.stdout(), ran.stderr()]);
      throw new Error(`${what} exited ${code} (${EXIT_MEANING[code] ?? 'unexpected failure'})\n${tail(stdout, 80)}\n${tail(stderr, 30)}`);
    }
    return ran.directory(ARTIFACTS);
  }
}

function flag(name: string, value: string | undefined): string[] {
  return value ? [name, value] : [];
}
