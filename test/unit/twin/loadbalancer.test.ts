// The twin's pure LoadBalancer parts: Services read from the rendered manifests as LB-IPAM would,
// which nodes announce which address (per API and policy), the node datapath's nft rules, and the
// parsers for equal-cost routes and the backends' answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_FILES, renderAll } from '../../../lab/render/index.ts';
import { parseWhoAmI } from '../../../lab/runtime/lab.ts';
import { parseRoutes } from '../../../lab/runtime/parsers.ts';
import { nodeIntent } from '../../../lab/runtime/twin/speaker/emulated-intent.ts';
import { readManifests } from '../../../lab/runtime/twin/speaker/manifests.ts';
import { serviceNft } from '../../../lab/runtime/twin/datapath.ts';
import { twinServices } from '../../../lab/runtime/twin/lb-twin.ts';
import { serviceIntents } from '../../../lab/runtime/twin/lb-services.ts';
import type { LabModel } from '../../../lab/topology/model.ts';
import { referenceTopology } from '../../../lab/topology/reference.ts';
import { resolveTopology, type ResolveOptions } from '../../../lab/topology/resolve.ts';
import type { Topology } from '../../../lab/topology/schema.ts';

function lab(mutate: (t: Topology) => void = () => undefined, opts: ResolveOptions = {}) {
  const t = referenceTopology();
  mutate(t);
  const model: LabModel = resolveTopology(t, opts);
  const files = renderAll(model);
  return { model, files, services: twinServices(model, files) };
}

function announced(l: ReturnType<typeof lab>): Record<string, string[]> {
  const docs = readManifests(l.files.get(CLUSTER_FILES.ciliumBgp)!, 'test').used.map((d) => d.object);
  return Object.fromEntries(l.model.datacentres.flatMap((d) => d.nodes).map((n) => [n.name, nodeIntent(docs, { name: n.name, labels: { ...n.labels }, podCIDR: n.podCIDR }, l.services).advertise]));
}

test('LB-IPAM as the twin reads it: the reference\'s web at 10.250.0.1:80, Local, its backend on worker-1, on every API line', () => {
  for (const cilium of ['1.14.0', '1.15.0', '1.17.0', '1.20.2']) {
    const { services } = lab(undefined, { ciliumVersion: cilium });
    assert.deepEqual(services, [{
      name: 'web', labels: { 'native-routing-lab/advertise': 'bgp' }, address: '10.250.0.1', targetPort: 80,
      ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }, { protocol: 'UDP', port: 7072, targetPort: 7072 }], policy: 'Local',
      backends: [{ pod: 'web-worker-1', node: 'worker-1', address: '10.244.1.20' }], notes: [],
    }], cilium);
  }
});

test('negative controls: an address outside every pool, or a pool that selects nothing, leaves the Service pending', () => {
  const { files, model } = lab();
  const text = files.get(CLUSTER_FILES.loadBalancer)!;
  const placed = () => undefined;
  const outside = serviceIntents(text.replace('lbipam.cilium.io/ips: 10.250.0.1', 'lbipam.cilium.io/ips: 10.251.0.1'), placed)[0]!;
  assert.equal(outside.address, undefined);
  assert.match(outside.notes.join(), /requested 10\.251\.0\.1 is in no pool/);
  const unselected = serviceIntents(text.replace('native-routing-lab/advertise: bgp\n---', 'native-routing-lab/advertise: other\n---'), placed)[0]!;
  assert.equal(unselected.address, undefined);
  assert.match(unselected.notes.join(), /no CiliumLoadBalancerIPPool selects it/);
  assert.equal(model.services[0]!.address, '10.250.0.1');
});

test('announcements: Local only from the backend\'s node, Cluster from every node, peering policy and BGPv2 alike', () => {
  for (const cilium of ['1.15.0', '1.20.2']) {
    assert.deepEqual(announced(lab(undefined, { ciliumVersion: cilium })), { 'controlplane-1': ['10.244.0.0/24'], 'worker-1': ['10.244.1.0/24', '10.250.0.1/32'] }, cilium);
    const cluster = announced(lab((t) => { t.services![0]!.trafficPolicy = 'Cluster'; }, { ciliumVersion: cilium }));
    assert.deepEqual(cluster, { 'controlplane-1': ['10.244.0.0/24', '10.250.0.1/32'], 'worker-1': ['10.244.1.0/24', '10.250.0.1/32'] }, cilium);
  }
});

test('negative control: a Service advertisement without a selector, or without LoadBalancerIP, announces nothing', () => {
  const l = lab();
  const text = l.files.get(CLUSTER_FILES.ciliumBgp)!;
  const without = (edit: (s: string) => string) => {
    const docs = readManifests(edit(text), 'test').used.map((d) => d.object);
    return nodeIntent(docs, { name: 'worker-1', labels: { dc: 'dc2' }, podCIDR: '10.244.1.0/24' }, l.services).advertise;
  };
  assert.deepEqual(without((s) => s), ['10.244.1.0/24', '10.250.0.1/32']);
  assert.deepEqual(without((s) => s.replace(/\n {6}selector:\n {8}matchLabels:\n {10}native-routing-lab\/advertise: bgp/, '')), ['10.244.1.0/24']);
  assert.deepEqual(without((s) => s.replace('- LoadBalancerIP', '- ClusterIP')), ['10.244.1.0/24']);
});

test('node datapath: Local DNATs to the node\'s own backend, a node without one drops; Cluster+snat SNATs to the node; dsr rewrites statelessly', () => {
  const local = lab();
  const worker = serviceNft({ name: 'worker-1', address: '10.0.1.10' }, local.services, 'snat')!;
  assert.match(worker, /ip daddr 10\.250\.0\.1 tcp dport 80 dnat to 10\.244\.1\.20:80/);
  assert.doesNotMatch(worker, /snat to/);
  const cp = serviceNft({ name: 'controlplane-1', address: '10.0.0.10' }, local.services, 'snat')!;
  assert.match(cp, /ip daddr 10\.250\.0\.1 tcp dport 80 counter drop/);
  assert.doesNotMatch(cp, /dnat to/);

  const cluster = lab((t) => { t.services![0]!.trafficPolicy = 'Cluster'; });
  const snat = serviceNft({ name: 'controlplane-1', address: '10.0.0.10' }, cluster.services, 'snat')!;
  assert.match(snat, /dnat to 10\.244\.1\.20:80/);
  assert.match(snat, /ct original ip daddr 10\.250\.0\.1 oifname != "lxc\*" snat to 10\.0\.0\.10/);
  const dsr = serviceNft({ name: 'controlplane-1', address: '10.0.0.10' }, cluster.services, 'dsr')!;
  assert.match(dsr, /jhash ip saddr \. tcp sport mod 1 vmap \{ 0 : jump lb_dsr_0_0 \}/);
  assert.match(dsr, /ip daddr set 10\.244\.1\.20 ip dscp set 40 notrack/);
  assert.doesNotMatch(dsr, /snat to/);
  const backendSide = serviceNft({ name: 'worker-1', address: '10.0.1.10' }, cluster.services, 'dsr')!;
  assert.match(backendSide, /ip dscp 40 ip daddr 10\.244\.1\.20 tcp dport 80 ip daddr set 10\.250\.0\.1 tcp dport set 80 meta mark set 0x1000 accept/);
  assert.equal(serviceNft({ name: 'x', address: '10.0.0.9' }, [], 'snat'), undefined, 'no services, no table');
});

test('the loss meter\'s UDP port is balanced as the Service declares it, in every mode; a Service without it gets no UDP rule', () => {
  const local = lab();
  assert.match(serviceNft({ name: 'worker-1', address: '10.0.1.10' }, local.services, 'snat')!, /ip daddr 10\.250\.0\.1 udp dport 7072 dnat to 10\.244\.1\.20:7072/);
  assert.match(serviceNft({ name: 'controlplane-1', address: '10.0.0.10' }, local.services, 'snat')!, /ip daddr 10\.250\.0\.1 udp dport 7072 counter drop/);
  const cluster = lab((t) => { t.services![0]!.trafficPolicy = 'Cluster'; });
  const dsr = serviceNft({ name: 'controlplane-1', address: '10.0.0.10' }, cluster.services, 'dsr')!;
  assert.match(dsr, /ip daddr 10\.250\.0\.1 udp dport 7072 jhash ip saddr \. udp sport mod 1 vmap \{ 0 : jump lb_dsr_0_0 \}/);
  assert.equal(dsr.match(/chain lb_dsr_0_0 \{/g)?.length, 1, 'one hop chain per backend, shared by the ports');
  assert.match(serviceNft({ name: 'worker-1', address: '10.0.1.10' }, cluster.services, 'dsr')!, /ip dscp 40 ip daddr 10\.244\.1\.20 udp dport 7072 ip daddr set 10\.250\.0\.1 udp dport set 7072/);
  // Negative control: Cilium balances only declared ports; without the UDP port the datagrams match nothing.
  const text = local.files.get(CLUSTER_FILES.loadBalancer)!.replace(/\n {4}- name: loss-meter\n {6}protocol: UDP\n {6}port: 7072\n {6}targetPort: 7072/, '');
  const tcpOnly = serviceIntents(text, (pod) => (pod === 'web-worker-1' ? { name: pod, service: 'web', node: 'worker-1', address: '10.244.1.20', gateway: '10.244.1.1' } : undefined));
  assert.deepEqual(tcpOnly[0]!.ports, [{ protocol: 'TCP', port: 80, targetPort: 80 }]);
  assert.doesNotMatch(serviceNft({ name: 'worker-1', address: '10.0.1.10' }, tcpOnly, 'snat')!, /udp/);
});

test('parsers: an equal-cost route lists every next hop; a backend answers with the client address and its own', () => {
  const routes = parseRoutes(JSON.stringify([
    { dst: '10.250.0.1', protocol: 'bird', metric: 32, flags: [], nexthops: [{ gateway: '10.0.1.10', dev: 'br-lan', weight: 1, flags: [] }, { gateway: '10.0.1.11', dev: 'br-lan', weight: 1, flags: [] }] },
    { dst: '10.244.1.0/24', gateway: '10.0.1.10', dev: 'br-lan', protocol: 'bird' },
  ]));
  assert.deepEqual(routes[0], { dst: '10.250.0.1/32', protocol: 'bird', nexthops: ['10.0.1.10', '10.0.1.11'], dev: 'br-lan' });
  assert.equal(routes[1]!.nexthops, undefined);
  assert.deepEqual(parseWhoAmI('10.0.0.254 10.244.1.20\n'), { seenSource: '10.0.0.254', answeredBy: '10.244.1.20' });
  assert.deepEqual(parseWhoAmI('10.0.0.254\n'), { seenSource: '10.0.0.254' });
  assert.equal(parseWhoAmI('connection refused'), undefined);
  // socat's IPv6 form: full and bracketed; an IPv4 client of a dual-stack socket is IPv4-mapped.
  assert.deepEqual(parseWhoAmI('[2001:0db8:0010:0000:0000:0000:0000:0254] [2001:0db8:0244:0001:0000:0000:0000:0020]\n'), { seenSource: '2001:db8:10::254', answeredBy: '2001:db8:244:1::20' });
  assert.deepEqual(parseWhoAmI('[0000:0000:0000:0000:0000:ffff:0a00:00fe] [0000:0000:0000:0000:0000:ffff:0af4:0114]'), { seenSource: '10.0.0.254', answeredBy: '10.244.1.20' });
  assert.deepEqual(parseWhoAmI('::ffff:10.0.0.254'), { seenSource: '10.0.0.254' });
  assert.equal(parseWhoAmI('[2001:db8::zz]'), undefined);
});
