// What the rendered cluster files say: BGP resources select the labelled nodes and peer with their router.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciliumBgpDocs } from '../../lab/render/cilium-bgp.ts';
import { ciliumValues } from '../../lab/render/cilium-values.ts';
import { nodeLabelDocs } from '../../lab/render/node-labels.ts';
import { KUBEPRISM_PORT, talosPatchDocs } from '../../lab/render/talos-patch.ts';
import { TALOS_LINES } from '../../lab/versions/talos.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { loadFixture, referenceWithoutTimers } from './support/topologies.ts';

// The rendered documents are plain data; tests read them loosely typed.
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('every node carries the dc label its datacentre\'s BGP resource selects', () => {
  const m = resolveTopology(loadFixture('three-dc'));
  const labels = nodeLabelDocs(m);
  for (const version of ['1.15.0', '1.20.2']) {
    const docs = ciliumBgpDocs(resolveTopology(loadFixture('three-dc'), { ciliumVersion: version })) as Doc[];
    for (const dc of m.datacentres) {
      const selecting = docs.filter((d) => d['spec']?.nodeSelector?.matchLabels?.dc === dc.name);
      assert.equal(selecting.length, 1, `one resource selects ${dc.name} (Cilium ${version})`);
      const selected = labels.filter((n) => n.metadata.labels['dc'] === dc.name).map((n) => n.metadata.name);
      assert.deepEqual(selected, dc.nodes.map((n) => n.name));
    }
  }
});

test('peering policy (Cilium 1.15): /32 peer address, export of the PodCIDR, lab timers', () => {
  const docs = ciliumBgpDocs(resolveTopology(referenceTopology(), { ciliumVersion: '1.15.x' })) as Doc[];
  assert.deepEqual(docs.map((d) => d['kind']), ['CiliumBGPPeeringPolicy', 'CiliumBGPPeeringPolicy']);
  const vr = docs[1]!['spec'].virtualRouters[0];
  assert.equal(vr.localASN, 65001);
  assert.equal(vr.exportPodCIDR, true);
  assert.deepEqual(vr.neighbors, [{ peerAddress: '10.0.1.1/32', peerASN: 65000, connectRetryTimeSeconds: 5, holdTimeSeconds: 9, keepAliveTimeSeconds: 3 }]);
});

test('BGPv2: plain peer address, PodCIDR advertisement picked by label, timers only when the topology sets them', () => {
  const docs = ciliumBgpDocs(resolveTopology(referenceTopology())) as Doc[];
  const peer = docs.find((d) => d['kind'] === 'CiliumBGPClusterConfig')!['spec'].bgpInstances[0].peers[0];
  assert.equal(peer.peerAddress, '10.0.0.1');
  const peerConfig = docs.find((d) => d['kind'] === 'CiliumBGPPeerConfig')!;
  assert.equal(peer.peerConfigRef.name, peerConfig['metadata'].name);
  const adverts = docs.filter((d) => d['kind'] === 'CiliumBGPAdvertisement');
  const advert = adverts[0]!;
  // The reference has a LoadBalancer Service: the families select the PodCIDR and the Service advertisement.
  assert.deepEqual(peerConfig['spec'].families[0].advertisements.matchExpressions, [{ key: 'advertise', operator: 'In', values: adverts.map((a) => a['metadata'].labels.advertise) }]);
  assert.deepEqual(advert['spec'].advertisements, [{ advertisementType: 'PodCIDR' }]);
  assert.deepEqual(adverts[1]!['spec'].advertisements[0].service, { addresses: ['LoadBalancerIP'] });
  assert.deepEqual(peerConfig['spec'].timers, { connectRetryTimeSeconds: 5, holdTimeSeconds: 9, keepAliveTimeSeconds: 3 });
  const defaults = ciliumBgpDocs(resolveTopology(referenceWithoutTimers())) as Doc[];
  assert.equal(defaults.find((d) => d['kind'] === 'CiliumBGPPeerConfig')!['spec'].timers, undefined);
});

test('Helm values: native routing over the pod CIDR, no masquerade, BGP control plane on', () => {
  const v = ciliumValues(resolveTopology(referenceTopology())) as Doc;
  assert.equal(v['routingMode'], 'native');
  assert.equal(v['ipv4NativeRoutingCIDR'], '10.244.0.0/16');
  assert.equal(v['enableIPv4Masquerade'], false);
  assert.equal(v['tunnelProtocol'], undefined);
  assert.deepEqual(v['bgpControlPlane'], { enabled: true });
  assert.equal(v['kubeProxyReplacement'], true);
  assert.equal(v['k8sServicePort'], 7445);
});

test('Cilium reaches the API server through KubePrism on localhost:7445, and every Talos line serves it there', () => {
  const v = ciliumValues(resolveTopology(referenceTopology())) as Doc;
  assert.deepEqual([v['k8sServiceHost'], v['k8sServicePort']], ['localhost', KUBEPRISM_PORT]);
  for (const line of TALOS_LINES) {
    const common = talosPatchDocs(resolveTopology(referenceTopology(), { talosVersion: `${line.since}.0` })).common as Doc[];
    const fromPatch = common.find((d) => d['machine']?.features?.kubePrism)?.['machine'].features.kubePrism;
    // On by default from 1.6 (contract.go KubePrismEnabled); 1.5 only with the patch.
    if (line.kubePrismByDefault) assert.equal(fromPatch, undefined, line.since);
    else assert.deepEqual(fromPatch, { enabled: true, port: KUBEPRISM_PORT }, line.since);
  }
  assert.ok(TALOS_LINES.some((l) => !l.kubePrismByDefault), 'negative control: the oldest line needs the patch');
});
