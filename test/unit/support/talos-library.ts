// Builds and runs test/talos-config/<line>: Go programs on Talos's own config library that do what
// `talosctl gen config --config-patch ... --config-patch-control-plane ...` does, then validate in metal mode.
// Built once per test run into a temp folder; Go's own caches (GOCACHE, GOMODCACHE) stay where they are,
// so only the first run on a machine downloads and compiles machinery.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { repoRoot } from './paths.ts';

const run = promisify(execFile);

/** One folder per Talos line, each its own Go module pinning one pkg/machinery version. */
export const TALOS_LIBRARY_LINES = [
  { dir: 'v1.5', machinery: 'v1.5.5', talos: '1.5.5' },
  { dir: 'v1.14', machinery: 'v1.14.1', talos: '1.14.1' },
] as const;
export type TalosLibraryLine = (typeof TALOS_LIBRARY_LINES)[number];

export const talosConfigDir = path.join(repoRoot, 'test', 'talos-config');

export interface MachineResult {
  machine: 'controlplane' | 'worker';
  valid: boolean;
  error?: string;
  warnings: string[];
  kubePrismPort: number;
  kubeProxy: boolean;
  cni: string;
  podCIDRs: string[];
  serviceCIDRs: string[];
  kinds?: string[];
  /** DHCP the config asks for per link (1.14: alias or name; 1.5: "hardwareAddr=<glob>" or name). */
  dhcp: { link: string; ipv4: boolean; ipv6: boolean; clientIdentifier?: string; duid?: string }[];
  /** Talos still runs DHCPv4 on physical links the config does not name (1.14 RunDefaultDHCPOperators). */
  defaultDHCP4: boolean;
  linkAliases?: { name: string; match: string }[];
}

export interface HelperResult {
  machinery: string;
  defaultKubernetesVersion: string;
  error?: string;
  machines: MachineResult[];
}

export interface HelperRun {
  code: number;
  result: HelperResult;
  stderr: string;
}

function findGo(): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/local/go/bin']) {
    const go = path.join(dir, 'go');
    if (dir && existsSync(go) && spawnSync(go, ['version'], { stdio: 'ignore' }).status === 0) return go;
  }
  return undefined;
}

export interface Helpers {
  go: string;
  bin: Map<string, string>;
  /** Seconds the build took (module download + compile on a cold cache, a cache check when warm). */
  buildSeconds: number;
  tmp: string;
}

let built: Promise<Helpers> | undefined;
let tmpToRemove: string | undefined;
process.on('exit', () => {
  if (tmpToRemove) rmSync(tmpToRemove, { recursive: true, force: true });
});

async function build(go: string): Promise<Helpers> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nrl-talos-config-'));
  tmpToRemove = tmp;
  // go.sum is the checksum of every module; -mod=readonly refuses to change it.
  const env = { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false', GOTOOLCHAIN: 'local' };
  const started = performance.now();
  const bin = new Map<string, string>();
  for (const line of TALOS_LIBRARY_LINES) {
    const out = path.join(tmp, `talos-config-check-${line.dir}`);
    try {
      await run(go, ['build', '-o', out, '.'], { cwd: path.join(talosConfigDir, line.dir), env, maxBuffer: 16 << 20 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`go build in test/talos-config/${line.dir} failed:\n${err.stderr ?? err.message}`, { cause: e });
    }
    bin.set(line.dir, out);
  }
  return { go, bin, buildSeconds: (performance.now() - started) / 1000, tmp };
}

/**
 * The built helpers, or undefined after marking the test skipped. Without Go this is a visible skip; in CI
 * (CI=true) it is a failure, so the Talos-library check cannot vanish silently.
 */
export async function helpersOrSkip(t: TestContext): Promise<Helpers | undefined> {
  const go = findGo();
  if (!go) {
    const message = 'go not found on PATH or in /usr/local/go/bin: the patches were NOT checked by Talos\'s own config library (install Go 1.26)';
    if (process.env['CI'] === 'true') assert.fail(`${message}; CI=true, so this is a failure, not a skip`);
    t.diagnostic(message);
    t.skip(message);
    return undefined;
  }
  built ??= build(go);
  return built;
}

/** Runs one line's helper on patch texts, as talosctl takes them: common for every machine, control plane only. */
export async function checkPatches(h: Helpers, line: TalosLibraryLine, patches: { common: string[]; controlPlane: string[] }): Promise<HelperRun> {
  const dir = mkdtempSync(path.join(h.tmp, 'patches-'));
  const args = ['--json'];
  for (const [flag, texts] of [['--config-patch', patches.common], ['--config-patch-control-plane', patches.controlPlane]] as const) {
    texts.forEach((text, i) => {
      const file = path.join(dir, `${flag.slice(2)}-${i}.yaml`);
      writeFileSync(file, text);
      args.push(flag, `@${file}`);
    });
  }
  let code = 0;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(h.bin.get(line.dir)!, args, { maxBuffer: 16 << 20 }));
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof err.code === 'number' ? err.code : -1;
    stdout = err.stdout ?? '';
    stderr = err.stderr ?? '';
  }
  rmSync(dir, { recursive: true, force: true });
  let result: HelperResult;
  try {
    result = JSON.parse(stdout) as HelperResult;
  } catch (e) {
    throw new Error(`talos-config-check ${line.dir} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`, { cause: e });
  }
  return { code, result, stderr };
}
