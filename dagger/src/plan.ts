/**
 * The pure half of the Dagger module: which argv each function runs, what an exit code means,
 * what a run exports. No Dagger import, so test/unit/dagger/ tests it without an engine, and the
 * module source (dagger/, the only folder the TypeScript runtime loads) stays self-contained.
 */

/** node:20-bookworm, pinned by digest (a Debian bookworm base with Node.js 20 and npm). */
export const NODE_IMAGE = 'node:20-bookworm@sha256:8f693eaa7e0a8e71560c9a82b55fd54c2ae920a2ba5d2cde28bac7d1c01c9ba5';

export const SRC = '/src';
export const INPUTS = '/inputs';
export const OUT = '/out';
/** `lab e2e --artifacts`: the lab writes one `<run id>/` folder in it. */
export const ARTIFACTS = '/artifacts';
/** The real exit code of the lab, written by the wrapper (outside the artifacts). */
export const STATUS_FILE = '/run-status/exit-code';
/**
 * The VM lab's image cache: lab/runtime/vm/images.ts cacheDir() reads LAB_CACHE_DIR first, else
 * $XDG_CACHE_HOME/native-routing-lab. A cache volume is mounted here.
 */
export const IMAGE_CACHE = '/var/cache/native-routing-lab';
export const IMAGE_CACHE_VOLUME = 'native-routing-lab-vm-images';
/** A plain folder the cache volume is copied into, so it can be exported. */
export const IMAGES_OUT = '/images-out';
/** Where `images` (a host folder, e.g. restored by actions/cache) is mounted to seed the cache. */
export const IMAGE_SEED = '/seed-images';
/** Written beside the lab's run folders: how the run ended, for machines (ci/lab-verdict.ts). */
export const RUN_RECORD = 'dagger-run.json';

/** Checkout entries never sent to the engine (build output, caches, generated SDK). */
export const SOURCE_IGNORE = ['node_modules', 'artifacts', 'out', '.lab', '.git', '.scratch', 'dagger/sdk', 'dagger/node_modules'];

/** `lab` exit codes (lab/cli/exit.ts EXIT; test/unit/dagger/plan.test.ts keeps them equal). */
export const LAB_EXIT = { ok: 0, assertionFailed: 1, badInput: 2, missingTool: 3 } as const;

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

/** What an exit code of `lab` (or of the shell around it) means, in words. */
export function exitMeaning(code: number): string {
  switch (code) {
    case LAB_EXIT.ok: return 'every assertion holds';
    case LAB_EXIT.assertionFailed: return 'an assertion failed';
    case LAB_EXIT.badInput: return 'bad input (topology, flags or manifests)';
    case LAB_EXIT.missingTool: return 'a missing tool, privilege, KVM or image';
  }
  // Shells report a child killed by signal N as 128+N. Dagger's ReturnType.Any stops at 127
  // (core/container.go ReturnCodes, v0.21.8: 128-191 are "likely from exiting via a signal").
  if (code > 128 && code < 192) {
    const n = code - 128;
    const name = SIGNALS[n] ?? `signal ${n}`;
    const why = n === 9 ? ': out of memory, or a timeout killed it' : n === 15 ? ': it was asked to stop (a timeout or a cancelled job)' : '';
    return `killed by ${name} (exit ${code})${why}`;
  }
  return `unexpected exit ${code}`;
}

/** `lab` failed the way a signal kills a process (the report may be missing or partial). */
export function killedBySignal(code: number): boolean {
  return code > 128 && code < 192;
}

export interface TopologyArgs {
  /** The topology file's path inside the container, when one was given. */
  topology?: string | undefined;
  ciliumVersion?: string | undefined;
  talosVersion?: string | undefined;
  openwrtVersion?: string | undefined;
}

function flag(name: string, value: string | undefined): string[] {
  return value ? [name, value] : [];
}

function topologyFlags(t: TopologyArgs): string[] {
  return [
    ...flag('--topology', t.topology), ...flag('--cilium-version', t.ciliumVersion),
    ...flag('--talos-version', t.talosVersion), ...flag('--openwrt-version', t.openwrtVersion),
  ];
}

export function renderArgv(t: TopologyArgs, out = OUT): string[] {
  return ['node', 'bin/lab.mjs', 'render', ...topologyFlags(t), '--out', out];
}

/** `lab doctor --install`, never building Cilium's speaker: the module builds it in GO_IMAGE (twin) or needs none (VM). */
export function doctorArgv(vm: boolean): string[] {
  return ['node', 'bin/lab.mjs', 'doctor', '--install', '--no-speaker', ...(vm ? ['--vm'] : []), '--quiet'];
}

/**
 * The Go toolchain the speaker is built with: the image Cilium 1.20.2 builds its own images with
 * (GOLANG_IMAGE in cilium/cilium images/builder/Dockerfile at v1.20.2), pinned by digest.
 */
export const GO_IMAGE = 'docker.io/library/golang:1.26.8@sha256:3c3e25a4da13fd0478eed2df1eb35a0e667094a7124d3993a6a1d30f71c17e79';
/** Go's module and build caches, kept between calls (the image keeps GOPATH at /go). */
export const GO_CACHES = { '/go/pkg/mod': 'native-routing-lab-go-mod', '/root/.cache/go-build': 'native-routing-lab-go-build' } as const;
/** Where the built speaker goes in the lab's container; the lab uses it through NRL_SPEAKER_BIN. */
export const SPEAKER_BIN = '/opt/nrl-speaker/nrl-speaker';

/** `lab speaker plan`: which speaker source and release the topology needs (JSON). */
export function speakerPlanArgv(t: TopologyArgs): string[] {
  return ['node', 'bin/lab.mjs', 'speaker', 'plan', ...topologyFlags(t)];
}

export type SpeakerPlan = { line: string; release: string; pinned: string; dir: string } | { unserved: string };

export function parseSpeakerPlan(json: string): SpeakerPlan {
  const p = JSON.parse(json) as Partial<{ line: string; release: string; pinned: string; dir: string; unserved: string }>;
  if (typeof p.unserved === 'string') return { unserved: p.unserved };
  if (!p.line || !p.release || !p.pinned || !p.dir || !/^speaker\/lines\/v\d+\.\d+$/.test(p.dir)) throw new Error(`lab speaker plan gave no usable plan: ${json.slice(0, 300)}`);
  return { line: p.line, release: p.release, pinned: p.pinned, dir: p.dir };
}

/**
 * Builds the speaker in its line's folder, static (CGO_ENABLED=0: it runs in the bookworm Node
 * image). A release other than the pinned one (the nightly's new release) is asked for first, as
 * `lab speaker build` does it (lab/runtime/twin/speaker/build.ts); -e gets past test-only modules
 * the proxy refuses.
 */
export function speakerBuildArgv(plan: { release: string; pinned: string }, out = '/out/nrl-speaker'): string[] {
  const steps = [
    ...(plan.release === plan.pinned ? [] : [`go get github.com/cilium/cilium@v${plan.release}`, 'go mod tidy -e']),
    `env CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags='-s -w' -o ${out} .`,
  ];
  return ['sh', '-ec', [SPEAKER_STEP, ...steps.map((s) => `step ${s}`)].join('\n')];
}

/**
 * `step CMD...` runs a go command; when it fails because the module proxy refused a module (403/404
 * on its .zip or .mod), it says which module and version, the fix being a stand-in in the line's
 * go.mod (as lab/runtime/twin/speaker/build.ts says it).
 */
export const SPEAKER_STEP = [
  'step() {',
  '  if "$@" >/tmp/nrl-go.log 2>&1; then cat /tmp/nrl-go.log; return 0; fi',
  '  cat /tmp/nrl-go.log >&2',
  "  refused=$(sed -n 's/.* \\([^ ]*@v[^ :]*\\): reading [^ ]*: 40[34] .*/\\1/p' /tmp/nrl-go.log | head -n 1)",
  '  if [ -n "$refused" ]; then echo "the Go module proxy refused $refused, which Cilium\'s speaker needs at this release: give it a stand-in in its line\'s go.mod" >&2; fi',
  '  exit 1',
  '}',
].join('\n');

/**
 * `lab e2e` for the twin or the VM lab. The VM run always passes `--download`: a fresh cache
 * volume is empty, and without it the lab stops at preflight with exit 3 (issue 12, item 1).
 */
export function e2eArgv(runtime: 'twin' | 'vm', t: TopologyArgs, artifacts = ARTIFACTS, fault?: string): string[] {
  return [
    'node', 'bin/lab.mjs', 'e2e', ...(runtime === 'vm' ? ['--runtime', 'vm', '--download'] : []),
    '--plain', ...topologyFlags(t), ...flag('--fault', fault), '--artifacts', artifacts,
  ];
}

/**
 * Runs argv and records its exit code in `statusFile`, then exits 0 itself: the artifacts stay
 * readable whatever the lab did, including a kill by signal (which Dagger's ReturnType.Any does not
 * cover). Only a kill of this shell itself still fails the exec.
 */
export function recordExitCode(argv: string[], statusFile = STATUS_FILE): string[] {
  return ['sh', '-c', 'mkdir -p "$(dirname "$0")"; "$@"; echo $? > "$0"', statusFile, ...argv];
}

/** Copies the seed folder (if any) into the cache, keeping what the cache already has. */
export function seedCacheArgv(seed = IMAGE_SEED, cache = IMAGE_CACHE): string[] {
  return ['sh', '-c', 'mkdir -p "$1" && if [ -d "$0" ]; then cp -a -n "$0/." "$1/"; fi', seed, cache];
}

/** Copies the cache volume into a plain folder of the container, so it can be exported. */
export function exportCacheArgv(cache = IMAGE_CACHE, to = IMAGES_OUT): string[] {
  return ['sh', '-c', 'mkdir -p "$1" && cp -a "$0/." "$1/" && find "$1" -name "*.part-*" -delete', cache, to];
}

/** ci/kvm-probe.ts: boots a kernel under KVM (lab/runtime/vm/accel.ts probeKvm). */
export function kvmProbeArgv(t: TopologyArgs): string[] {
  return ['node', '--import', 'tsx', 'ci/kvm-probe.ts', ...topologyFlags(t), '--download'];
}

/** ci/kvm-probe.ts exit codes. */
export const KVM_PROBE_EXIT = { usable: 0, badInput: 2, unusable: 3 } as const;

export interface KvmDecision {
  /** Run the VM lab. */
  go: boolean;
  accel: 'kvm' | 'tcg';
  /** Why (one paragraph), for the error or the log. */
  message: string;
}

/**
 * After the probe: KVM that boots a kernel → go with KVM; otherwise stop with a clear message,
 * unless the caller asked for TCG (a full lab under TCG takes hours, past any CI job's timeout).
 */
export function kvmDecision(code: number, probeOutput: string, allowTcg: boolean): KvmDecision {
  const said = probeOutput.trim().split('\n').filter(Boolean).at(-1) ?? '(the probe printed nothing)';
  if (code === KVM_PROBE_EXIT.usable) return { go: true, accel: 'kvm', message: `KVM works: ${said}` };
  if (code === KVM_PROBE_EXIT.badInput) return { go: false, accel: 'tcg', message: `the KVM probe refused its input: ${said}` };
  const why = code === KVM_PROBE_EXIT.unusable ? said : `the KVM probe was ${killedBySignal(code) ? exitMeaning(code) : `cut short (exit ${code})`}: ${said}`;
  if (allowTcg) return { go: true, accel: 'tcg', message: `KVM is not usable (${why}); running under TCG as asked (--allow-tcg): expect hours, not minutes` };
  return {
    go: false, accel: 'tcg',
    message: `the VM lab needs working KVM, and the Dagger engine running this call has none: ${why}. ` +
      'Run the engine on a host where KVM boots guests (bare metal or nested virtualisation; on GitHub-hosted ' +
      'runners the udev rule in .github/workflows/nightly.yml opens /dev/kvm), pass --allow-tcg to accept ' +
      'software emulation (hours), or use `dagger call twin`, which needs no KVM.',
  };
}

/** What a finished run records beside the artifacts, and the module returns. */
export interface RunRecord {
  command: string[];
  exitCode: number;
  meaning: string;
  ok: boolean;
  /** The run folders under the artifacts root (one per `lab e2e`). */
  runs: string[];
}

export function runRecord(command: string[], exitCode: number, entries: string[]): RunRecord {
  return { command, exitCode, meaning: exitMeaning(exitCode), ok: exitCode === 0, runs: runFolders(entries) };
}

/** The entries of the artifacts root that are run folders (`<run id>/`), not the module's own files. */
export function runFolders(entries: string[]): string[] {
  return entries.map((e) => e.replace(/\/$/, '')).filter((e) => e !== RUN_RECORD && !e.startsWith('.')).sort();
}

/** The exit code the wrapper wrote; a missing or garbled file means the wrapper itself was cut short. */
export function parseStatus(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^\d{1,3}$/.test(t) ? Number(t) : undefined;
}

/**
 * The run's exit code: the one the wrapper recorded; without a record (the wrapper was cut short
 * before writing it) the exec's own code, and never 0 then.
 */
export function finalExitCode(recorded: number | undefined, execCode: number): number {
  if (recorded !== undefined) return recorded;
  return execCode === 0 ? 255 : execCode;
}

/** One Markdown document from every run's summary.md (lab/report/summary.ts), for the job summary. */
export function joinSummaries(summaries: { path: string; text: string }[], record: RunRecord): string {
  const head = record.ok ? '' : `> **lab exited ${record.exitCode}: ${record.meaning}**\n\n`;
  if (summaries.length === 0) return `${head}No summary.md was written (the run stopped before its report: ${record.meaning}).\n`;
  return head + [...summaries].sort((a, b) => a.path.localeCompare(b.path)).map((s) => s.text.trimEnd()).join('\n\n') + '\n';
}

/** The last lines of a command's output, for an error message. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * What `outputs` holds (the folder a workflow exports): `artifacts/` (the lab's run folders, each
 * with report.json, junit.xml, summary.md, diagram, logs, captures, configs, plus dagger-run.json)
 * and `images/` (the VM image cache after the run, for actions/cache; empty for the twin).
 */
export const OUTPUTS = { artifacts: 'artifacts', images: 'images' } as const;
