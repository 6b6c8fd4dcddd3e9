// What a dual-stack router's bird.conf says (read as facts), in both session layouts, and BIRD's own
// parser (bird -p) on every one of them. That the mp-over-v4 channel works on the wire (BIRD 2.0.12
// taking GoBGP's IPv4-mapped next hop) is a runtime fact bird -p cannot show: lab/render/bird6.ts names
// the BIRD source it rests on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBird } from '../../lab/render/bird.ts';
import type { LabModel } from '../../lab/topology/model.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { birdOrSkip, birdParse } from './support/bird.ts';
import { bgpProtocols, birdBlocks, block, ibgpSessions } from './support/bird-conf.ts';
import { DUAL_VARIANTS, VARIANTS, dualStack, loadFixture, modelOf, withReflection } from './support/topologies.ts';

function birdOf(m: LabModel, dc: string): string {
  const d = m.datacentres.find((x) => x.name === dc);
  assert.ok(d, `no datacentre ${dc}`);
  return renderBird(m, d, d.routers[0]!);
}

const perFamily = () => resolveTopology(dualStack(referenceTopology()));
const mpOverV4 = () => resolveTopology(dualStack(referenceTopology(), 'mp-over-v4'));

test('dual-stack: IPv6 sets beside the IPv4 ones, a kernel6 protocol with merge paths, the IPv6 LAN in static6', () => {
  for (const m of [perFamily(), mpOverV4()]) {
    const conf = birdOf(m, 'dc2');
    assert.match(conf, /^define POD_CIDRS6 = \[ 2001:db8:244::\/48\{64,64\} \];$/m);
    assert.match(conf, /^define LB_POOL6 = \[ 2001:db8:250::\/120\{128,128\} \];$/m);
    assert.deepEqual(block(conf, 'protocol kernel kernel6').body, ['scan time 20;', 'merge paths on;', 'ipv6 {', 'import none;', 'export where source = RTS_BGP;', '};']);
    assert.deepEqual(block(conf, 'protocol static static6').body, ['ipv6;', 'route 2001:db8:10:1::/64 via "br-lan";']);
    // The IPv4 blocks are those of the IPv4 render.
    assert.deepEqual(block(conf, 'protocol static').body, ['ipv4;', 'route 10.0.1.0/24 via "br-lan";']);
  }
  const noPool = birdOf(resolveTopology(dualStack(loadFixture('three-dc'))), 'dc1');
  assert.doesNotMatch(noPool, /LB_POOL6|merge paths/, 'no pool, no IPv6 pool set and no multipath');
  assert.match(noPool, /import where net ~ POD_CIDRS6;/);
});

test('per-family: an IPv6 iBGP session per peer between the peering addresses, and one per node from cilium_node6', () => {
  const m = perFamily();
  const conf = birdOf(m, 'dc1');
  const v6 = block(conf, 'protocol bgp router_dc2_v6');
  for (const l of ['local 2001:db8:172:16::1 as 65000;', 'neighbor 2001:db8:172:16::2 as 65000;', 'direct;', 'hold time 9;', 'ipv6 {', 'next hop self;']) assert.ok(v6.body.includes(l), l);
  assert.ok(!v6.body.includes('ipv4 {'), 'the IPv6 session carries IPv6 only');
  assert.ok(!block(conf, 'protocol bgp router_dc2').body.includes('ipv6 {'), 'and the IPv4 one IPv4 only');
  const tmpl = block(conf, 'template bgp cilium_node6');
  assert.ok(tmpl.body.includes('local 2001:db8:10::1 as 65000;'));
  assert.ok(tmpl.body.includes('import where net ~ POD_CIDRS6 || net ~ LB_POOL6;'));
  assert.ok(tmpl.body.includes('export none;'));
  assert.deepEqual(block(conf, 'protocol bgp node_controlplane_1_v6 from cilium_node6').body,
    ['description "Cilium on controlplane-1 (IPv6)";', 'neighbor 2001:db8:10::10 as 65001;']);
  assert.equal(bgpProtocols(conf).length, 4, 'two sessions per peer: iBGP and the node, each family');
});

test('per-family with a reflector: the IPv6 sessions reflect as the IPv4 ones do', () => {
  const m = resolveTopology(dualStack(withReflection(loadFixture('three-dc'))));
  const reflector = ibgpSessions(birdOf(m, 'dc1'));
  assert.deepEqual(reflector.map((s) => s.head), ['protocol bgp router_dc2', 'protocol bgp router_dc2_v6', 'protocol bgp router_dc3', 'protocol bgp router_dc3_v6']);
  for (const s of reflector) {
    assert.ok(s.body.includes('rr client;'), s.head);
    assert.ok(s.body.includes('next hop self ebgp;'), s.head);
  }
  const client = ibgpSessions(birdOf(m, 'dc3'));
  assert.deepEqual(client.map((s) => s.head), ['protocol bgp router_dc1', 'protocol bgp router_dc1_v6']);
  assert.ok(client.every((s) => !s.body.includes('rr client;')));
});

test('mp-over-v4: no extra session; IPv6 rides the IPv4 ones with the next hops fixed', () => {
  const m = mpOverV4();
  const conf = birdOf(m, 'dc1');
  assert.deepEqual(bgpProtocols(conf).map((b) => b.head), ['protocol bgp router_dc2', 'protocol bgp node_controlplane_1 from cilium_node']);
  assert.doesNotMatch(conf, /_v6|cilium_node6/);
  // iBGP: an ipv6 channel announcing this router's IPv6 peering address as next hop.
  const ibgp = block(conf, 'protocol bgp router_dc2');
  assert.ok(ibgp.body.includes('local 172.16.0.1 as 65000;'), 'over the IPv4 session');
  const channels = ibgp.body.join('\n');
  assert.match(channels, /ipv4 \{\nimport all;\nexport all;\nnext hop self;\n\};/);
  assert.match(channels, /ipv6 \{\nimport all;\nexport all;\nnext hop self;\nnext hop address 2001:db8:172:16::1;\n\};/);
  // Node: the IPv6 channel takes GoBGP's IPv4-mapped next hop, admits only pod CIDRs6/pool6 addresses,
  // and points them at the node's own IPv6 address.
  const node = block(conf, 'protocol bgp node_controlplane_1 from cilium_node').body;
  assert.deepEqual(node.slice(node.indexOf('ipv6 {')), [
    'ipv6 {', 'extended next hop on;', 'import filter {',
    'if !(net ~ POD_CIDRS6 || net ~ LB_POOL6) then reject;', 'bgp_next_hop = 2001:db8:10::10;', 'gw = 2001:db8:10::10;', 'accept;',
    '};', 'export none;', '};',
  ]);
  // Each node's session points at its own address (dc2's node, in dc2's file).
  assert.match(birdOf(m, 'dc2'), /gw = 2001:db8:10:1::10;/);
  assert.match(birdOf(resolveTopology(dualStack(withReflection(loadFixture('three-dc')), 'mp-over-v4')), 'dc1'), /next hop self ebgp;\n\t\tnext hop address 2001:db8:172:16::1;/);
});

test('negative control: an IPv4 lab\'s bird.conf has none of it', () => {
  for (const v of VARIANTS) {
    const m = modelOf(v);
    for (const dc of m.datacentres) {
      const conf = renderBird(m, dc, dc.routers[0]!);
      assert.doesNotMatch(conf, /ipv6|POD_CIDRS6|LB_POOL6|kernel6|static6|_v6|cilium_node6|next hop address|extended next hop|2001:db8/, `${v.name} ${dc.name}`);
      assert.equal(birdBlocks(conf).filter((b) => b.head.startsWith('protocol kernel')).length, 1);
    }
  }
});

const dir = mkdtempSync(path.join(tmpdir(), 'lab-bird-dual-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function parse(bird: string, text: string) {
  const file = path.join(dir, `bird-${n++}.conf`);
  writeFileSync(file, text);
  return birdParse(file, bird);
}

for (const v of DUAL_VARIANTS) {
  test(`bird -p accepts every router's dual-stack bird.conf: ${v.name}`, (t) => {
    const bird = birdOrSkip(t);
    if (!bird) return;
    const m = modelOf(v);
    for (const dc of m.datacentres) {
      const r = parse(bird, renderBird(m, dc, dc.routers[0]!));
      assert.ok(r.ok, `${v.name} ${dc.routers[0]!.name}: bird -p exited ${r.status}: ${r.stderr}`);
    }
  });
}

test('negative controls: bird -p rejects a broken dual-stack bird.conf', (t) => {
  const bird = birdOrSkip(t);
  if (!bird) return;
  const good = birdOf(mpOverV4(), 'dc1');
  assert.ok(parse(bird, good).ok);
  const broken: [string, string, RegExp][] = [
    // One kernel protocol per table: the IPv6 routes need their own, on master6.
    ['kernel6 on the IPv4 table', good.replace(/(protocol kernel kernel6 \{[^]*?)ipv6 \{/, '$1ipv4 {'), /Kernel syncer \(kernel1\) already attached to table master4/],
    ['the IPv6 LAN in the IPv4 static protocol', good.replace('route 10.0.0.0/24 via', 'route 2001:db8:10::/64 via'), /incompatible with channel type/],
    ['the IPv6 pool set left out', good.replace(/^define LB_POOL6.*\n/m, ''), /syntax error/],
    ['a misspelt next hop address', good.replace('next hop address', 'next hop addres'), /expecting KEEP or SELF or ADDRESS/],
  ];
  for (const [what, text, expect] of broken) {
    assert.notEqual(text, good, `the mutation for ${what} changed nothing`);
    const r = parse(bird, text);
    assert.equal(r.ok, false, `bird -p accepted ${what}`);
    assert.match(r.stderr, expect, `${what}: ${r.stderr}`);
  }
});

test('v4-over-v6: the routers peer per family; a node peers over IPv6 only, its ipv4 channel with extended next hop', () => {
  const conf = birdOf(resolveTopology(dualStack(referenceTopology(), 'v4-over-v6')), 'dc2');
  assert.ok(block(conf, 'protocol bgp router_dc1').body.includes('ipv4 {'));
  assert.ok(block(conf, 'protocol bgp router_dc1_v6').body.includes('ipv6 {'));
  const tmpl = block(conf, 'template bgp cilium_node6').body;
  const ipv4 = tmpl.slice(tmpl.indexOf('ipv4 {'), tmpl.indexOf('};', tmpl.indexOf('ipv4 {')) + 1);
  assert.deepEqual(ipv4, ['ipv4 {', 'extended next hop on;', 'import where net ~ POD_CIDRS || net ~ LB_POOL;', 'export none;', '};']);
  assert.ok(tmpl.includes('import where net ~ POD_CIDRS6 || net ~ LB_POOL6;'));
  assert.deepEqual(block(conf, 'protocol bgp node_worker_1_v6 from cilium_node6').body, ['description "Cilium on worker-1 (IPv6)";', 'neighbor 2001:db8:10:1::10 as 65001;']);
  // Negative control: no IPv4 node session and no IPv4 node template remain.
  assert.doesNotMatch(conf, /template bgp cilium_node \{|protocol bgp node_worker_1 from cilium_node\b/);
  assert.equal(bgpProtocols(conf).length, 3, 'iBGP per family and one IPv6 node session');
});
