// One test per boundary row of lab/versions/cilium.ts: which BGP API a Cilium version renders and accepts.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { speakerSourceRoot } from '../../../lab/runtime/twin/speaker/source.ts';
import assert from 'node:assert/strict';
import { ciliumBgpDocs } from '../../../lab/render/cilium-bgp.ts';
import { loadBalancerDocs } from '../../../lab/render/load-balancer.ts';
import { referenceTopology } from '../../../lab/topology/reference.ts';
import { resolveTopology } from '../../../lab/topology/resolve.ts';
import type { CiliumBgpApi } from '../../../lab/topology/schema.ts';
import { CILIUM_LINES, ciliumAgentCli, NEWEST_CILIUM, OLDEST_CILIUM } from '../../../lab/versions/cilium.ts';
import { compareLine, parseVersion, rowFor } from '../../../lab/versions/semver.ts';
import { assertIssue, issuesOf } from '../support/input-error.ts';

const ALL_APIS: CiliumBgpApi[] = ['peering-policy', 'bgpv2-v2alpha1', 'bgpv2-v2'];

function resolve(cilium: string, bgpApi?: CiliumBgpApi) {
  const t = referenceTopology();
  if (bgpApi) t.cilium = { bgpApi };
  return resolveTopology(t, { ciliumVersion: cilium });
}

function kinds(cilium: string, bgpApi?: CiliumBgpApi): string[] {
  return [...new Set((ciliumBgpDocs(resolve(cilium, bgpApi)) as { apiVersion: string; kind: string }[]).map((d) => `${d.apiVersion} ${d.kind}`))];
}

/** Accepted and refused APIs of a version, with the refusal naming cilium.bgpApi. */
function assertApis(cilium: string, accepted: CiliumBgpApi[]): void {
  for (const api of ALL_APIS) {
    if (accepted.includes(api)) assert.equal(resolve(cilium, api).cilium.bgpApi, api, `${cilium} serves ${api}`);
    else assertIssue(issuesOf(() => resolve(cilium, api)), 'cilium.bgpApi', `does not serve the ${api} API`);
  }
}

test('1.13.x: older than the oldest line, an input error naming the flag', () => {
  assertIssue(issuesOf(() => resolve('1.13.x')), '--cilium-version', 'older than the oldest supported line 1.14');
  const t = referenceTopology();
  t.versions = { cilium: '1.13.4' };
  assertIssue(issuesOf(() => resolveTopology(t)), 'versions.cilium', 'older than the oldest supported line');
});

test('1.14 and 1.15.x: CiliumBGPPeeringPolicy only', () => {
  for (const v of ['1.14.0', '1.15.x']) {
    assert.equal(resolve(v).cilium.bgpApi, 'peering-policy');
    assert.deepEqual(kinds(v), ['cilium.io/v2alpha1 CiliumBGPPeeringPolicy']);
    assertApis(v, ['peering-policy']);
  }
});

test('1.16.0 (and 1.17.x): BGPv2 in v2alpha1 by default, the peering policy still allowed', () => {
  for (const v of ['1.16.0', '1.17.x']) {
    assert.equal(resolve(v).cilium.bgpApi, 'bgpv2-v2alpha1');
    assert.deepEqual(kinds(v), ['cilium.io/v2alpha1 CiliumBGPClusterConfig', 'cilium.io/v2alpha1 CiliumBGPPeerConfig', 'cilium.io/v2alpha1 CiliumBGPAdvertisement']);
    assert.deepEqual(kinds(v, 'peering-policy'), ['cilium.io/v2alpha1 CiliumBGPPeeringPolicy']);
    assertApis(v, ['peering-policy', 'bgpv2-v2alpha1']);
  }
});

test('1.18.0: BGPv2 in v2 by default; v2alpha1 and the peering policy still served', () => {
  assert.equal(resolve('1.18.0').cilium.bgpApi, 'bgpv2-v2');
  assert.deepEqual(kinds('1.18.0'), ['cilium.io/v2 CiliumBGPClusterConfig', 'cilium.io/v2 CiliumBGPPeerConfig', 'cilium.io/v2 CiliumBGPAdvertisement']);
  assertApis('1.18.0', ALL_APIS);
});

test('1.19.0: the peering policy is removed; asking for it is an input error naming cilium.bgpApi', () => {
  assert.equal(resolve('1.19.0').cilium.bgpApi, 'bgpv2-v2');
  assertApis('1.19.0', ['bgpv2-v2alpha1', 'bgpv2-v2']);
  const issue = issuesOf(() => resolve('1.19.0', 'peering-policy'))[0]!;
  assert.match(issue.fix, /1\.14, 1\.15, 1\.16, 1\.17, 1\.18\)/, 'the fix names the lines that serve it');
  assert.equal(resolve(NEWEST_CILIUM).cilium.bgpApi, 'bgpv2-v2');
});

test('the table: ascending lines, each default among its APIs, oldest and newest consistent', () => {
  const lines = CILIUM_LINES.map((l) => parseVersion(l.since)!);
  for (let i = 1; i < lines.length; i++) assert.ok(compareLine(lines[i - 1]!, lines[i]!) < 0, 'ascending');
  for (const l of CILIUM_LINES) assert.ok(l.bgpApis.includes(l.defaultBgpApi), `${l.since}: default among its APIs`);
  assert.equal(CILIUM_LINES[0]!.since, OLDEST_CILIUM);
  assert.equal(rowFor(CILIUM_LINES, parseVersion(NEWEST_CILIUM)!), CILIUM_LINES.at(-1));
});

// LB-IPAM and Service advertisement, one test per row of the table (see the facts in lab/versions/cilium.ts).
type K8sDoc = { apiVersion: string; kind: string; metadata: { annotations?: Record<string, string> }; spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function lb(cilium: string, bgpApi?: CiliumBgpApi): { pool: K8sDoc; service: K8sDoc; bgp: K8sDoc[] } {
  const m = resolve(cilium, bgpApi);
  const docs = loadBalancerDocs(m) as K8sDoc[];
  return { pool: docs.find((d) => d.kind === 'CiliumLoadBalancerIPPool')!, service: docs.find((d) => d.kind === 'Service')!, bgp: ciliumBgpDocs(m) as K8sDoc[] };
}

function advertisesServicesByPolicy(bgp: K8sDoc[]): boolean {
  return bgp.every((d) => d.kind === 'CiliumBGPPeeringPolicy' && d.spec['virtualRouters'][0].serviceSelector !== undefined);
}

test('LB row 1.14: pool v2alpha1 with spec.cidrs, fixed address in spec.loadBalancerIP, announced by the policy\'s serviceSelector', () => {
  const r = lb('1.14.0');
  assert.equal(r.pool.apiVersion, 'cilium.io/v2alpha1');
  assert.deepEqual(r.pool.spec['cidrs'], [{ cidr: '10.250.0.0/28' }]);
  assert.equal(r.pool.spec['blocks'], undefined);
  assert.equal(r.service.spec['loadBalancerIP'], '10.250.0.1');
  assert.equal(r.service.metadata.annotations, undefined);
  assert.ok(advertisesServicesByPolicy(r.bgp));
});

test('LB row 1.15: spec.blocks replaces spec.cidrs; still spec.loadBalancerIP', () => {
  const r = lb('1.15.x');
  assert.equal(r.pool.apiVersion, 'cilium.io/v2alpha1');
  assert.deepEqual(r.pool.spec['blocks'], [{ cidr: '10.250.0.0/28' }]);
  assert.equal(r.pool.spec['cidrs'], undefined);
  assert.equal(r.service.spec['loadBalancerIP'], '10.250.0.1');
  assert.ok(advertisesServicesByPolicy(r.bgp));
});

test('LB row 1.16 (and 1.17.x): lbipam.cilium.io/ips, a Service CiliumBGPAdvertisement in v2alpha1; the policy still announces by serviceSelector', () => {
  for (const v of ['1.16.0', '1.17.x']) {
    const r = lb(v);
    assert.equal(r.pool.apiVersion, 'cilium.io/v2alpha1');
    assert.deepEqual(r.pool.spec['blocks'], [{ cidr: '10.250.0.0/28' }]);
    assert.deepEqual(r.service.metadata.annotations, { 'lbipam.cilium.io/ips': '10.250.0.1' });
    assert.equal(r.service.spec['loadBalancerIP'], undefined);
    const ad = r.bgp.find((d) => d.kind === 'CiliumBGPAdvertisement' && d.spec['advertisements'][0].advertisementType === 'Service')!;
    assert.equal(ad.apiVersion, 'cilium.io/v2alpha1');
    assert.deepEqual(ad.spec['advertisements'][0].service, { addresses: ['LoadBalancerIP'] });
    assert.ok(advertisesServicesByPolicy(lb(v, 'peering-policy').bgp));
  }
});

test('LB row 1.18: the pool in cilium.io/v2, BGPv2 in v2 by default', () => {
  const r = lb('1.18.0');
  assert.equal(r.pool.apiVersion, 'cilium.io/v2');
  const ad = r.bgp.find((d) => d.kind === 'CiliumBGPAdvertisement' && d.spec['advertisements'][0].advertisementType === 'Service');
  assert.equal(ad?.apiVersion, 'cilium.io/v2');
  assert.equal(lb('1.18.0', 'bgpv2-v2alpha1').pool.apiVersion, 'cilium.io/v2', 'the pool follows the line, not the BGP API');
});

test('LB row 1.19 (and the newest): the pool in v2, the annotation, no peering policy', () => {
  for (const v of ['1.19.0', NEWEST_CILIUM]) {
    const r = lb(v);
    assert.equal(r.pool.apiVersion, 'cilium.io/v2');
    assert.deepEqual(r.service.metadata.annotations, { 'lbipam.cilium.io/ips': '10.250.0.1' });
    assert.ok(r.bgp.every((d) => d.kind !== 'CiliumBGPPeeringPolicy'));
  }
});

// Upstream fact: the agent container's debug CLI is `cilium` in 1.14 (cilium/cilium PR #24612 runs
// `cilium bgp peers` in an agent) and `cilium-dbg` from 1.15 (cilium-dbg/README; PR #32348:
// "v1.15, which provides the cilium-dbg command").
test('agent CLI row 1.15: 1.14.x runs `cilium bgp peers`, 1.15.0 and every later line `cilium-dbg`', () => {
  assert.equal(ciliumAgentCli('1.14.0'), 'cilium');
  assert.equal(ciliumAgentCli('1.14.x'), 'cilium');
  for (const v of ['1.15.0', '1.16.x', '1.18.0', '1.19.0', NEWEST_CILIUM]) assert.equal(ciliumAgentCli(v), 'cilium-dbg', v);
  assert.equal(CILIUM_LINES.find((l) => l.since === '1.15')?.agentCli, 'cilium-dbg');
  assert.equal(CILIUM_LINES.filter((l) => l.agentCli === 'cilium').map((l) => l.since).join(), '1.14', 'only the oldest line has the old name');
});

// The speaker column, one test per row: which release the twin's nodes run Cilium's own BGP code at.
const speakerOf = (v: string) => rowFor(CILIUM_LINES, parseVersion(v)!)!.speaker;

test('speaker rows 1.14 and 1.15: Cilium 1.14.19 and 1.15.19 (BGP control plane v1, pkg/bgpv1)', () => {
  assert.deepEqual(speakerOf('1.14.0'), { release: '1.14.19' });
  assert.deepEqual(speakerOf('1.15.x'), { release: '1.15.19' });
});

test('speaker rows 1.16 and 1.17: none, the module proxy refuses both lines (the emulated speaker runs)', () => {
  for (const v of ['1.16.0', '1.17.x']) assert.ok('unserved' in speakerOf(v), v);
  assert.equal(rowFor(CILIUM_LINES, parseVersion('1.17.0')!)!.defaultBgpApi, rowFor(CILIUM_LINES, parseVersion('1.16.0')!)!.defaultBgpApi, 'the 1.17 row renders as 1.16 does');
});

test('speaker rows 1.18, 1.19 and 1.20: 1.18.5, 1.19.3 and 1.20.2 (the newest)', () => {
  assert.deepEqual(speakerOf('1.18.0'), { release: '1.18.5' });
  assert.deepEqual(speakerOf('1.19.x'), { release: '1.19.3' });
  assert.deepEqual(speakerOf(NEWEST_CILIUM), { release: NEWEST_CILIUM });
  assert.deepEqual(lb('1.20.0').pool, lb('1.19.0').pool, 'the 1.20 row renders as 1.19 does');
});

test('GoBGP rows: 1.14\'s v3.23 dials first after 5-10 s, 1.15-1.19 after 1-2 s, 1.20\'s v4 after 1.5-2 s', () => {
  const dial = (v: string) => rowFor(CILIUM_LINES, parseVersion(v)!)!.gobgp.firstDialS;
  assert.deepEqual(dial('1.14.0'), [5, 10]);
  for (const v of ['1.15.0', '1.18.0', '1.19.0']) assert.deepEqual(dial(v), [1, 2], v);
  assert.deepEqual(dial(NEWEST_CILIUM), [1.5, 2]);
  // Each built line's go.mod names the GoBGP its row says.
  for (const row of CILIUM_LINES.filter((l) => 'release' in l.speaker)) {
    const mod = readFileSync(join(speakerSourceRoot(), 'lines', `v${row.since}`, 'go.mod'), 'utf8');
    const version = row.gobgp.version.split(/[ ,]/)[0]!;
    assert.ok(mod.includes(`gobgp/v${version[1]} ${version}`) || mod.includes(`=> github.com/osrg/gobgp/v4 ${version}`), `${row.since}: go.mod has GoBGP ${version}`);
  }
});
