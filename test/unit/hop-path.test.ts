// Assertion 4's expected path: at a datacentre with several routers, any one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followsPath } from '../../lab/assert/path.ts';

const HOPS = [['controlplane-1'], ['router-dc1-1', 'router-dc1-2'], ['router-dc2-1', 'router-dc2-2'], ['worker-1'], ['worker-1-pod']];

test('a traceroute through either router of each datacentre follows the path', () => {
  assert.ok(followsPath(['controlplane-1', 'router-dc1-1', 'router-dc2-2', 'worker-1', 'worker-1-pod'], HOPS));
  assert.ok(followsPath(['controlplane-1', 'router-dc1-2', 'router-dc2-1', 'worker-1', 'worker-1-pod'], HOPS));
});

test('negative controls: a router of the wrong datacentre, a missing hop, an extra hop', () => {
  assert.equal(followsPath(['controlplane-1', 'router-dc2-1', 'router-dc2-2', 'worker-1', 'worker-1-pod'], HOPS), false);
  assert.equal(followsPath(['controlplane-1', 'router-dc1-1', 'worker-1', 'worker-1-pod'], HOPS), false);
  assert.equal(followsPath(['controlplane-1', 'router-dc1-1', 'router-dc1-2', 'router-dc2-1', 'worker-1', 'worker-1-pod'], HOPS), false);
});
