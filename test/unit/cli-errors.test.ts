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
import { RULE_CASES } from './support/rule-cases.ts';
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
    await expectBadInput('duplicate key', text, [], '{file}:10', 'Map keys must be unique');
  });
  test('a misspelt key in an example file', async () => {
    const text = readFileSync(path.join(fixturesDir, 'invalid', 'unknown-key.yaml'), 'utf8');
    await expectBadInput('unknown-key.yaml', text, [], 'datacentres[0].nodes[0].lables', 'unknown key');
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
