// The rendered output of four cases against test/unit/golden/: the files there are the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { renderAll } from '../../lab/render/index.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology, type ResolveOptions } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { checkGolden, updating } from './support/golden.ts';
import { goldenDir } from './support/paths.ts';
import { loadFixture, referenceWithoutTimers } from './support/topologies.ts';

const CASES: { name: string; what: string; topology: () => Topology; opts?: ResolveOptions }[] = [
  { name: 'reference-defaults', what: 'the reference without bgp.timers (BIRD and Cilium defaults)', topology: referenceWithoutTimers },
  { name: 'reference', what: 'the reference with the lab timers', topology: referenceTopology },
  { name: 'three-dc', what: 'three datacentres, dc3 with two nodes: full iBGP mesh', topology: () => loadFixture('three-dc') },
  {
    name: 'reference-cilium-1.15-talos-1.11',
    what: '--cilium-version 1.15.x (CiliumBGPPeeringPolicy) and --talos-version 1.11.6 (v1alpha1 patch)',
    topology: referenceTopology,
    opts: { ciliumVersion: '1.15.x', talosVersion: '1.11.6' },
  },
];

for (const c of CASES) {
  test(`golden ${c.name}: ${c.what}`, () => {
    checkGolden(c.name, renderAll(resolveTopology(c.topology(), c.opts)));
  });
}

test('golden/ holds exactly these cases (no stale folder)', () => {
  if (updating) return;
  assert.deepEqual(readdirSync(goldenDir).sort(), CASES.map((c) => c.name).sort());
});
