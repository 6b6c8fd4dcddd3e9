// The dual-stack parts of the checks and the twin's datapath, pure: BIRD's own output from this lab
// (fixtures/daemons, recorded from dual-stack runs with Cilium 1.20.2's speaker), the next-hop rule
// of assertion 12 with a negative control per clause, a pitfall's family, and the IPv6 datapath.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { nextHopProblem } from '../../lab/assert/a12-next-hops.ts';
import { pitfallNote } from '../../lab/e2e.ts';
import { pitfall } from '../../lab/pitfalls/index.ts';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import type { BgpRoute } from '../../lab/runtime/lab.ts';
import { birdRefusals, parseBirdProtocols, parseBirdRoutes, parseRoutes } from '../../lab/runtime/parsers.ts';
import { datapathSettings, nodeDatapath, serviceNft } from '../../lab/runtime/twin/datapath.ts';
import { fw4Ruleset } from '../../lab/runtime/twin/fw4.ts';
import { buildDiagram, diagramSvg } from '../../lab/report/diagram/index.ts';
import { twinServices } from '../../lab/runtime/twin/lb-twin.ts';
import { loadModel, parseTopologyYaml } from '../../lab/topology/load.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { fixturesDir, repoRoot } from './support/paths.ts';

const DUAL = path.join(repoRoot, 'examples', 'dual-stack.yaml');
const fixture = (name: string) => readFileSync(path.join(fixturesDir, 'daemons', name), 'utf8');

test('birdc show route all, dual-stack per-family: IPv6 routes from the _v6 sessions, each with its BGP next hop', () => {
  const routes = parseBirdRoutes(fixture('bird-2.0.12-dual-stack-show-route-all.txt'));
  const pod6 = routes.find((r) => r.prefix === '2001:db8:244:1::/64')!;
  assert.deepEqual([pod6.protocol, pod6.nextHops, pod6.bgpNextHop], ['node_worker_1_v6', ['2001:db8:10:1::10'], ['2001:db8:10:1::10']]);
  assert.deepEqual(routes.find((r) => r.prefix === '2001:db8:244::/64')?.bgpNextHop, ['2001:db8:172:16::1'], 'next hop self on the IPv6 iBGP session');
  assert.deepEqual(routes.find((r) => r.prefix === '10.244.1.0/24')?.bgpNextHop, ['10.0.1.10']);
  assert.ok(!routes.some((r) => r.prefix === '2001:db8:10:1::/64'), 'the static IPv6 LAN is not BGP');
  for (const r of routes) assert.equal(nextHopProblem(r, r.prefix.includes(':') ? 6 : 4, undefined), undefined, r.prefix);
});

test('birdc, mp-over-v4 as rendered: IPv6 routes over the IPv4 session with the node\'s IPv6 next hop; Cilium announces extended next hop, BIRD does not', () => {
  const routes = parseBirdRoutes(fixture('bird-2.0.12-mp-over-v4-show-route-all-master6.txt'));
  assert.deepEqual(routes.find((r) => r.prefix === '2001:db8:244:1::/64')?.bgpNextHop, ['2001:db8:10:1::10'], 'the import filter set it');
  const [session] = parseBirdProtocols(fixture('bird-2.0.12-mp-over-v4-protocols-node.txt'), 'router-dc2', 65000);
  assert.equal(session?.protocol, 'node_worker_1');
  assert.equal(session?.extendedNextHop, undefined, 'negotiated only when both ends announce it');
  const both = fixture('bird-2.0.12-mp-over-v4-protocols-node.txt').replace('      Long-lived graceful restart\n', '      Long-lived graceful restart\n      Extended next hop\n        IPv6 nexthop: ipv4\n');
  assert.equal(parseBirdProtocols(both, 'router-dc2', 65000)[0]?.extendedNextHop, true);
});

test('birdRefusals: the updates BIRD withdrew for their next hop, from its log (pitfall v6-over-v4-session, Cilium 1.20.2)', () => {
  const refused = birdRefusals(fixture('bird-2.0.12-v6-over-v4-session.log'));
  assert.deepEqual(refused, ['2026-12-07 07:58:55.958 <RMT> node_worker_1: Invalid NEXT_HOP attribute - mismatched address family (10.0.1.10 for ipv6)']);
  assert.deepEqual(birdRefusals('2026-12-07 07:58:53.350 <INFO> Started\n<WARN> node_worker_1: Missing link-local address\n'), [], 'warnings are not refusals');
});

test('assertion 12: each clause of the next-hop rule fails on what it names', () => {
  const route = (prefix: string, bgpNextHop: string[], nextHops = [bgpNextHop[0]!]): BgpRoute => ({ prefix, protocol: 'node_worker_1', best: true, nextHops, bgpNextHop, communities: [] });
  assert.equal(nextHopProblem(route('2001:db8:244:1::/64', ['2001:db8:10:1::10']), 6, undefined), undefined);
  assert.match(nextHopProblem(route('2001:db8:244:1::/64', ['::ffff:10.0.1.10']), 6, undefined)!, /IPv4-mapped next hop ::ffff:10\.0\.1\.10/);
  // What BIRD shows when it takes a mapped next hop with `extended next hop`: an IPv4 next hop on an IPv6 route.
  assert.match(nextHopProblem(route('2001:db8:244:1::/64', ['10.0.1.10']), 6, undefined)!, /IPv6 route with the IPv4 next hop 10\.0\.1\.10/);
  assert.match(nextHopProblem(route('10.244.1.0/24', ['2001:db8:10:1::10']), 4, undefined)!, /extended next hop not negotiated.*#29951/);
  const ext = { machine: 'router-dc2', peerAddress: '10.0.1.10', kind: 'ebgp' as const, state: 'Established', established: true, protocol: 'node_worker_1', extendedNextHop: true };
  assert.equal(nextHopProblem(route('10.244.1.0/24', ['2001:db8:10:1::10']), 4, ext), undefined, 'RFC 8950, negotiated');
  assert.match(nextHopProblem(route('10.244.1.0/24', ['10.0.9.9'], []), 4, undefined)!, /no usable next hop: 10\.0\.9\.9/);
});

test('a pitfall of one family: "as expected" only when the other family held', () => {
  const p = pitfall('v6-over-v4-session')!;
  const r = (family: 4 | 6, ok: boolean) => ({ assertion: 2, subject: `x (IPv${family})`, ok, expected: '', seen: '', family });
  assert.match(pitfallNote(p, p.breaks, [r(6, false), r(4, true)]), /in IPv6 only; .*\(as expected\)/);
  assert.match(pitfallNote(p, p.breaks, [r(6, false), r(4, false)]), /UNEXPECTED: IPv4 broke too \(x \(IPv4\)\)/);
  assert.match(pitfallNote(p, [2], [r(6, false)]), /UNEXPECTED: 3, 4, 5, 12 held/);
});

test('the IPv6 pitfalls are bad input on an IPv4 topology, naming the fix', () => {
  for (const name of ['v6-over-v4-session', 'v4-over-v6-session', 'v6-not-advertised']) {
    assert.throws(() => pitfall(name)!.apply(loadModelTopology('reference'), {}), (e: Error & { issues?: { field: string; fix: string }[] }) =>
      e.issues?.[0]?.field === '--pitfall' && /examples\/dual-stack\.yaml/.test(e.issues[0].fix));
  }
});

test('v4-over-v6-session takes extended next hop off the nodes\' ipv4 channel, and only that', () => {
  const t = loadModelTopology(DUAL);
  const { model, files } = pitfall('v4-over-v6-session')!.apply(t, {});
  assert.equal(model.sessions, 'v4-over-v6');
  const fixed = renderAll(model).get(routerPath('dc2', 'bird.conf'))!;
  const broken = files.get(routerPath('dc2', 'bird.conf'))!;
  assert.match(fixed, /ipv4 \{\n\t\textended next hop on;/);
  assert.equal(broken, fixed.replace('\t\textended next hop on;\n', ''));
});

test('v6-over-v4-session takes the rendered next-hop fix out of every node channel, and only that', () => {
  const t = loadModelTopology(DUAL);
  const { model, files } = pitfall('v6-over-v4-session')!.apply(t, {});
  assert.equal(model.sessions, 'mp-over-v4');
  const fixed = renderAll(model).get(routerPath('dc2', 'bird.conf'))!;
  const broken = files.get(routerPath('dc2', 'bird.conf'))!;
  assert.match(fixed, /extended next hop on;[\s\S]*bgp_next_hop = 2001:db8:10:1::10;/);
  assert.doesNotMatch(broken, /extended next hop on|bgp_next_hop =|gw = /);
  assert.match(broken, /next hop address 2001:db8:172:16::2;/, 'the routers\' own IPv6 next hop stays');
});

test('twin datapath, IPv6: direct routes and masquerading per family, LoadBalancer rules in an ip6 table', () => {
  const model = loadModel(readFileSync(DUAL, 'utf8'), DUAL);
  const files = renderAll(model);
  const values = files.get('cluster/cilium-values.yaml')!;
  const settings = datapathSettings(values);
  assert.equal(settings.masquerade6, false, 'the rendered values turn IPv6 masquerading off');
  assert.equal(datapathSettings(values.replace('enableIPv6Masquerade: false', 'enableIPv6Masquerade: true')).masquerade6, true);
  const node = model.datacentres[0]!.nodes[0]!;
  const masq = nodeDatapath(model, node, { ...settings, masquerade6: true, nativeRoutingCidr6: '2001:db8:10::/64' });
  assert.match(masq.nft ?? '', /table ip6 cilium_twin[\s\S]*ip6 saddr 2001:db8:244::\/64 ip6 daddr != 2001:db8:10::\/64 oifname "eth0" masquerade/);
  const services = twinServices(model, files);
  const worker = model.datacentres[1]!.nodes[0]!;
  const lb6 = serviceNft(worker, services, 'snat', 6)!;
  assert.match(lb6, /^table ip6 cilium_lb \{/);
  assert.match(lb6, /ip6 daddr 2001:db8:250::1 tcp dport 80 dnat to \[2001:db8:244:1::20\]:80/);
  assert.doesNotMatch(serviceNft(worker, services, 'snat', 4)!, /2001:db8/);
});

test('fw4: masq6 is a masquerade of IPv6 in the zone\'s srcnat chain (zone-masq.uc, family 6); off as OpenWRT ships it', () => {
  const model = loadModel(readFileSync(DUAL, 'utf8'), DUAL);
  const files = renderAll(model);
  const fw = files.get(routerPath('dc1', 'firewall'))!;
  const net = files.get(routerPath('dc1', 'network'))!;
  assert.doesNotMatch(fw4Ruleset(fw, net), /Masquerade IPv6/);
  const on = fw4Ruleset(fw.replace("option masq '1'", "option masq '1'\n\toption masq6 '1'"), net);
  assert.match(on, /meta nfproto ipv4 masquerade comment "!fw4: Masquerade IPv4 wan traffic"\n\t\tmeta nfproto ipv6 masquerade comment "!fw4: Masquerade IPv6 wan traffic"/);
});

test('ip -j -6 route: an IPv6 route through an IPv4 gateway (via inet) keeps its gateway', () => {
  const [r] = parseRoutes(JSON.stringify([{ dst: '2001:db8:244:1::/64', via: { family: 'inet', host: '10.0.1.10' }, dev: 'br-lan', protocol: 'bird' }]));
  assert.equal(r?.gateway, '10.0.1.10');
  assert.equal(parseRoutes(JSON.stringify([{ dst: '2001:db8:250::1', gateway: '2001:db8:10:1::10' }]))[0]?.dst, '2001:db8:250::1/128');
});

/** A topology as the CLI reads it: the reference, or a file. */
function loadModelTopology(file: string): Topology {
  return file === 'reference' ? referenceTopology() : parseTopologyYaml(readFileSync(file, 'utf8'), file) as Topology;
}

test('the diagram of a dual-stack lab: every machine with both addresses and an IPv6 table below its IPv4 one', async () => {
  const model = loadModel(readFileSync(DUAL, 'utf8'), DUAL);
  const d = buildDiagram({ model });
  const router = d.machines.find((m) => m.name === 'router-dc1')!;
  assert.equal(router.address6, '2001:db8:10::1');
  assert.deepEqual(router.routes6?.find((r) => r.dst === '2001:db8:244::/64'), { dst: '2001:db8:244::/64', gateway: '2001:db8:10::10', dev: 'br-lan', protocol: 'bird' });
  assert.deepEqual(router.routes6?.find((r) => r.dst === '2001:db8:244:1::/64')?.gateway, '2001:db8:172:16::2', 'a remote pod CIDR via the peer router');
  assert.equal(router.routes6?.[0]?.dst, 'default');
  const svg = await diagramSvg({ model });
  assert.match(svg, /class="family-rule"/);
  assert.match(svg, /2001:db8:244::\/64/);
  // Negative control: an IPv4 lab draws no IPv6 at all.
  const v4 = buildDiagram({ model: loadModel(undefined, 'reference') });
  assert.ok(v4.machines.every((m) => m.routes6 === undefined && m.address6 === undefined));
});
