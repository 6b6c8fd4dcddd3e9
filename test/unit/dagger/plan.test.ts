// The Dagger module's pure parts, without an engine: the argv it runs (every flag exists in the
// real CLI), what an exit code means, the wrapper that keeps the artifacts when `lab` is killed by
// a signal (run for real through sh), the KVM decision, the cache seed/export copies and the
// run record and summary it exports.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT } from '../../../lab/cli/exit.ts';
import {
  doctorArgv, e2eArgv, exitMeaning, exportCacheArgv, finalExitCode, joinSummaries, killedBySignal, kvmDecision,
  kvmProbeArgv, LAB_EXIT, parseStatus, recordExitCode, renderArgv, RUN_RECORD, runFolders, runRecord, seedCacheArgv,
  GO_CACHES, GO_IMAGE, parseSpeakerPlan, SPEAKER_STEP, speakerBuildArgv, speakerPlanArgv,
} from '../../../dagger/src/plan.ts';
import { runLab } from '../support/cli.ts';
import { repoRoot } from '../support/paths.ts';

const root = mkdtempSync(path.join(tmpdir(), 'dagger-plan-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The `--flags` of an argv that runs `node bin/lab.mjs CMD`. */
function labFlags(argv: string[]): { cmd: string; flags: string[] } {
  const i = argv.indexOf('bin/lab.mjs');
  assert.ok(i >= 0, `runs bin/lab.mjs: ${argv.join(' ')}`);
  return { cmd: argv[i + 1]!, flags: argv.filter((a) => a.startsWith('--')) };
}

async function assertFlagsExist(argv: string[]): Promise<void> {
  const { cmd, flags } = labFlags(argv);
  const help = (await runLab([cmd, '--help'])).stdout;
  for (const f of flags) assert.ok(new RegExp(`(^|[\\s,])${f}\\b`).test(help), `lab ${cmd} has ${f}`);
}

const ALL = { topology: '/inputs/topology.yaml', ciliumVersion: '1.20.2', talosVersion: 'v1.14.2', openwrtVersion: '25.12.5' };

describe('argv', () => {
  test('the VM run always downloads; the twin run does not ask for the VM runtime', () => {
    const vm = e2eArgv('vm', {});
    assert.deepEqual(vm.slice(0, 7), ['node', 'bin/lab.mjs', 'e2e', '--runtime', 'vm', '--download', '--plain']);
    const twin = e2eArgv('twin', {});
    assert.ok(!twin.includes('--runtime') && !twin.includes('--download'), twin.join(' '));
    assert.deepEqual(twin.slice(-2), ['--artifacts', '/artifacts']);
  });

  test('versions and the topology become flags with their values; absent ones no flag at all', () => {
    const argv = e2eArgv('vm', ALL);
    for (const [f, v] of [['--topology', ALL.topology], ['--cilium-version', '1.20.2'], ['--talos-version', 'v1.14.2'], ['--openwrt-version', '25.12.5']]) {
      assert.equal(argv[argv.indexOf(f!) + 1], v, f);
    }
    assert.ok(!e2eArgv('vm', { ciliumVersion: '' }).includes('--cilium-version'), 'an empty value is no flag');
    const faulted = e2eArgv('twin', ALL, undefined, 'speaker-restart');
    assert.equal(faulted[faulted.indexOf('--fault') + 1], 'speaker-restart');
    assert.ok(!e2eArgv('twin', ALL).includes('--fault'), 'no fault asked, no flag');
    assert.deepEqual(renderArgv({}), ['node', 'bin/lab.mjs', 'render', '--out', '/out']);
  });

  test('every flag the module passes exists in the real CLI (and a made-up one does not)', async () => {
    for (const argv of [e2eArgv('vm', ALL), e2eArgv('twin', ALL), e2eArgv('twin', ALL, undefined, 'router-down'), renderArgv(ALL), doctorArgv(true), doctorArgv(false)]) await assertFlagsExist(argv);
    await assert.rejects(assertFlagsExist(['node', 'bin/lab.mjs', 'e2e', '--allow-tcg']), /lab e2e has --allow-tcg/);
  });

  test('the KVM probe runs a file of this repository with the same version flags', () => {
    const argv = kvmProbeArgv(ALL);
    assert.ok(existsSync(path.join(repoRoot, argv[3]!)), argv[3]);
    assert.deepEqual(argv.slice(4), ['--topology', ALL.topology, '--cilium-version', '1.20.2', '--talos-version', 'v1.14.2', '--openwrt-version', '25.12.5', '--download']);
  });
});

describe('exit codes', () => {
  test('the lab codes are lab/cli/exit.ts EXIT, each with its own meaning', () => {
    assert.deepEqual(LAB_EXIT, EXIT);
    const meanings = Object.values(LAB_EXIT).map(exitMeaning);
    assert.equal(new Set(meanings).size, 4);
    assert.match(exitMeaning(1), /assertion failed/);
    assert.match(exitMeaning(3), /missing tool/);
  });

  test('128+N is a kill by signal N (outside ReturnType.Any); other codes are unexpected', () => {
    assert.match(exitMeaning(137), /killed by SIGKILL \(exit 137\): out of memory, or a timeout/);
    assert.match(exitMeaning(143), /killed by SIGTERM \(exit 143\)/);
    assert.match(exitMeaning(130), /killed by SIGINT/);
    assert.ok(killedBySignal(137) && killedBySignal(143) && !killedBySignal(127) && !killedBySignal(192) && !killedBySignal(1));
    assert.equal(exitMeaning(127), 'unexpected exit 127');
    assert.equal(exitMeaning(200), 'unexpected exit 200');
  });

  test('the recorded code wins; without one the exec code, never a false 0', () => {
    assert.equal(finalExitCode(1, 0), 1);
    assert.equal(finalExitCode(0, 0), 0);
    assert.equal(finalExitCode(undefined, 0), 255);
    assert.equal(finalExitCode(undefined, 137), 137);
    assert.equal(parseStatus('137\n'), 137);
    assert.equal(parseStatus(''), undefined);
    assert.equal(parseStatus('oops'), undefined);
    assert.equal(parseStatus(undefined), undefined);
  });
});

describe('the exit-code wrapper, for real through sh', () => {
  function wrapped(argv: string[], name: string): { shell: number | null; recorded: number | undefined } {
    const status = path.join(root, name, 'exit-code');
    const [cmd, ...args] = recordExitCode(argv, status);
    const r = spawnSync(cmd!, args, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    return { shell: r.status, recorded: existsSync(status) ? parseStatus(readFileSync(status, 'utf8')) : undefined };
  }

  test('a kill by SIGKILL or SIGTERM is recorded as 137 or 143 and the wrapper itself exits 0', () => {
    assert.deepEqual(wrapped(['sh', '-c', 'kill -KILL $$'], 'kill'), { shell: 0, recorded: 137 });
    assert.deepEqual(wrapped(['sh', '-c', 'kill -TERM $$'], 'term'), { shell: 0, recorded: 143 });
  });

  test('plain exit codes pass through, 0 included', () => {
    assert.deepEqual(wrapped(['sh', '-c', 'exit 3'], 'three'), { shell: 0, recorded: 3 });
    assert.deepEqual(wrapped(['true'], 'zero'), { shell: 0, recorded: 0 });
  });

  test('the real lab refusing a missing topology records exit 2 and creates no artifacts', () => {
    const artifacts = path.join(root, 'lab-artifacts');
    const argv = e2eArgv('twin', { topology: path.join(root, 'no-such-topology.yaml') }, artifacts);
    assert.deepEqual(wrapped(argv, 'lab'), { shell: 0, recorded: 2 });
    assert.ok(!existsSync(artifacts), 'nothing created');
  });
});

describe('KVM decision', () => {
  test('working KVM goes ahead; none stops with the fix named, unless TCG is asked for', () => {
    assert.deepEqual(kvmDecision(0, 'KVM usable: a kernel booted under KVM in 412 ms\n', false), { go: true, accel: 'kvm', message: 'KVM works: KVM usable: a kernel booted under KVM in 412 ms' });
    const stop = kvmDecision(3, 'KVM not usable: a kernel under KVM did not boot within 10000 ms (the guest printed nothing)\n', false);
    assert.equal(stop.go, false);
    assert.match(stop.message, /needs working KVM.*did not boot within 10000 ms.*--allow-tcg.*dagger call twin/s);
    const tcg = kvmDecision(3, 'KVM not usable: no /dev/kvm', true);
    assert.deepEqual([tcg.go, tcg.accel], [true, 'tcg']);
    assert.match(tcg.message, /TCG as asked/);
  });

  test('bad input stops even with TCG allowed; a killed probe says so', () => {
    assert.equal(kvmDecision(2, 'kvm-probe: invalid flags', true).go, false);
    assert.match(kvmDecision(137, '', false).message, /the KVM probe was killed by SIGKILL/);
    assert.match(kvmDecision(1, 'cp: cannot stat', false).message, /the KVM probe was cut short \(exit 1\): cp: cannot stat/);
  });
});

describe('ci/kvm-probe.ts, for real (this machine\'s /dev/kvm hangs guests, so only the refusals run here)', () => {
  function probe(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'ci/kvm-probe.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  test('no kernel in an empty cache and no --download: not usable, exit 3, naming the kernel', () => {
    const r = probe([], { LAB_CACHE_DIR: path.join(root, 'empty-cache') });
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /KVM not probed: no OpenWRT [\d.]+ kernel to boot/);
  });

  test('a kernel QEMU cannot load: not usable, exit 3; a bad deadline: exit 2', () => {
    const r = probe(['--kernel', path.join(root, 'no-such-kernel'), '--deadline-ms', '5000']);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /KVM not usable: /);
    assert.equal(probe(['--deadline-ms', 'soon']).code, 2);
  });
});

describe('the image cache copies, for real', () => {
  test('seeding keeps what the cache has; exporting drops half-downloaded files', () => {
    const seed = path.join(root, 'seed');
    const cache = path.join(root, 'cache');
    const out = path.join(root, 'images-out');
    mkdirSync(seed, { recursive: true });
    mkdirSync(cache, { recursive: true });
    writeFileSync(path.join(seed, 'kernel.bin'), 'from the seed');
    writeFileSync(path.join(seed, 'rootfs.img.gz'), 'seed rootfs');
    writeFileSync(path.join(cache, 'kernel.bin'), 'already cached');
    const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1));
    run(seedCacheArgv(seed, cache));
    assert.equal(readFileSync(path.join(cache, 'kernel.bin'), 'utf8'), 'already cached');
    assert.equal(readFileSync(path.join(cache, 'rootfs.img.gz'), 'utf8'), 'seed rootfs');
    run(seedCacheArgv(path.join(root, 'no-seed'), path.join(root, 'cache-2')));
    assert.ok(existsSync(path.join(root, 'cache-2')), 'no seed: an empty cache, no error');
    writeFileSync(path.join(cache, 'talos.raw.part-123-abcdef'), 'half');
    run(exportCacheArgv(cache, out));
    assert.deepEqual(execFileSync('ls', [out], { encoding: 'utf8' }).trim().split('\n').sort(), ['kernel.bin', 'rootfs.img.gz']);
  });
});

describe('what a run exports', () => {
  test('the record names the run folders, not the module\'s own files', () => {
    const r = runRecord(['node', 'bin/lab.mjs', 'e2e'], 1, [`${RUN_RECORD}`, 'nrl-abc123/', '.hidden', 'nrl-000001/']);
    assert.deepEqual(r, { command: ['node', 'bin/lab.mjs', 'e2e'], exitCode: 1, meaning: 'an assertion failed', ok: false, runs: ['nrl-000001', 'nrl-abc123'] });
    assert.deepEqual(runFolders([]), []);
    assert.equal(runRecord([], 0, []).ok, true);
  });

  test('the job summary joins every summary.md in run order, with the verdict on top when red', () => {
    const red = runRecord([], 1, ['b/', 'a/']);
    const md = joinSummaries([{ path: 'b/summary.md', text: '## B\n' }, { path: 'a/summary.md', text: '## A\n' }], red);
    assert.equal(md, '> **lab exited 1: an assertion failed**\n\n## A\n\n## B\n');
    assert.equal(joinSummaries([{ path: 'a/summary.md', text: '## A' }], runRecord([], 0, ['a/'])), '## A\n');
    assert.match(joinSummaries([], runRecord([], 137, [])), /No summary\.md was written .*killed by SIGKILL/);
  });
});

/** Whether a 64-bit little-endian ELF file asks for a dynamic loader (a PT_INTERP program header). */
function hasInterpreter(elf: Buffer): boolean {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const [size, count] = [elf.readUInt16LE(0x36), elf.readUInt16LE(0x38)];
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(phoff + i * size) === 3) return true;
  return false;
}

describe('Cilium\'s speaker for the twin, built in the Go image', () => {
  test('the Go image is Cilium 1.20.2\'s own builder image, pinned by digest', () => {
    assert.match(GO_IMAGE, /^docker\.io\/library\/golang:1\.26\.8@sha256:[0-9a-f]{64}$/);
    assert.ok(Object.keys(GO_CACHES).includes('/go/pkg/mod'));
  });

  test('`lab speaker plan` (the real CLI) names an existing line folder; the module reads it, or the reason there is none', async () => {
    const r = await runLab(speakerPlanArgv({ ciliumVersion: '1.20.3' }).slice(2));
    assert.equal(r.code, 0, r.stderr);
    const plan = parseSpeakerPlan(r.stdout);
    assert.ok(!('unserved' in plan));
    assert.deepEqual([plan.line, plan.release, plan.pinned], ['1.20', '1.20.3', '1.20.2']);
    assert.ok(existsSync(path.join(repoRoot, plan.dir, 'go.mod')), plan.dir);
    const unserved = parseSpeakerPlan((await runLab(speakerPlanArgv({ ciliumVersion: '1.17.0' }).slice(2))).stdout);
    assert.ok('unserved' in unserved);
    // Negative control: what is not a plan is refused, not built.
    assert.throws(() => parseSpeakerPlan('{"line":"1.20","release":"1.20.2","pinned":"1.20.2","dir":"../../etc"}'), /no usable plan/);
  });

  test('the build script: a pinned release builds as is, another release is asked for first', () => {
    const steps = (argv: string[]) => argv[2]!.split('\n').filter((l) => l.startsWith('step '));
    const pinned = speakerBuildArgv({ release: '1.20.2', pinned: '1.20.2' });
    assert.deepEqual(pinned.slice(0, 2), ['sh', '-ec']);
    assert.deepEqual(steps(pinned), ["step env CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags='-s -w' -o /out/nrl-speaker ."]);
    assert.deepEqual(steps(speakerBuildArgv({ release: '1.20.3', pinned: '1.20.2' })).slice(0, 2), ['step go get github.com/cilium/cilium@v1.20.3', 'step go mod tidy -e']);
  });

  test('a build the module proxy refuses names the module and version (the step, for real through sh)', () => {
    // Verbatim words of the go command when the proxy refuses a pin (Cilium 1.20.2's gobgp pseudo-version).
    const refusal = 'go: github.com/osrg/gobgp/v4@v4.6.1-0.20260630022313-d6dee8360046: reading https://proxy.golang.org/github.com/osrg/gobgp/v4/@v/v4.6.1-0.20260630022313-d6dee8360046.zip: 403 Forbidden';
    const r = spawnSync('sh', ['-ec', `${SPEAKER_STEP}\nstep sh -c 'echo "${refusal}"; exit 1'`], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the Go module proxy refused github\.com\/osrg\/gobgp\/v4@v4\.6\.1-0\.20260630022313-d6dee8360046, which Cilium's speaker needs/);
    // Negative control: a compile error is shown as it is, naming no module.
    const compile = spawnSync('sh', ['-ec', `${SPEAKER_STEP}\nstep sh -c 'echo "./line.go:12:2: undefined: agentHive"; exit 1'`], { encoding: 'utf8' });
    assert.equal(compile.status, 1);
    assert.match(compile.stderr, /undefined: agentHive/);
    assert.doesNotMatch(compile.stderr, /refused/);
  });

  test('the build script, for real with this machine\'s Go, makes a static speaker that reports its release', { skip: !spawnSync('go', ['version']).stdout ? 'no Go here' : false }, () => {
    const out = path.join(root, 'nrl-speaker');
    const argv = speakerBuildArgv({ release: '1.20.2', pinned: '1.20.2' }, out);
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: path.join(repoRoot, 'speaker', 'lines', 'v1.20'), encoding: 'utf8', timeout: 20 * 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(execFileSync(out, ['version'], { encoding: 'utf8' })).cilium, '1.20.2');
    assert.equal(hasInterpreter(readFileSync(out)), false, 'static: no ELF interpreter (PT_INTERP), so any glibc runs it');
    assert.equal(hasInterpreter(readFileSync(process.execPath)), true, 'negative control: node is dynamically linked');
  });
});
