// Every rendered Cilium BGP resource validates against the real CRD schema of its kind and API version
// (../shared/schemas/cilium/crds), and broken resources do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciliumBgpDocs } from '../../lab/render/cilium-bgp.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { CiliumBgpApi, Topology } from '../../lab/topology/schema.ts';
import { crdValidator, crdsFor, loadedCrds as loaded, type CrdVersion } from './support/crd.ts';
import { DUAL_VARIANTS, TIMER_GRID, VARIANTS, dualStack } from './support/topologies.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


/** Errors of doc against every stored schema serving its kind and version; fails when none serves it. */
function check(all: CrdVersion[], doc: Doc): { files: string[]; errors: string[] } {
  const matching = crdsFor(all, doc['apiVersion'], doc['kind']);
  assert.ok(matching.length > 0, `no stored CRD serves ${doc['kind']} in ${doc['apiVersion']}`);
  for (const c of matching) assert.equal(`${c.group}/${c.version}`, doc['apiVersion'], 'validated against the schema of its own version');
  return {
    files: matching.map((c) => c.file),
    errors: matching.flatMap((c) => crdValidator(c).errors(doc).map((e) => `${c.file} (${c.version}): ${e}`)),
  };
}

// Each Cilium line's BGP APIs; null = the line's default.
const CASES: { cilium: string; api: CiliumBgpApi | null; kinds: string[]; apiVersion: string }[] = [
  { cilium: '1.15.0', api: null, kinds: ['CiliumBGPPeeringPolicy'], apiVersion: 'cilium.io/v2alpha1' },
  { cilium: '1.16.0', api: null, kinds: ['CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement'], apiVersion: 'cilium.io/v2alpha1' },
  { cilium: '1.16.0', api: 'peering-policy', kinds: ['CiliumBGPPeeringPolicy'], apiVersion: 'cilium.io/v2alpha1' },
  { cilium: '1.17.x', api: null, kinds: ['CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement'], apiVersion: 'cilium.io/v2alpha1' },
  { cilium: '1.18.0', api: null, kinds: ['CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement'], apiVersion: 'cilium.io/v2' },
  { cilium: '1.18.0', api: 'bgpv2-v2alpha1', kinds: ['CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement'], apiVersion: 'cilium.io/v2alpha1' },
  { cilium: '1.20.2', api: null, kinds: ['CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement'], apiVersion: 'cilium.io/v2' },
];

function withApi(t: Topology, api: CiliumBgpApi | null): Topology {
  const c = structuredClone(t);
  c.cilium = { ...c.cilium };
  if (api) c.cilium.bgpApi = api;
  else delete c.cilium.bgpApi;
  return c;
}

for (const c of CASES) {
  test(`Cilium ${c.cilium} ${c.api ?? '(default API)'}: every BGP resource validates against its CRD`, (t) => {
    const all = loaded(t);
    if (!all) return;
    for (const v of VARIANTS) {
      const docs = ciliumBgpDocs(resolveTopology(withApi(v.topology(), c.api), { ciliumVersion: c.cilium })) as Doc[];
      assert.deepEqual([...new Set(docs.map((d) => d['kind']))], c.kinds, v.name);
      for (const doc of docs) {
        assert.equal(doc['apiVersion'], c.apiVersion);
        const r = check(all, doc);
        assert.deepEqual(r.errors, [], `${v.name}: ${doc['kind']} ${doc['metadata'].name}`);
        // The 1.17-era standalone v2alpha1 files must be among the schemas a v2alpha1 BGPv2 doc meets.
        if (c.apiVersion === 'cilium.io/v2alpha1' && doc['kind'] !== 'CiliumBGPPeeringPolicy') {
          assert.ok(r.files.some((f) => f.startsWith('v2alpha1/')), `${doc['kind']} checked against crds/v2alpha1: ${r.files.join(', ')}`);
        }
      }
    }
  });
}

// Dual-stack is rendered for BGPv2 only (rules6.ts refuses the peering policy): each line's BGPv2 APIs.
for (const c of CASES.filter((x) => x.kinds[0] !== 'CiliumBGPPeeringPolicy')) {
  test(`Cilium ${c.cilium} ${c.api ?? '(default API)'}: every dual-stack BGP resource validates against its CRD`, (t) => {
    const all = loaded(t);
    if (!all) return;
    for (const v of DUAL_VARIANTS) {
      const docs = ciliumBgpDocs(resolveTopology(withApi(v.topology(), c.api), { ciliumVersion: c.cilium })) as Doc[];
      assert.deepEqual([...new Set(docs.map((d) => d['kind']))], c.kinds, v.name);
      for (const doc of docs) {
        assert.equal(doc['apiVersion'], c.apiVersion);
        assert.deepEqual(check(all, doc).errors, [], `${v.name}: ${doc['kind']} ${doc['metadata'].name}`);
      }
      const peers = docs.filter((d) => d['kind'] === 'CiliumBGPClusterConfig').flatMap((d) => d['spec'].bgpInstances[0].peers) as Doc[];
      const v6peers = peers.filter((p) => p['peerAddress'].includes(':'));
      assert.equal(v6peers.length > 0, !v.name.includes('mp-over-v4'), `${v.name}: IPv6 peers except where IPv6 rides the IPv4 sessions`);
      assert.equal(v6peers.length === peers.length, v.name.includes('v4-over-v6'), `${v.name}: IPv6 peers only where IPv4 rides them`);
    }
  });
}

test('negative controls: broken dual-stack BGPv2 resources fail their CRD', (t) => {
  const all = loaded(t);
  if (!all) return;
  const docs = ciliumBgpDocs(resolveTopology(dualStack(referenceTopology()))) as Doc[];
  const fails = (what: string, doc: Doc, expect: RegExp) => {
    const { errors } = check(all, doc);
    assert.ok(errors.some((e) => expect.test(e)), `${what}: expected ${expect} in\n${errors.join('\n') || '(valid)'}`);
  };
  const cidr6 = kindOf(docs, 'CiliumBGPClusterConfig');
  cidr6['spec'].bgpInstances[0].peers[1].peerAddress = '2001:db8:10::1/128';
  fails('an IPv6 peer address in CIDR form', cidr6, /peerAddress must match pattern/);
  const afi = structuredClone(docs.find((d) => d['metadata'].name === 'router-v6')!);
  afi['spec'].families[0].afi = 'IPv6';
  fails('afi IPv6 (the CRD spells it ipv6)', afi, /must be equal to one of the allowed values/);
  const sameName = kindOf(docs, 'CiliumBGPClusterConfig');
  sameName['spec'].bgpInstances[0].peers[1].name = sameName['spec'].bgpInstances[0].peers[0].name;
  fails('both families\' peers under one name', sameName, /duplicate map entry/);
});

function rendered(cilium: string): Doc[] {
  return ciliumBgpDocs(resolveTopology(referenceTopology(), { ciliumVersion: cilium })) as Doc[];
}

function kindOf(docs: Doc[], kind: string): Doc {
  const d = docs.find((x) => x['kind'] === kind);
  assert.ok(d, `no ${kind}`);
  return structuredClone(d);
}

test('negative controls: broken BGPv2 resources fail their CRD', (t) => {
  const all = loaded(t);
  if (!all) return;
  const fails = (what: string, doc: Doc, expect: RegExp) => {
    const { errors } = check(all, doc);
    assert.ok(errors.length > 0, `${what} passed validation`);
    assert.ok(errors.some((e) => expect.test(e)), `${what}: expected ${expect} in\n${errors.join('\n')}`);
  };
  for (const cilium of ['1.17.0', '1.20.2']) {
    const docs = rendered(cilium);
    const misspelt = kindOf(docs, 'CiliumBGPClusterConfig');
    const peer = misspelt['spec'].bgpInstances[0].peers[0];
    peer.peerAsn = peer.peerASN;
    delete peer.peerASN;
    fails(`${cilium}: misspelt peerASN`, misspelt, /additionalProperty":"peerAsn"/);

    const wrongType = kindOf(docs, 'CiliumBGPClusterConfig');
    wrongType['spec'].bgpInstances[0].localASN = '65001';
    fails(`${cilium}: localASN as a string`, wrongType, /localASN must be integer/);

    const missing = kindOf(docs, 'CiliumBGPClusterConfig');
    delete missing['spec'].bgpInstances;
    fails(`${cilium}: no bgpInstances`, missing, /bgpInstances/);

    const cidrPeer = kindOf(docs, 'CiliumBGPClusterConfig');
    cidrPeer['spec'].bgpInstances[0].peers[0].peerAddress = '10.0.0.1/32';
    fails(`${cilium}: BGPv2 peerAddress in CIDR form`, cidrPeer, /peerAddress must match pattern/);

    const twice = kindOf(docs, 'CiliumBGPClusterConfig');
    twice['spec'].bgpInstances[0].peers.push(structuredClone(twice['spec'].bgpInstances[0].peers[0]));
    fails(`${cilium}: two peers with one name`, twice, /duplicate map entry/);

    const badName = kindOf(docs, 'CiliumBGPPeerConfig');
    badName['metadata'].name = 'Router_1';
    fails(`${cilium}: metadata.name not a DNS name`, badName, /metadata\/name must match pattern/);

    const selector = kindOf(docs, 'CiliumBGPAdvertisement');
    selector['spec'].advertisements[0].selector = { matchLabels: { a: 'b' } };
    fails(`${cilium}: PodCIDR advertisement with a selector`, selector, /selector field is not allowed/);

    const wrongVersion = kindOf(docs, 'CiliumBGPAdvertisement');
    wrongVersion['apiVersion'] = 'cilium.io/v1';
    assert.deepEqual(crdsFor(all, wrongVersion['apiVersion'], wrongVersion['kind']), [], 'no CRD serves cilium.io/v1');
  }
  // The keepalive <= hold rule (CEL) of the v2 CRD, also after defaulting (hold defaults to 90).
  const timers = kindOf(rendered('1.20.2'), 'CiliumBGPPeerConfig');
  timers['spec'].timers = { holdTimeSeconds: 9, keepAliveTimeSeconds: 10 };
  fails('keepalive above hold', timers, /keepAliveTimeSeconds can not be larger than holdTimeSeconds/);
  timers['spec'].timers = { keepAliveTimeSeconds: 100 };
  fails('keepalive above the default hold', timers, /keepAliveTimeSeconds can not be larger than holdTimeSeconds/);
});

test('negative controls: broken peering policies fail their CRD', (t) => {
  const all = loaded(t);
  if (!all) return;
  const policy = kindOf(rendered('1.15.0'), 'CiliumBGPPeeringPolicy');
  const cases: [string, (d: Doc) => void, RegExp][] = [
    ['peerAddress without a prefix length', (d) => { d['spec'].virtualRouters[0].neighbors[0].peerAddress = '10.0.0.1'; }, /must match format "cidr"/],
    ['misspelt exportPodCIDR', (d) => { d['spec'].virtualRouters[0].exportPodCidr = true; }, /additionalProperty":"exportPodCidr"/],
    ['hold time below 3', (d) => { d['spec'].virtualRouters[0].neighbors[0].holdTimeSeconds = 2; }, /holdTimeSeconds must be >= 3/],
    ['no virtualRouters', (d) => { delete d['spec'].virtualRouters; }, /virtualRouters/],
    ['served as cilium.io/v2', (d) => { d['apiVersion'] = 'cilium.io/v2'; }, /./],
  ];
  for (const [what, mutate, expect] of cases) {
    const doc = structuredClone(policy);
    mutate(doc);
    if (doc['apiVersion'] === 'cilium.io/v2') {
      assert.deepEqual(crdsFor(all, doc['apiVersion'], doc['kind']), [], 'CiliumBGPPeeringPolicy was never served as v2');
      continue;
    }
    const { errors } = check(all, doc);
    assert.ok(errors.some((e) => expect.test(e)), `${what}: expected ${expect} in\n${errors.join('\n') || '(valid)'}`);
  }
});

test('every timer combination the topology accepts renders BGP resources their CRDs accept', (t) => {
  const all = loaded(t);
  if (!all) return;
  let accepted = 0;
  for (const timers of TIMER_GRID) {
    for (const cilium of ['1.15.0', '1.17.0', '1.20.2']) {
      const topo = referenceTopology();
      topo.bgp = { timers };
      let docs: Doc[];
      try {
        docs = ciliumBgpDocs(resolveTopology(topo, { ciliumVersion: cilium })) as Doc[];
      } catch {
        continue; // refused with an input error: topology-rules.test.ts covers why
      }
      accepted++;
      for (const doc of docs) assert.deepEqual(check(all, doc).errors, [], `timers ${JSON.stringify(timers)}, Cilium ${cilium}: ${doc['kind']}`);
    }
  }
  assert.ok(accepted > 30, `only ${accepted} combinations accepted`);
});
