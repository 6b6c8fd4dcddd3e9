// How the assertions run: together, an exclusive one (it sees the wire) alone, reported in id
// order; state reads shared within a run (and a failed read tried again); and how many inbound
// connections assertion 11 makes where nothing is chosen at random, and where something is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAssertions } from '../../lab/assert/index.ts';
import { inboundConnections, INBOUND_CONNECTIONS } from '../../lab/assert/a11-inbound-source.ts';
import { readOnce } from '../../lab/assert/read-once.ts';
import type { Assertion } from '../../lab/assert/types.ts';
import type { BgpSession, Lab } from '../../lab/runtime/lab.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';

const model = resolveTopology(referenceTopology());

/** A lab of no machines whose session reads are counted (and can be made to fail once). */
function countingLab(failFirst = false): { lab: Lab; reads: () => number } {
  let reads = 0;
  const lab = {
    model,
    machines: () => [],
    bgpSessions: async (): Promise<BgpSession[]> => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      if (failFirst && reads === 1) throw new Error('birdc: connection refused');
      return [];
    },
  } as unknown as Lab;
  return { lab, reads: () => reads };
}

interface Active { n: number; max: number; duringExclusive: number; quietBeside: number }

function probe(id: number, log: string[], active: Active, kind: 'exclusive' | 'quiet' | 'plain' = 'plain'): Assertion {
  const exclusive = kind === 'exclusive';
  return {
    id, title: `a${id}`, ...(exclusive ? { exclusive } : {}), ...(kind === 'quiet' ? { quiet: true } : {}),
    async run(lab) {
      active.n++;
      active.max = Math.max(active.max, active.n);
      if (kind === 'plain' && log.includes('exclusive running')) active.duringExclusive++;
      if (kind === 'quiet' && log.includes('exclusive running')) active.quietBeside++;
      if (exclusive) log.push('exclusive running');
      await lab.bgpSessions();
      await new Promise((r) => setTimeout(r, 20));
      if (exclusive) log.splice(log.indexOf('exclusive running'), 1);
      active.n--;
      return [{ assertion: id, subject: 's', ok: true, expected: 'x', seen: 'x' }];
    },
  };
}

test('assertions run together, the exclusive one beside the quiet ones only, reported in id order, one read of the state', async () => {
  const { lab, reads } = countingLab();
  const log: string[] = [];
  const active: Active = { n: 0, max: 0, duringExclusive: 0, quietBeside: 0 };
  const list = [probe(1, log, active, 'quiet'), probe(6, log, active, 'exclusive'), probe(3, log, active), probe(2, log, active), probe(4, log, active)];
  const runs = await runAssertions(lab, { assertions: list });
  assert.deepEqual(runs.map((r) => r.assertion.id), [1, 2, 3, 4, 6]);
  assert.equal(active.max, 3, 'the three plain ones ran at once');
  assert.equal(active.duringExclusive, 0, 'no plain one ran beside the exclusive one');
  assert.equal(active.quietBeside, 1, 'the quiet one did');
  assert.equal(reads(), 1, 'five assertions, one read of the sessions');
});

test('negative control: without readOnce every asker reads; a failed read is tried again', async () => {
  const plain = countingLab();
  await Promise.all([plain.lab.bgpSessions(), plain.lab.bgpSessions()]);
  assert.equal(plain.reads(), 2);
  const flaky = countingLab(true);
  const view = readOnce(flaky.lab);
  await assert.rejects(view.bgpSessions(), /connection refused/);
  assert.deepEqual(await view.bgpSessions(), []);
  assert.equal(flaky.reads(), 2);
  assert.equal(view.model, model, 'everything else is the lab itself');
});

const withTopology = (mutate: (t: Topology) => void) => {
  const t = referenceTopology();
  mutate(t);
  return resolveTopology(t);
};

const cases: { name: string; model: ReturnType<typeof resolveTopology>; dc: number; want: number }[] = [
  { name: 'reference, dc1: one peer router, one backend', model, dc: 0, want: 2 },
  { name: 'reference, dc2: one announcing node on the LAN, one backend', model, dc: 1, want: 2 },
  { name: 'two backends on one LAN: two equal-cost next hops', model: withTopology((t) => {
    t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
    t.services = [{ name: 'web', port: 80, trafficPolicy: 'Local', backends: ['worker-1', 'worker-2'] }];
  }), dc: 1, want: INBOUND_CONNECTIONS },
  { name: 'Cluster, two nodes on the LAN: two announcers', model: withTopology((t) => {
    t.datacentres[0]!.nodes.push({ name: 'worker-0', role: 'worker' });
    t.services = [{ name: 'web', port: 80, trafficPolicy: 'Cluster', backends: ['worker-1'] }];
  }), dc: 0, want: INBOUND_CONNECTIONS },
  { name: 'Local, backends in two other datacentres: two peer routers', model: withTopology((t) => {
    t.datacentres.push({ name: 'dc3', lan: '10.0.2.0/24', nodes: [{ name: 'worker-3', role: 'worker' }] });
    t.services = [{ name: 'web', port: 80, trafficPolicy: 'Local', backends: ['worker-1', 'worker-3'] }];
  }), dc: 0, want: INBOUND_CONNECTIONS },
];
for (const c of cases) {
  test(`inbound connections: ${c.name} -> ${c.want}`, () => {
    assert.equal(inboundConnections(c.model, c.model.services[0]!, c.model.datacentres[c.dc]!), c.want);
  });
}
