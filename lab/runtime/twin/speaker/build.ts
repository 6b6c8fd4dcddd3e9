// Builds Cilium's own BGP control plane (speaker/) for a Cilium line with the Go toolchain, cached
// per release and source outside the repository, so a line builds once per machine.
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { aptInstall, isDebianLike } from '../../install.ts';
import { isRoot, which } from '../../tools.ts';
import { sourceKey, speakerSourceRoot, type SpeakerLine } from './source.ts';

/** The toolchain fetched when the machine's Go predates toolchain switching (1.21): Debian 12 ships 1.19. */
export const BOOTSTRAP_GO = '1.26.8';
/** Toolchain switching (GOTOOLCHAIN) arrived in Go 1.21. */
const MIN_SWITCHING_GO = [1, 21];
const BUILD_DEADLINE_MS = 30 * 60_000;

export interface BuiltSpeaker {
  binary: string;
  release: string;
  line: string;
  /** Seconds the build took; 0 when the cached binary was used. */
  seconds: number;
}

/** No speaker can be had: no Go, or the build failed. `why` says which and what to do. */
export class SpeakerUnavailable extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'SpeakerUnavailable';
  }
}

export function cacheDir(): string {
  const base = process.env['NRL_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'native-routing-lab');
  return join(base, 'speaker');
}

function binaryPath(l: SpeakerLine): string {
  return join(cacheDir(), `${l.release}-${sourceKey(l)}`, 'nrl-speaker');
}

/** The built binary for this line and release, if this machine has it. */
export function cachedSpeaker(l: SpeakerLine): string | undefined {
  const b = binaryPath(l);
  return existsSync(b) ? b : undefined;
}

interface Go {
  go: string;
  env: Record<string, string>;
}

async function goVersion(go: string): Promise<number[] | undefined> {
  const r = await execa(go, ['env', 'GOVERSION'], { reject: false, timeout: 30_000, env: { GOTOOLCHAIN: 'local' } });
  const m = /^go(\d+)\.(\d+)/.exec(String(r.stdout).trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (v: number[], min: number[]) => v[0]! > min[0]! || (v[0] === min[0] && v[1]! >= min[1]!);

/**
 * A Go that can build the line. Go 1.21 and later fetch the toolchain a go.mod names
 * (GOTOOLCHAIN=auto: golang.org/toolchain from the module proxy, verified against the checksum
 * database by the go command). An older Go (Debian 12's 1.19) downloads that toolchain module
 * itself (`go mod download`, checksum-verified the same way). With `install`, Debian's Go is
 * installed first where there is none.
 */
export async function findGo(opts: { install?: boolean; log?: (l: string) => void } = {}): Promise<Go> {
  // NRL_GO names the go command to use, or "none" for none at all.
  const chosen = process.env['NRL_GO'];
  const candidates = () => (chosen ? (chosen === 'none' ? [] : [chosen]) : [which('go'), '/usr/local/go/bin/go', '/usr/lib/go/bin/go'])
    .filter((p): p is string => p !== undefined && existsSync(p));
  if (candidates().length === 0 && !chosen && opts.install && isRoot() && isDebianLike()) {
    opts.log?.('no Go toolchain: installing Debian\'s golang-go');
    const r = await aptInstall(['golang-go'], (l) => opts.log?.(`  ${l}`));
    if (!r.ok) throw new SpeakerUnavailable(`installing Debian's golang-go failed: ${r.detail}`);
  }
  // CGO_ENABLED=0: a static binary, which runs on any glibc (the Dagger module builds it in Go's own
  // image and runs it in a Debian bookworm one).
  const env = { GOTOOLCHAIN: process.env['GOTOOLCHAIN'] ?? 'auto', GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
  let old: string | undefined;
  for (const go of candidates()) {
    const v = await goVersion(go);
    if (v && atLeast(v, MIN_SWITCHING_GO)) return { go, env: { ...env, GOTOOLCHAIN: env.GOTOOLCHAIN === 'local' ? 'auto' : env.GOTOOLCHAIN } };
    if (v) old = go;
  }
  if (!old) throw new SpeakerUnavailable('no Go toolchain on this machine (Cilium\'s speaker is built from its Go module); `sudo node bin/lab.mjs doctor --install` installs one');
  const mod = `golang.org/toolchain@v0.0.1-go${BOOTSTRAP_GO}.linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;
  opts.log?.(`${old} predates toolchain switching: downloading ${mod} (checksum-verified by the go command)`);
  const r = await execa(old, ['mod', 'download', '-json', mod], { reject: false, timeout: 15 * 60_000, cwd: '/', env: { GOFLAGS: '-mod=mod', GO111MODULE: 'on' } });
  const dir = (JSON.parse(String(r.stdout || '{}')) as { Dir?: string; Error?: string }).Dir;
  if (r.exitCode !== 0 || !dir || !existsSync(join(dir, 'bin', 'go'))) throw new SpeakerUnavailable(`could not fetch the Go toolchain ${mod}: ${String(r.stderr || r.stdout).trim().slice(0, 400)}`);
  return { go: join(dir, 'bin', 'go'), env: { GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' } };
}

/** The module and version the proxy refused, from the go command's words, when that is why it failed. */
export function refusedModule(output: string): { module: string; version: string } | undefined {
  const m = /([\w./~-]+)@(v[\w.+-]+): reading \S+: (?:403|404|410)/.exec(output);
  return m ? { module: m[1]!, version: m[2]! } : undefined;
}

async function goRun(g: Go, args: string[], cwd: string, logFile: string): Promise<void> {
  const r = await execa(g.go, args, { cwd, reject: false, timeout: BUILD_DEADLINE_MS, env: g.env, all: true });
  writeFileSync(logFile, `$ go ${args.join(' ')}\n${String(r.all ?? '')}\n`, { flag: 'a' });
  if (r.exitCode === 0) return;
  const out = String(r.all ?? '');
  const refused = refusedModule(out);
  throw new SpeakerUnavailable(refused
    ? `the Go module proxy refused ${refused.module} ${refused.version}, which this release's speaker needs: give it a stand-in in its line's go.mod (see ${logFile})`
    : `go ${args[0]} failed${r.timedOut ? ` (no end after ${BUILD_DEADLINE_MS / 60_000} minutes)` : ''}: ${out.trim().split('\n').slice(-6).join(' | ')} (whole log: ${logFile})`);
}

/**
 * The speaker binary for a line, built if this machine has none of it yet (minutes, once). A
 * release other than the line's pinned one is built from a copy whose go.mod asks for it.
 */
export async function buildSpeaker(l: SpeakerLine, opts: { install?: boolean; log?: (l: string) => void } = {}): Promise<BuiltSpeaker> {
  const given = process.env['NRL_SPEAKER_BIN'];
  if (given) {
    // Built elsewhere (the Dagger module builds it in a Go toolchain container): used when it is the
    // release this lab needs, which its own build info says.
    const v = await speakerVersion(given).catch((e: Error) => ({ cilium: `unreadable (${e.message})`, go: '' }));
    if (v.cilium === l.release) return { binary: given, release: l.release, line: l.line, seconds: 0 };
    opts.log?.(`NRL_SPEAKER_BIN ${given} is Cilium ${v.cilium}'s speaker, this lab needs ${l.release}'s: not used`);
  }
  const cached = cachedSpeaker(l);
  if (cached) return { binary: cached, release: l.release, line: l.line, seconds: 0 };
  const started = Date.now();
  const g = await findGo(opts);
  const out = binaryPath(l);
  mkdirSync(join(out, '..'), { recursive: true });
  const logFile = join(out, '..', 'build.log');
  rmSync(logFile, { force: true });
  opts.log?.(`building Cilium's BGP speaker ${l.release} (once per machine, cached in ${join(out, '..')}; a cold build takes about 3 minutes on 2 cores)`);
  let dir = l.dir;
  if (l.release !== l.pinned) {
    // A copy beside copies of core and shared, so the line's `replace ../../core` still resolves.
    const root = join(cacheDir(), `src-${l.release}`);
    rmSync(root, { recursive: true, force: true });
    for (const part of ['core', 'shared']) cpSync(join(speakerSourceRoot(), part), join(root, part), { recursive: true });
    dir = join(root, 'lines', `v${l.line}`);
    cpSync(l.dir, dir, { recursive: true });
    await goRun(g, ['get', `github.com/cilium/cilium@v${l.release}`], dir, logFile);
    // -e: past test-only modules the proxy refuses (sigs.k8s.io/mcs-api/controllers).
    await goRun(g, ['mod', 'tidy', '-e'], dir, logFile);
  }
  const tmp = `${out}.${process.pid}.tmp`;
  await goRun(g, ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], dir, logFile);
  renameSync(tmp, out); // atomic: a build racing this one leaves one whole binary
  const seconds = (Date.now() - started) / 1000;
  opts.log?.(`built Cilium's BGP speaker ${l.release} in ${seconds.toFixed(0)} s`);
  return { binary: out, release: l.release, line: l.line, seconds };
}

/** The release a built binary reports (`speaker version`): the one its go.mod was built against. */
export async function speakerVersion(binary: string): Promise<{ cilium: string; go: string }> {
  const r = await execa(binary, ['version'], { reject: false, timeout: 10_000 });
  return JSON.parse(String(r.stdout)) as { cilium: string; go: string };
}

export function readBuildLog(l: SpeakerLine): string {
  try {
    return readFileSync(join(binaryPath(l), '..', 'build.log'), 'utf8');
  } catch {
    return '';
  }
}
