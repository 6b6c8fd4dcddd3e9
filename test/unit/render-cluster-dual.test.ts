// What a dual-stack lab's cluster files say, read as facts: Talos's pod and service subnets and mask
// sizes of both families, Cilium's IPv6 values, the BGP peers and families of each session layout, and
// the LB-IPAM pool and Services of both families. Each with its IPv4 negative control. Talos's own
// library, the Helm values schema and the CRDs check the same documents in talos-library.test.ts,
// cilium-values.test.ts, cilium-crd.test.ts and cilium-lb-crd.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciliumBgpDocs, PEER_CONFIG, PEER_CONFIG6 } from '../../lab/render/cilium-bgp.ts';
import { ciliumValues } from '../../lab/render/cilium-values.ts';
import { backendListen, loadBalancerDocs, renderRouterSysctl } from '../../lab/render/load-balancer.ts';
import { CLUSTER_FILES, renderAll, routerPath } from '../../lab/render/index.ts';
import { SERVICE_SUBNET, SERVICE_SUBNET6, talosPatchDocs } from '../../lab/render/talos-patch.ts';
import * as ip6 from '../../lab/topology/cidr6.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology, type ResolveOptions } from '../../lab/topology/resolve.ts';
import type { SessionLayout } from '../../lab/topology/schema.ts';
import { dualStack, loadFixture, VARIANTS, modelOf } from './support/topologies.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dual = (sessions?: SessionLayout, opts: ResolveOptions = {}) => resolveTopology(dualStack(referenceTopology(), sessions), opts);
const ipv4 = (opts: ResolveOptions = {}) => resolveTopology(referenceTopology(), opts);

test('Talos service subnet6: inside the documentation prefix, at most 20 host bits (/108 or longer), clear of every lab IPv6 default', () => {
  const s = ip6.cidr6(SERVICE_SUBNET6);
  assert.ok(ip6.containsCidr6(ip6.DOCUMENTATION6, s));
  assert.ok(s.prefix >= 108, `/${s.prefix}`);
  const m = dual();
  for (const net of [m.routers.peering6!, m.cluster.podCIDR6!, m.internet.wan6!, m.internet.hosts6!, m.loadBalancer!.pool6!, ...m.datacentres.map((d) => d.lan6!)]) {
    assert.ok(!ip6.overlaps6(s, ip6.cidr6(net)), `${SERVICE_SUBNET6} overlaps ${net}`);
  }
});

test('Talos 1.14 (multi-doc): KubeNetworkConfig with both families\' pod and service subnets and both mask sizes', () => {
  const net = (talosPatchDocs(dual()).common as Doc[]).find((d) => d['kind'] === 'KubeNetworkConfig')!;
  assert.deepEqual(net['podSubnets'], ['10.244.0.0/16', '2001:db8:244::/48']);
  assert.deepEqual(net['serviceSubnets'], [SERVICE_SUBNET, SERVICE_SUBNET6]);
  assert.equal(net['nodeCIDRMaskSizeIPv4'], 24);
  assert.equal(net['nodeCIDRMaskSizeIPv6'], 64);
  const v4 = (talosPatchDocs(ipv4()).common as Doc[]).find((d) => d['kind'] === 'KubeNetworkConfig')!;
  assert.deepEqual([v4['podSubnets'], v4['serviceSubnets'], v4['nodeCIDRMaskSizeIPv6']], [['10.244.0.0/16'], [SERVICE_SUBNET], undefined], 'negative control: IPv4');
});

test('Talos before 1.14 (v1alpha1): dual cluster.network lists, and kube-controller-manager gets the per-family mask sizes', () => {
  const docs = talosPatchDocs(dual(undefined, { talosVersion: '1.11.6' }));
  const network = (docs.common[0] as Doc)['cluster'].network;
  assert.deepEqual(network.podSubnets, ['10.244.0.0/16', '2001:db8:244::/48']);
  assert.deepEqual(network.serviceSubnets, [SERVICE_SUBNET, SERVICE_SUBNET6]);
  const args = (docs.controlPlane[0] as Doc)['cluster'].controllerManager.extraArgs;
  assert.equal(args['node-cidr-mask-size'], undefined, 'the single-stack flag kube-controller-manager refuses with two cluster CIDRs');
  assert.deepEqual(args, { 'node-cidr-mask-size-ipv4': '24', 'node-cidr-mask-size-ipv6': '64' });
  const v4 = talosPatchDocs(ipv4({ talosVersion: '1.11.6' }));
  assert.deepEqual((v4.controlPlane[0] as Doc)['cluster'].controllerManager.extraArgs, { 'node-cidr-mask-size-ipv4': '24' }, 'negative control: IPv4');
  assert.deepEqual((v4.common[0] as Doc)['cluster'].network.podSubnets, ['10.244.0.0/16']);
});

test('Cilium values: IPv6 on, its native-routing CIDR the IPv6 pod CIDR, no IPv6 masquerade; IPv4 untouched', () => {
  const v = ciliumValues(dual());
  assert.deepEqual(v['ipv6'], { enabled: true });
  assert.equal(v['ipv6NativeRoutingCIDR'], '2001:db8:244::/48');
  assert.equal(v['enableIPv6Masquerade'], false);
  assert.equal(v['ipv4NativeRoutingCIDR'], '10.244.0.0/16');
  assert.deepEqual(v['ipam'], { mode: 'kubernetes' });
  const v4 = ciliumValues(ipv4());
  for (const k of ['ipv6', 'ipv6NativeRoutingCIDR', 'enableIPv6Masquerade']) assert.equal(v4[k], undefined, `negative control: IPv4 has no ${k}`);
  assert.deepEqual(Object.keys(v).filter((k) => !(k in v4)), ['ipv6', 'ipv6NativeRoutingCIDR', 'enableIPv6Masquerade'], 'only IPv6 keys added');
});

function clusterConfigs(docs: Doc[]): Doc[] {
  return docs.filter((d) => d['kind'] === 'CiliumBGPClusterConfig');
}

function peerConfig(docs: Doc[], name: string): Doc {
  const d = docs.find((x) => x['kind'] === 'CiliumBGPPeerConfig' && x['metadata'].name === name);
  assert.ok(d, `no PeerConfig ${name}`);
  return d;
}

test('BGP per-family: a second peer per router at its IPv6 address, with a PeerConfig carrying ipv6 unicast only', () => {
  const m = dual();
  const docs = ciliumBgpDocs(m) as Doc[];
  for (const [i, cc] of clusterConfigs(docs).entries()) {
    const router = m.datacentres[i]!.routers[0]!;
    assert.deepEqual(cc['spec'].bgpInstances[0].peers.map((p: Doc) => [p['name'], p['peerAddress'], p['peerASN'], p['peerConfigRef'].name]), [
      [router.name, router.address, 65000, PEER_CONFIG],
      [`${router.name}-v6`, router.address6, 65000, PEER_CONFIG6],
    ]);
  }
  const families = (name: string) => peerConfig(docs, name)['spec'].families.map((f: Doc) => `${f['afi']} ${f['safi']}`);
  assert.deepEqual(families(PEER_CONFIG), ['ipv4 unicast']);
  assert.deepEqual(families(PEER_CONFIG6), ['ipv6 unicast']);
  // Both families select the same advertisements (PodCIDR and Services), and keep the lab timers.
  assert.deepEqual(peerConfig(docs, PEER_CONFIG6)['spec'].families[0].advertisements, peerConfig(docs, PEER_CONFIG)['spec'].families[0].advertisements);
  assert.deepEqual(peerConfig(docs, PEER_CONFIG6)['spec'].timers, peerConfig(docs, PEER_CONFIG)['spec'].timers);
  assert.deepEqual(docs.filter((d) => d['kind'] === 'CiliumBGPAdvertisement'), (ciliumBgpDocs(ipv4()) as Doc[]).filter((d) => d['kind'] === 'CiliumBGPAdvertisement'),
    'the advertisements are family-neutral: the same documents as IPv4');
});

test('BGP mp-over-v4: one IPv4 peer per router, its PeerConfig carrying ipv4 and ipv6 unicast', () => {
  const docs = ciliumBgpDocs(dual('mp-over-v4')) as Doc[];
  for (const cc of clusterConfigs(docs)) assert.equal(cc['spec'].bgpInstances[0].peers.length, 1);
  assert.deepEqual(docs.filter((d) => d['kind'] === 'CiliumBGPPeerConfig').map((d) => d['metadata'].name), [PEER_CONFIG]);
  const fams = peerConfig(docs, PEER_CONFIG)['spec'].families as Doc[];
  assert.deepEqual(fams.map((f) => f['afi']), ['ipv4', 'ipv6']);
  assert.deepEqual(fams[1]!['advertisements'], fams[0]!['advertisements']);
});

test('negative control: IPv4 labs render one IPv4 peer per router and an ipv4-only PeerConfig', () => {
  for (const v of VARIANTS) {
    const m = modelOf(v, { ciliumVersion: '1.20.2' });
    const docs = ciliumBgpDocs(m) as Doc[];
    for (const cc of clusterConfigs(docs)) {
      const routers = m.datacentres.find((d) => d.name === cc['metadata'].name)!.routers;
      assert.deepEqual(cc['spec'].bgpInstances[0].peers.map((p: Doc) => p['peerAddress']), routers.map((r) => r.address), v.name);
    }
    assert.deepEqual(docs.filter((d) => d['kind'] === 'CiliumBGPPeerConfig').map((d) => d['spec'].families.map((f: Doc) => f['afi'])), [['ipv4']], v.name);
  }
});

test('LB: the pool holds both blocks; every Service requires both families and asks for one address of each', () => {
  const t = dualStack(referenceTopology());
  t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
  t.loadBalancer = { pool: '10.250.0.0/28', pool6: '2001:db8:250::/120' };
  t.services = [
    { name: 'web', port: 80, backends: ['worker-1', 'worker-2'], address: '10.250.0.5', address6: '2001:db8:250::5' },
    { name: 'api', port: 8080, backends: ['controlplane-1'] },
  ];
  const docs = loadBalancerDocs(resolveTopology(t)) as Doc[];
  assert.deepEqual(docs[0]!['spec'].blocks, [{ cidr: '10.250.0.0/28' }, { cidr: '2001:db8:250::/120' }]);
  const services = docs.filter((d) => d['kind'] === 'Service');
  assert.deepEqual(services.map((s) => [s['metadata'].name, s['metadata'].annotations['lbipam.cilium.io/ips'], s['spec'].ipFamilyPolicy, s['spec'].ipFamilies]), [
    ['web', '10.250.0.5,2001:db8:250::5', 'RequireDualStack', ['IPv4', 'IPv6']],
    ['api', '10.250.0.1,2001:db8:250::1', 'RequireDualStack', ['IPv4', 'IPv6']],
  ]);
  // Backends listen on IPv6's any address, whose socket takes IPv4 clients too.
  for (const pod of docs.filter((d) => d['kind'] === 'Pod')) assert.deepEqual(pod['spec'].containers[0].command.slice(0, 3), ['tcpsvd', '::', String(pod['spec'].containers[0].ports[0].containerPort)]);
  assert.equal(backendListen(false), '0.0.0.0');
});

test('LB: the routers spread IPv6 connections over equal-cost routes too', () => {
  const files = renderAll(dual());
  assert.equal(files.get(routerPath('dc1', 'sysctl')), renderRouterSysctl(true));
  assert.match(renderRouterSysctl(true), /^net\.ipv4\.fib_multipath_hash_policy=1\nnet\.ipv6\.fib_multipath_hash_policy=1\n$/m);
  assert.doesNotMatch(renderAll(ipv4()).get(routerPath('dc1', 'sysctl'))!, /ipv6/, 'negative control: IPv4');
});

test('negative control: an IPv4 lab\'s Services and pool name one family', () => {
  const docs = loadBalancerDocs(ipv4()) as Doc[];
  assert.deepEqual(docs[0]!['spec'].blocks, [{ cidr: '10.250.0.0/28' }]);
  const svc = docs.find((d) => d['kind'] === 'Service')!;
  assert.equal(svc['spec'].ipFamilyPolicy, undefined);
  assert.equal(svc['spec'].ipFamilies, undefined);
  assert.equal(svc['metadata'].annotations['lbipam.cilium.io/ips'], '10.250.0.1');
  assert.equal(docs.find((d) => d['kind'] === 'Pod')!['spec'].containers[0].command[1], '0.0.0.0');
});

test('a dual-stack lab without a pool renders no load-balancer file, and every-key keeps its v2alpha1 API', () => {
  const t = dualStack(referenceTopology());
  delete t.loadBalancer;
  delete t.services;
  assert.equal(renderAll(resolveTopology(t)).has(CLUSTER_FILES.loadBalancer), false);
  const ek = ciliumBgpDocs(resolveTopology(dualStack(loadFixture('every-key')))) as Doc[];
  assert.ok(ek.every((d) => d['apiVersion'] === 'cilium.io/v2alpha1'));
  assert.equal(clusterConfigs(ek)[0]!['spec'].bgpInstances[0].peers[1].peerAddress, '2001:db8:10::253');
});
