// The one e2e flow, driven by a scripted runtime: the contract every runtime relies on (teardown on
// every path, the failure bundle after a failed stage, input errors before anything exists).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runE2e } from '../../lab/e2e.ts';
import { renderAll } from '../../lab/render/index.ts';
import type { RunnableLab, Runtime } from '../../lab/runtime/runtime.ts';
import { InputError } from '../../lab/topology/errors.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';

const model = resolveTopology(referenceTopology());
const files = renderAll(model);

interface Script {
  open?: 'input-error' | 'stage-fails';
  upFails?: boolean;
  bundle?: boolean;
}

/** A runtime that records what the flow asked of it. Any Lab method the flow should not reach throws. */
function scripted(s: Script) {
  const calls: string[] = [];
  const runtime: Runtime = {
    name: 'twin',
    preflight: () => Promise.resolve({ warnings: ['scripted warning'] }),
    open: async (ctx) => {
      calls.push('open');
      if (s.open === 'input-error') throw new InputError([{ field: 'manifests', problem: 'bad', fix: 'fix it' }], 'flags');
      if (s.open === 'stage-fails') await ctx.stage('images', () => Promise.reject(new Error('checksum mismatch')));
      const lab = {
        runtime: 'twin', model, artifacts: ctx.artifacts, fidelity: 'scripted',
        up: () => (calls.push('up'), s.upFails ? Promise.reject(new Error('deadline routerBoot expired')) : Promise.resolve()),
        ...(s.bundle ? { collectFailureBundle: (reason: string) => (calls.push(`bundle: ${reason}`), Promise.resolve(['consoles/router-dc1.log'])) } : {}),
      };
      return new Proxy(lab, { get: (t, k) => (k in t ? t[k as keyof typeof t] : k === 'then' || k === 'notes' ? undefined : () => { throw new Error(`flow reached ${String(k)}`); }) }) as unknown as RunnableLab;
    },
    destroy: (id) => (calls.push(`destroy ${id}`), Promise.resolve([])),
  };
  return { runtime, calls };
}

const root = () => mkdtempSync(join(tmpdir(), 'nrl-flow-'));

test('a failed up leaves the failure bundle, tears down, and still writes the report', async () => {
  const { runtime, calls } = scripted({ upFails: true, bundle: true });
  const r = await runE2e({ model, files, artifactsRoot: root(), log: () => undefined }, runtime);
  assert.equal(r.ok, false);
  assert.deepEqual(r.stages.map((s) => [s.name, s.ok]), [['up', false], ['teardown', true]]);
  assert.ok(calls.some((c) => c.startsWith('bundle: stage up failed: deadline routerBoot expired')), calls.join('\n'));
  assert.ok(calls.indexOf(calls.find((c) => c.startsWith('bundle'))!) < calls.findIndex((c) => c.startsWith('destroy')), 'bundle before teardown');
  assert.ok(r.notes.includes('scripted warning'));
  assert.ok(existsSync(join(r.artifacts, 'report.json')));
  assert.equal(JSON.parse(readFileSync(join(r.artifacts, 'report.json'), 'utf8')).ok, false);
});

test('negative control: a run whose up succeeds asks for no failure bundle', async () => {
  const { runtime, calls } = scripted({ bundle: true });
  // up succeeds, then convergence reaches a Lab method the scripted lab lacks and the stage fails:
  // the bundle is asked for that stage, not for up.
  await runE2e({ model, files, artifactsRoot: root(), log: () => undefined }, runtime);
  assert.ok(!calls.some((c) => c.startsWith('bundle: stage up')), calls.join('\n'));
  assert.ok(calls.some((c) => c.startsWith('bundle: stage convergence failed')), calls.join('\n'));
});

test('an input error from open propagates and creates no artifacts folder', async () => {
  const { runtime, calls } = scripted({ open: 'input-error' });
  const dir = root();
  await assert.rejects(runE2e({ model, files, artifactsRoot: join(dir, 'a'), log: () => undefined }, runtime), InputError);
  assert.equal(existsSync(join(dir, 'a')), false);
  assert.ok(!calls.includes('up'));
});

test('a failed images stage (inside open) is a report, torn down, not a crash', async () => {
  const { runtime, calls } = scripted({ open: 'stage-fails' });
  const r = await runE2e({ model, files, artifactsRoot: root(), log: () => undefined }, runtime);
  assert.equal(r.ok, false);
  assert.deepEqual(r.stages.map((s) => [s.name, s.ok]), [['images', false], ['teardown', true]]);
  assert.ok(r.notes.some((n) => n.includes('checksum mismatch')));
  assert.ok(calls.some((c) => c.startsWith('destroy')));
  assert.ok(existsSync(join(r.artifacts, 'report.json')));
});
