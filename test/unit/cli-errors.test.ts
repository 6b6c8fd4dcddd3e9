// Bad input through the real CLI: exit 2, the field and a fix on stderr, and nothing written.
// The library runs the whole rule table (topology-rules.test.ts); this spawns `lab render` for a handful.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { renderAll } from '../../lab/render/index.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { runLab } from './support/cli.ts';
import { fixturesDir } from './support/paths.ts';
import { BAD_FILE_CASES, RULE_CASES } from './support/rule-cases.ts';
import { fixtureText, loadFixture } from './support/topologies.ts';

const root = mkdtempSync(path.join(tmpdir(), 'lab-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const CLI_CASES = [
  'malformed cluster.podCIDR',
  'unknown nested key',
  'same ASN for routers and cluster',
  'node address outside its LAN',
  'unsupported API for the Cilium version',
  'hold time 2',
];

/** `field` may name the topology file as {file}. */
async function expectBadInput(name: string, topologyText: string, extraArgs: string[], fieldPattern: string, problem: string): Promise<void> {
  const dir = mkdtempSync(path.join(root, 'case-'));
  const file = path.join(dir, 'topology.yaml');
  writeFileSync(file, topologyText);
  const field = fieldPattern.replace('{file}', file);
  const out = path.join(dir, 'out');
  const r = await runLab(['render', '-t', file, '-o', out, ...extraArgs]);
  assert.equal(r.code, 2, `${name}: exit code (stderr: ${r.stderr})`);
  assert.ok(r.stderr.includes(`${field}: `), `${name}: stderr names ${field}:\n${r.stderr}`);
  assert.ok(r.stderr.includes(problem), `${name}: stderr says "${problem}":\n${r.stderr}`);
  assert.match(r.stderr, /fix: \S/, `${name}: stderr gives a fix`);
  assert.equal(existsSync(out), false, `${name}: ${out} was created`);
}

/** Bad files: as expectBadInput, and the message comes once, with no stack trace. */
async function expectBadFile(name: string, content: string | Buffer, args: (file: string, dir: string) => string[], fieldPattern: string, problem: string, created: (dir: string) => string): Promise<void> {
  const dir = mkdtempSync(path.join(root, 'file-'));
  const file = path.join(dir, 'topology.yaml');
  writeFileSync(file, content);
  const r = await runLab(args(file, dir));
  const field = fieldPattern.replace('{file}', file);
  assert.equal(r.code, 2, `${name}: exit code (stderr: ${r.stderr.slice(0, 2000)})`);
  assert.ok(r.stderr.includes(field), `${name}: stderr names ${field}:\n${r.stderr}`);
  assert.equal(r.stderr.split(problem).length - 1, 1, `${name}: stderr says "${problem}" exactly once:\n${r.stderr}`);
  assert.equal(r.stderr.match(/\n {4}fix: \S/g)?.length, 1, `${name}: one issue, one fix:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n|Error: |node:internal/, `${name}: no stack trace`);
  assert.ok(r.stderr.length < 2000, `${name}: a short message (${r.stderr.length} chars)`);
  assert.equal(existsSync(created(dir)), false, `${name}: ${created(dir)} was created`);
}

describe('lab render refuses bad input', { concurrency: true }, () => {
  for (const name of CLI_CASES) {
    const c = RULE_CASES.find((x) => x.name === name);
    assert.ok(c, `no rule case ${name}`);
    test(name, async () => {
      const t = referenceTopology();
      c.mutate(t as unknown as Record<string, unknown>);
      await expectBadInput(name, stringify(t), [], c.field, c.problem);
    });
  }
  test('an unsupported --cilium-version flag', async () => {
    await expectBadInput('flag', fixtureText('three-dc'), ['--cilium-version', '1.13.0'], '--cilium-version', 'older than the oldest supported line 1.14');
  });
  test('a YAML duplicate key, named by file and line', async () => {
    const text = fixtureText('three-dc').replace('  nodeMaskSize: 24\n', '  nodeMaskSize: 24\n  nodeMaskSize: 25\n');
    await expectBadInput('duplicate key', text, [], '{file}:10:3', 'Map keys must be unique');
  });
  test('a misspelt key in an example file', async () => {
    const text = readFileSync(path.join(fixturesDir, 'invalid', 'unknown-key.yaml'), 'utf8');
    await expectBadInput('unknown-key.yaml', text, [], 'datacentres[0].nodes[0].lables', 'unknown key');
  });
});

describe('bad files: exit 2, one clear message, nothing created', { concurrency: true }, () => {
  for (const c of BAD_FILE_CASES) {
    test(`lab render: ${c.name}`, async () => {
      await expectBadFile(c.name, c.content(), (file, dir) => ['render', '-t', file, '-o', path.join(dir, 'out')], c.field, c.problem, (dir) => path.join(dir, 'out'));
    });
  }
  // e2e and up read the topology the same way, before any preflight: no artifacts, no run folder.
  for (const command of ['e2e', 'up', 'diagram']) {
    const c = BAD_FILE_CASES[0]!;
    test(`lab ${command}: ${c.name}`, async () => {
      const args = command === 'diagram' ? (f: string, d: string) => ['diagram', '-t', f, '-o', path.join(d, 'out.svg')] : (f: string, d: string) => [command, '-t', f, '--artifacts', path.join(d, 'out')];
      await expectBadFile(c.name, c.content(), args, c.field, c.problem, (dir) => path.join(dir, command === 'diagram' ? 'out.svg' : 'out'));
    });
  }
  test('a topology that is a device, not a file', async () => {
    const r = await runLab(['render', '-t', '/dev/zero', '-o', path.join(root, 'never')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--topology: cannot read \/dev\/zero: not a regular file/);
    assert.equal(existsSync(path.join(root, 'never')), false);
  });
  test('negative control: the same checks pass a valid file through (exit 0, output written)', async () => {
    const dir = mkdtempSync(path.join(root, 'file-ok-'));
    const file = path.join(dir, 'topology.yaml');
    writeFileSync(file, fixtureText('three-dc'));
    const r = await runLab(['render', '-t', file, '-o', path.join(dir, 'out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(path.join(dir, 'out')), true);
  });
});

test('positive control: a valid topology exits 0 and writes exactly what renderAll renders', async () => {
  const dir = mkdtempSync(path.join(root, 'ok-'));
  const file = path.join(dir, 'three-dc.yaml');
  writeFileSync(file, fixtureText('three-dc'));
  const out = path.join(dir, 'out');
  const r = await runLab(['render', '-t', file, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const [rel, text] of renderAll(resolveTopology(loadFixture('three-dc')))) {
    assert.equal(readFileSync(path.join(out, rel), 'utf8'), text, rel);
  }
});
