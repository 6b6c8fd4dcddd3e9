// What the speakers are fed: the manifests, then what the cluster's API server holds (a Node and a
// CiliumNode per node, an EndpointSlice per Service with ready backends). Pure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLUSTER_FILES, renderAll } from '../../../lab/render/index.ts';
import { twinServices } from '../../../lab/runtime/twin/lb-twin.ts';
import { clusterObjects, nodeLabels } from '../../../lab/runtime/twin/speaker/cluster-objects.ts';
import { labManifests } from '../../../lab/runtime/twin/speaker/manifests.ts';
import { loadModel } from '../../../lab/topology/load.ts';

const model = loadModel(undefined, 'reference');
const files = renderAll(model);
const kinds = (docs: { object: { kind: string; metadata: { name: string } } }[]) => docs.map((d) => `${d.object.kind}/${d.object.metadata.name}`);

test('the rendered manifests are fed whole but for the backend Pods, which their EndpointSlice stands for', () => {
  const m = labManifests(files);
  assert.deepEqual(kinds(m.used), ['CiliumBGPClusterConfig/dc1', 'CiliumBGPClusterConfig/dc2', 'CiliumBGPPeerConfig/router', 'CiliumBGPAdvertisement/pod-cidr',
    'CiliumBGPAdvertisement/services', 'CiliumLoadBalancerIPPool/lab-pool', 'Service/web']);
  assert.deepEqual(m.unused, [], 'the rendered Pods are not named as unused');
});

test('a user\'s file replaces the rendered BGP resources, keeps the lab\'s Services, and may replace one by name', () => {
  const own = [
    'apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfig\nmetadata: {name: mine}\nspec: {bgpInstances: []}',
    'apiVersion: cilium.io/v2\nkind: CiliumLoadBalancerIPPool\nmetadata: {name: lab-pool}\nspec: {blocks: [{cidr: 10.250.0.0/29}]}',
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: tenant}',
  ].join('\n---\n');
  const m = labManifests(files, own);
  assert.deepEqual(kinds(m.used), ['Service/web', 'CiliumBGPClusterConfig/mine', 'CiliumLoadBalancerIPPool/lab-pool']);
  assert.match((m.used[2]!.object.spec!['blocks'] as { cidr: string }[])[0]!.cidr, /\/29$/, 'the user\'s pool, not the rendered one');
  assert.deepEqual(m.unused.map((l) => l.split(':')[0]), ['Namespace tenant']);
});

test('a Node and a CiliumNode per node: the labels Cilium selects by, the pod CIDR, the InternalIP', () => {
  const objs = clusterObjects(model, files, [], twinServices(model, files));
  const node = objs.find((d) => d.object.kind === 'Node' && d.object.metadata.name === 'controlplane-1')!.object;
  const cn = objs.find((d) => d.object.kind === 'CiliumNode' && d.object.metadata.name === 'worker-1')!.object;
  assert.deepEqual(node.metadata.labels, { 'kubernetes.io/hostname': 'controlplane-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/control-plane': '', dc: 'dc1' });
  assert.deepEqual(node.spec, { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
  assert.equal(cn.metadata.labels!['dc'], 'dc2');
  assert.equal(cn.metadata.labels!['node-role.kubernetes.io/control-plane'], undefined, 'a worker has no control-plane role');
  assert.deepEqual(cn.spec, { addresses: [{ type: 'InternalIP', ip: '10.0.1.10' }, { type: 'CiliumInternalIP', ip: '10.244.1.1' }], ipam: { podCIDRs: ['10.244.1.0/24'] } });
});

test('an EndpointSlice per Service with ready backends, each endpoint on its node (what Local policy reads)', () => {
  const objs = clusterObjects(model, files, [], twinServices(model, files));
  const slices = objs.filter((d) => d.object.kind === 'EndpointSlice').map((d) => d.object);
  assert.equal(slices.length, 1);
  assert.deepEqual(slices[0]!.metadata.labels!['kubernetes.io/service-name'], 'web');
  assert.deepEqual(slices[0]!['endpoints'], [{ addresses: ['10.244.1.20'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'worker-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-worker-1' } }]);
  // Negative control: without backends (no Pod rendered for the Service) there is no slice.
  const noPods = new Map(files);
  noPods.set(CLUSTER_FILES.loadBalancer, files.get(CLUSTER_FILES.loadBalancer)!.split('\n---\n').filter((d) => !/^kind: Pod$/m.test(d)).join('\n---\n'));
  assert.equal(clusterObjects(model, noPods, [], twinServices(model, noPods)).filter((d) => d.object.kind === 'EndpointSlice').length, 0);
});

test('node labels: the rendered file\'s own win over the well-known ones', () => {
  const t = loadModel('name: l\nrouters: {asn: 65000, peering: 172.16.0.0/24}\ncluster: {asn: 65001, podCIDR: 10.244.0.0/16, nodeMaskSize: 24}\ndatacentres:\n  - name: dc1\n    lan: 10.0.0.0/24\n    nodes: [{name: n1, role: worker, labels: {rack: r1, kubernetes.io/os: plan9}}]\n', 't');
  assert.deepEqual(nodeLabels(t, renderAll(t)).get('n1'), { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'plan9', 'kubernetes.io/arch': 'amd64', dc: 'dc1', rack: 'r1' });
});
