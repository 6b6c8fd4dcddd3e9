// The module as the Dagger engine will register it, without an engine: the SDK's own introspector
// (@dagger.io/dagger 0.21.9) with the runtime's TypeScript (5.9.3) reads dagger/src and must find
// the functions the workflows call, their CLI arguments, "never" caching on every run, the two
// checks (no required arguments), the LabRun fields, and the checkout's ignore list resolved.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SOURCE_IGNORE } from '../../../dagger/src/plan.ts';
import { repoRoot } from '../support/paths.ts';

interface Arg { type: string; optional: boolean; default?: unknown; defaultPath?: string; ignore?: string[] }
interface Fn { cache: string | null; check: boolean; returns: string; args: Record<string, Arg> }
interface Obj { constructor: Record<string, Arg> | null; functions: Record<string, Fn>; fields: Record<string, string> }

function introspect(files: string[]): { typescript: string; objects: Record<string, Obj> } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/unit/dagger/support/introspect.mts', ...files], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out) as { typescript: string; objects: Record<string, Obj> };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'dagger-introspect-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const mod = introspect(['dagger/src/index.ts', 'dagger/src/plan.ts']);

test('the introspector runs on the TypeScript the runtime bundles', () => {
  assert.equal(mod.typescript, '5.9.3');
  assert.deepEqual(Object.keys(mod.objects).sort(), ['LabRun', 'NativeRoutingLab']);
});

test('every run is never cached; render (pure) may be', () => {
  const fns = mod.objects['NativeRoutingLab']!.functions;
  assert.deepEqual(Object.keys(fns).sort(), ['e2e', 'render', 'test', 'twin', 'twinAssertions', 'vmAssertions']);
  for (const f of ['twin', 'e2e', 'test', 'twinAssertions', 'vmAssertions']) assert.equal(fns[f]!.cache, 'never', f);
  assert.equal(fns['render']!.cache, null);
});

test('twin and e2e return a LabRun; e2e takes the versions, the images and --allow-tcg (default off)', () => {
  const fns = mod.objects['NativeRoutingLab']!.functions;
  assert.equal(fns['twin']!.returns, 'OBJECT_KIND:LabRun');
  assert.equal(fns['e2e']!.returns, 'OBJECT_KIND:LabRun');
  const e2e = fns['e2e']!.args;
  assert.deepEqual(Object.keys(e2e), ['topology', 'ciliumVersion', 'talosVersion', 'openwrtVersion', 'images', 'allowTcg']);
  assert.ok(Object.values(e2e).every((a) => a.optional || a.default !== undefined), 'no required argument');
  assert.deepEqual(e2e['images'], { type: 'OBJECT_KIND:Directory', optional: true });
  assert.deepEqual(e2e['allowTcg'], { type: 'BOOLEAN_KIND', optional: false, default: false }); // a default makes it optional in the API
});

test('the checks are checks, with no arguments, and fail by throwing (void)', () => {
  const fns = mod.objects['NativeRoutingLab']!.functions;
  for (const c of ['twinAssertions', 'vmAssertions']) {
    assert.equal(fns[c]!.check, true, c);
    assert.deepEqual(fns[c]!.args, {}, c);
    assert.equal(fns[c]!.returns, 'VOID_KIND', c);
  }
  assert.equal(fns['twin']!.check, false);
});

test('LabRun exposes the verdict, the summary and the files; outputs and verdict are functions', () => {
  const run = mod.objects['LabRun']!;
  assert.deepEqual(run.fields, {
    exitCode: 'INTEGER_KIND', meaning: 'STRING_KIND', ok: 'BOOLEAN_KIND', summary: 'STRING_KIND', log: 'STRING_KIND',
    artifacts: 'OBJECT_KIND:Directory', images: 'OBJECT_KIND:Directory',
  });
  assert.equal(run.functions['outputs']!.returns, 'OBJECT_KIND:Directory');
  assert.equal(run.functions['verdict']!.returns, 'STRING_KIND');
});

test('the checkout argument defaults to the repository, with plan.ts\'s ignore list resolved', () => {
  const source = mod.objects['NativeRoutingLab']!.constructor!['source']!;
  assert.equal(source.defaultPath, '/');
  assert.deepEqual(source.ignore, SOURCE_IGNORE);
});

test('negative control: a function without a cache policy, a check with a required argument are seen as such', () => {
  const file = path.join(tmp, 'control.ts');
  writeFileSync(file, [
    "import { check, func, object } from '@dagger.io/dagger';",
    '@object()',
    'export class Control {',
    '  @func()',
    '  cached(): string { return "x"; }',
    '  @func()',
    '  @check()',
    '  needsArg(name: string): string { return name; }',
    '}',
  ].join('\n'));
  const c = introspect([file]).objects['Control']!;
  assert.equal(c.functions['cached']!.cache, null);
  assert.equal(c.functions['needsArg']!.check, true);
  assert.deepEqual(c.functions['needsArg']!.args['name'], { type: 'STRING_KIND', optional: false });
});
