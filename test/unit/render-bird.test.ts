// What the rendered bird.conf says, read as facts rather than compared as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBird } from '../../lab/render/bird.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { LabModel } from '../../lab/topology/model.ts';
import { block, ibgpSessions } from './support/bird-conf.ts';
import { loadFixture, referenceWithoutTimers, withReflection } from './support/topologies.ts';

function birdOf(m: LabModel, dc: string): string {
  const d = m.datacentres.find((x) => x.name === dc);
  assert.ok(d, `no datacentre ${dc}`);
  return renderBird(m, d, d.routers[0]!);
}

const threeDc = () => resolveTopology(loadFixture('three-dc'));

test('three datacentres: every router holds an iBGP session with both others (full mesh)', () => {
  const m = threeDc();
  const dc1 = birdOf(m, 'dc1');
  assert.match(dc1, /^\tneighbor 172\.16\.0\.2 as 65000;$/m);
  assert.match(dc1, /^\tneighbor 172\.16\.0\.3 as 65000;$/m);
  for (const r of m.datacentres.map((d) => d.routers[0]!)) {
    const sessions = ibgpSessions(birdOf(m, r.dc));
    const neighbours = sessions.map((s) => s.body.find((l) => l.startsWith('neighbor ')));
    const others = m.datacentres.map((d) => d.routers[0]!).filter((o) => o !== r);
    assert.deepEqual(neighbours.sort(), others.map((o) => `neighbor ${o.peeringAddress} as 65000;`).sort(), `${r.name}'s iBGP peers`);
    for (const s of sessions) {
      assert.ok(s.body.includes(`local ${r.peeringAddress} as 65000;`), `${r.name} ${s.head} speaks from its peering address`);
      assert.ok(s.body.includes('next hop self;'), `${r.name} ${s.head} rewrites the next hop to itself`);
      assert.ok(s.body.includes('direct;'), `${r.name} ${s.head} treats the peer as directly connected`);
      assert.ok(!s.body.includes('rr client;'), 'no route reflection in a full mesh');
    }
  }
});

test('node sessions: the import filter admits only node-sized blocks of the pod CIDR, and nothing is exported', () => {
  const conf = birdOf(threeDc(), 'dc1');
  assert.match(conf, /^define POD_CIDRS = \[ 10\.244\.0\.0\/16\{24,24\} \];$/m);
  const tmpl = block(conf, 'template bgp cilium_node');
  assert.ok(tmpl.body.includes('local 10.0.0.1 as 65000;'));
  assert.ok(tmpl.body.includes('import where net ~ POD_CIDRS;'));
  assert.ok(tmpl.body.includes('export none;'));
  assert.ok(!tmpl.body.includes('import all;'));
});

test('three datacentres: dc3 has one session per node, in the cluster AS', () => {
  const conf = birdOf(threeDc(), 'dc3');
  assert.deepEqual(block(conf, 'protocol bgp node_worker_2 from cilium_node').body, ['description "Cilium on worker-2";', 'neighbor 10.0.2.10 as 65001;']);
  assert.deepEqual(block(conf, 'protocol bgp node_worker_3 from cilium_node').body, ['description "Cilium on worker-3";', 'neighbor 10.0.2.11 as 65001;']);
  assert.doesNotMatch(conf, /node_worker_1|node_controlplane_1/, 'other datacentres\' nodes are not peers of this router');
});

test('kernel, static and router id: BGP routes installed, own LAN announced', () => {
  const conf = birdOf(resolveTopology(referenceTopology()), 'dc2');
  assert.match(conf, /^router id 10\.0\.1\.1;$/m);
  // The reference has a LoadBalancer pool: several nodes announcing one service address become equal-cost routes.
  assert.deepEqual(block(conf, 'protocol kernel').body, ['scan time 20;', 'merge paths on;', 'ipv4 {', 'import none;', 'export where source = RTS_BGP;', '};']);
  assert.deepEqual(block(conf, 'protocol static').body, ['ipv4;', 'route 10.0.1.0/24 via "br-lan";']);
});

test('timers: the lab timers on every session; none at all without bgp.timers', () => {
  const lab = birdOf(resolveTopology(referenceTopology()), 'dc1');
  for (const head of ['protocol bgp router_dc2', 'template bgp cilium_node']) {
    const body = block(lab, head).body;
    for (const l of ['connect delay time 0;', 'connect retry time 5;', 'hold time 9;', 'keepalive time 3;']) assert.ok(body.includes(l), `${head}: ${l}`);
  }
  const defaults = birdOf(resolveTopology(referenceWithoutTimers()), 'dc1');
  assert.doesNotMatch(defaults, /(?<!scan )time \d+;/, 'BIRD keeps its own defaults');
});

test('route reflection: the first router reflects to the others, which peer only with it', () => {
  const m = resolveTopology(withReflection(loadFixture('three-dc')));
  const reflector = ibgpSessions(birdOf(m, 'dc1'));
  assert.equal(reflector.length, 2);
  for (const s of reflector) assert.ok(s.body.includes('rr client;'), `${s.head} is a reflector client session`);
  for (const dc of ['dc2', 'dc3']) {
    const sessions = ibgpSessions(birdOf(m, dc));
    assert.deepEqual(sessions.map((s) => s.head), ['protocol bgp router_dc1'], `${dc} peers only with the reflector`);
    assert.ok(!sessions[0]!.body.includes('rr client;'));
  }
});
