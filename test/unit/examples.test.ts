// The example topologies in examples/ load and render: they are what the README points people at.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderAll } from '../../lab/render/index.ts';
import { loadModel } from '../../lab/topology/load.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { parse } from 'yaml';

const dir = new URL('../../examples/', import.meta.url);

for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
  test(`examples/${file} loads and renders`, () => {
    const model = loadModel(readFileSync(new URL(file, dir), 'utf8'), file);
    assert.ok(renderAll(model).size >= 4 * model.datacentres.length + 4);
  });
}

test('examples/reference.yaml is the built-in default', () => {
  assert.deepEqual(parse(readFileSync(new URL('reference.yaml', dir), 'utf8')), referenceTopology());
});

test('examples/dual-stack.yaml is the reference with cluster.family dual and nothing else (every IPv6 prefix a default)', () => {
  const expected = referenceTopology();
  expected.name = 'dual-stack';
  expected.cluster.family = 'dual';
  assert.deepEqual(parse(readFileSync(new URL('dual-stack.yaml', dir), 'utf8')), expected);
  const model = loadModel(readFileSync(new URL('dual-stack.yaml', dir), 'utf8'), 'dual-stack.yaml');
  assert.equal(model.sessions, 'per-family');
  assert.equal(model.cluster.podCIDR6, '2001:db8:244::/48');
});
