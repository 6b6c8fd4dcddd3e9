// Host limits: what a topology needs against what a host allows, refused before anything exists.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MissingToolError } from '../../lab/cli/exit.ts';
import { checkHostLimits, headroom, limitProblems, topologyNeeds, type HostState } from '../../lab/runtime/limits.ts';
import { generateTopology } from '../../lab/topology/generate.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';

const roomy: HostState = {
  pidMax: 4_194_304, threadsMax: 192_730, nprocLimit: undefined, tasksInUse: 400, maxNetNamespaces: 96_365, namedNamespaces: 0,
  gcThresh3: 1024, neighbourEntries: 5000, memAvailableKiB: 24 * 1024 * 1024, root: true,
};
const big = resolveTopology(generateTopology({ datacentres: 24, nodesPerDc: 20, autoDirectNodeRoutes: true, podCIDR: '10.244.0.0/15' }));

it('counts machines, namespaces and the permanent neighbour entries of a topology', () => {
  const n = topologyNeeds(big);
  assert.equal(n.machines, 1 + 24 * (1 + 1 + 20 + 20));
  assert.equal(n.namespaces, n.machines + 24 + 1);
  assert.ok(n.permanentNeighbours > 10_000, String(n.permanentNeighbours));
  assert.equal(n.learnedNeighbours, 0);
});

it('a roomy host holds a thousand machines, even with more table entries than gc_thresh3 (permanent ones)', () => {
  assert.deepEqual(limitProblems(topologyNeeds(big), roomy), []);
  assert.doesNotThrow(() => checkHostLimits(big, roomy));
});

it('refuses with the limit, the size needed and the setting to raise (exit 3)', () => {
  const tight = { ...roomy, pidMax: 4096, maxNetNamespaces: 500, memAvailableKiB: 512 * 1024 };
  const problems = limitProblems(topologyNeeds(big), tight);
  assert.deepEqual(problems.map((p) => p.limit.split(' ')[0]), ['processes', 'network', 'memory']);
  assert.throws(() => checkHostLimits(big, tight), (e: Error) => e instanceof MissingToolError
    && /kernel\.pid_max = 4096/.test(e.message) && /sysctl -w kernel\.pid_max=\d+/.test(e.message)
    && /user\.max_net_namespaces/.test(e.message) && /needs 10\d\d,/.test(e.message));
});

it('headroom names what bounds the room left', () => {
  const lines = headroom({ ...roomy, memAvailableKiB: 100 * 1024 });
  assert.match(lines[0]!, /room for about \d+ more \(bounded by memory\)/);
  assert.ok(lines.some((l) => /gc_thresh3 1024/.test(l)));
});

it('Cilium\'s own speaker costs about 36 MiB a node: 480 nodes of it do not fit 12 GiB, the emulation does', () => {
  const twelve = { ...roomy, memAvailableKiB: 12 * 1024 * 1024 };
  const cilium = topologyNeeds(big, 'cilium');
  const emulated = topologyNeeds(big, 'emulated');
  assert.ok(cilium.memoryKiB - emulated.memoryKiB > 480 * 30 * 1024, `${cilium.memoryKiB} vs ${emulated.memoryKiB}`);
  const problems = limitProblems(cilium, twelve);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.limit, /^memory/);
  assert.deepEqual(limitProblems(emulated, twelve), []);
  assert.throws(() => checkHostLimits(big, twelve, 'cilium'), MissingToolError);
  // The reference with Cilium's speaker fits with room to spare.
  const reference = resolveTopology(generateTopology({ datacentres: 2, nodesPerDc: 1 }));
  assert.deepEqual(limitProblems(topologyNeeds(reference, 'cilium'), roomy), []);
});
