// How the emulated speaker reads Cilium BGP resources, as the agent would: selectors, conflicts,
// advertisements; and how the twin reads a manifest stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciliumBgpDocs } from '../../../lab/render/cilium-bgp.ts';
import { yamlDocs } from '../../../lab/render/yaml.ts';
import { gobgpToml, nodeIntent } from '../../../lab/runtime/twin/speaker/emulated-intent.ts';
import { selects } from '../../../lab/runtime/twin/label-selector.ts';
import { readManifests } from '../../../lab/runtime/twin/speaker/manifests.ts';
import { InputError } from '../../../lab/topology/errors.ts';
import { loadModel } from '../../../lab/topology/load.ts';

const node = { name: 'worker-1', labels: { dc: 'dc2', rack: 'r7' }, podCIDR: '10.244.1.0/24' };

function docsFor(ciliumVersion: string) {
  const m = loadModel(undefined, 'reference', { ciliumVersion });
  return readManifests(yamlDocs('test', ciliumBgpDocs(m)), 'test').used.map((d) => d.object);
}

test('matchLabels and every matchExpressions operator select as Kubernetes does', () => {
  assert.ok(selects({ matchLabels: { dc: 'dc2' } }, node.labels));
  assert.ok(!selects({ matchLabels: { dc: 'dc1' } }, node.labels));
  assert.ok(selects({ matchExpressions: [{ key: 'dc', operator: 'In', values: ['dc1', 'dc2'] }] }, node.labels));
  assert.ok(!selects({ matchExpressions: [{ key: 'dc', operator: 'NotIn', values: ['dc2'] }] }, node.labels));
  assert.ok(selects({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, node.labels));
  assert.ok(selects({ matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, node.labels));
  assert.ok(!selects({ matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }, node.labels));
  assert.ok(!selects({ matchExpressions: [{ key: 'rack', operator: 'Bogus' }] }, node.labels));
  assert.ok(selects(undefined, node.labels), 'no selector selects every node');
});

for (const [version, api] of [['1.15.0', 'peering policy'], ['1.17.0', 'BGPv2 v2alpha1'], ['1.20.2', 'BGPv2 v2']] as const) {
  test(`Cilium ${version} (${api}): the dc2 node peers with its router, with the lab timers, and advertises its PodCIDR`, () => {
    const intent = nodeIntent(docsFor(version), node);
    assert.equal(intent.localAsn, 65001);
    assert.deepEqual(intent.peers, [{ address: '10.0.1.1', asn: 65000, families: ['ipv4'], connectRetry: 5, hold: 9, keepalive: 3 }]);
    assert.deepEqual(intent.advertise, ['10.244.1.0/24']);
  });
}

test('a node no resource selects runs no speaker, and says why', () => {
  const intent = nodeIntent(docsFor('1.20.2'), { ...node, labels: { dc: 'dc9' } });
  assert.equal(intent.localAsn, undefined);
  assert.deepEqual(intent.notes, ['no BGP resource selects this node']);
});

test('two cluster configs selecting one node: Cilium runs neither', () => {
  const docs = docsFor('1.20.2');
  const clash = structuredClone(docs.find((d) => d.kind === 'CiliumBGPClusterConfig')!);
  clash.metadata!.name = 'everyone';
  clash.spec!['nodeSelector'] = { matchExpressions: [{ key: 'dc', operator: 'Exists' }] };
  const intent = nodeIntent([...docs, clash], node);
  assert.equal(intent.peers.length, 0);
  assert.match(intent.notes[0]!, /several resources select this node \(dc2, everyone\)/);
});

test('a peer config without an advertisement selector advertises nothing', () => {
  const docs = docsFor('1.20.2');
  for (const f of docs.find((d) => d.kind === 'CiliumBGPPeerConfig')!.spec!['families'] as Record<string, unknown>[]) delete f['advertisements'];
  assert.deepEqual(nodeIntent(docs, node).advertise, []);
});

test('a manifest stream as kubectl takes it: used kinds fed, other kinds named once, namespaces defaulted', () => {
  const text = [
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: bgp}',
    'apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfig\nmetadata: {name: x}\nspec: {bgpInstances: []}',
    'apiVersion: v1\nkind: Secret\nmetadata: {name: bgp-auth}\nstringData: {password: s}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}',
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}',
    '',
  ].join('\n---\n');
  const m = readManifests(text, 'f.yaml');
  assert.deepEqual(m.used.map((d) => `${d.object.kind}/${d.object.metadata.namespace ?? '-'}/${d.object.metadata.name}`), ['CiliumBGPClusterConfig/-/x', 'Secret/default/bgp-auth']);
  assert.equal(m.used[1]!.source, 'f.yaml document 3 (Secret/bgp-auth)');
  assert.deepEqual(m.unused.map((l) => l.split(':')[0]), ['Namespace bgp', 'Deployment web, db', 'CiliumNetworkPolicy p']);
});

test('malformed documents are input errors naming the document and field', () => {
  const issue = (text: string) => {
    try {
      readManifests(text, 'f.yaml');
    } catch (e) {
      assert.ok(e instanceof InputError);
      return e.issues[0]!.field;
    }
    assert.fail('no error');
  };
  assert.equal(issue('kind: ConfigMap\nmetadata: {name: x}\n'), 'f.yaml document 1 (ConfigMap/x).apiVersion');
  assert.equal(issue('apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfig\nmetadata: {}\n'), 'f.yaml document 1.metadata.name');
  assert.equal(issue('apiVersion: v1\nkind: List\nmetadata: {name: l}\nitems: []\n'), 'f.yaml document 1 (List/l).kind');
  assert.equal(issue('a: [1\n'), 'f.yaml document 1');
  assert.equal(issue('- 1\n- 2\n'), 'f.yaml document 1');
});

test('the GoBGP config carries ASN, router id, peers and timers, and does not listen (like Cilium) unless asked', () => {
  const toml = gobgpToml(nodeIntent(docsFor('1.20.2'), node), '10.0.1.10');
  for (const line of ['as = 65001', 'router-id = "10.0.1.10"', 'port = -1', 'local-address-list = ["10.0.1.10"]', 'neighbor-address = "10.0.1.1"',
    'peer-as = 65000', 'connect-retry = 5', 'hold-time = 9', 'keepalive-interval = 3', 'afi-safi-name = "ipv4-unicast"']) {
    assert.ok(toml.includes(line), line);
  }
  assert.ok(gobgpToml(nodeIntent(docsFor('1.20.2'), node), '10.0.1.10', { listen: true }).includes('port = 179'), 'the listening emulation');
});
