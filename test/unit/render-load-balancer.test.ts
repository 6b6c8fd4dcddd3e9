// What the LoadBalancer rendering says, read as facts: backend pods pinned to their nodes, Services
// with the policy and address of the topology, the routers accepting the pool's /32s (and BIRD's own
// parser accepting the result), and nothing of it when the topology has no pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CLUSTER_FILES, renderAll, routerPath } from '../../lab/render/index.ts';
import { BACKEND_IMAGE } from '../../lab/render/load-balancer.ts';
import { PROBE_IMAGE } from '../../lab/runtime/vm/pins.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { birdParse } from './support/bird.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function twoServices(): Topology {
  const t = referenceTopology();
  t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
  t.loadBalancer = { pool: '10.250.0.0/28', mode: 'dsr' };
  t.services = [
    { name: 'web', port: 80, trafficPolicy: 'Cluster', backends: ['worker-1', 'worker-2'], address: '10.250.0.1' },
    { name: 'api', port: 8080, backends: ['controlplane-1'] },
  ];
  return t;
}

const docs = (t: Topology) => parseAllDocuments(renderAll(resolveTopology(t)).get(CLUSTER_FILES.loadBalancer)!).map((d) => d.toJS() as Doc);

test('Services: type LoadBalancer, the policy (default Cluster), the address (given, or the pool\'s next free one)', () => {
  const services = docs(twoServices()).filter((d) => d['kind'] === 'Service');
  assert.deepEqual(services.map((s) => [s['metadata'].name, s['spec'].type, s['spec'].externalTrafficPolicy, s['metadata'].annotations['lbipam.cilium.io/ips'], s['spec'].ports[0].port]),
    [['web', 'LoadBalancer', 'Cluster', '10.250.0.1', 80], ['api', 'LoadBalancer', 'Cluster', '10.250.0.2', 8080]]);
});

test('backend pods: one per backend node, pinned there, selected by their Service, the image the VM lab pins', () => {
  const all = docs(twoServices());
  const pods = all.filter((d) => d['kind'] === 'Pod');
  assert.deepEqual(pods.map((p) => [p['metadata'].name, p['spec'].nodeName, p['metadata'].labels['app.kubernetes.io/name']]),
    [['web-worker-1', 'worker-1', 'web'], ['web-worker-2', 'worker-2', 'web'], ['api-controlplane-1', 'controlplane-1', 'api']]);
  for (const p of pods) assert.equal(p['spec'].containers[0].image, BACKEND_IMAGE);
  assert.equal(BACKEND_IMAGE, PROBE_IMAGE, 'one pinned BusyBox for probes and backends');
  const web = all.find((d) => d['kind'] === 'Service' && d['metadata'].name === 'web')!;
  assert.deepEqual(web['spec'].selector, { 'app.kubernetes.io/name': 'web' });
});

test('routers accept the pool\'s /32s from nodes, install equal-cost routes, hash per connection; BIRD parses it', () => {
  const files = renderAll(resolveTopology(twoServices()));
  const dir = mkdtempSync(path.join(tmpdir(), 'nrl-lb-bird-'));
  for (const dc of ['dc1', 'dc2']) {
    const conf = files.get(routerPath(dc, 'bird.conf'))!;
    assert.match(conf, /^define LB_POOL = \[ 10\.250\.0\.0\/28\{32,32\} \];$/m);
    assert.match(conf, /import where net ~ POD_CIDRS \|\| net ~ LB_POOL;/);
    assert.match(conf, /protocol kernel \{[^}]*merge paths on;/);
    assert.equal(files.get(routerPath(dc, 'sysctl')), '# Rendered by native-routing-lab: spread connections over equal-cost routes (several nodes announcing one service address).\nnet.ipv4.fib_multipath_hash_policy=1\n');
    const file = path.join(dir, `${dc}.conf`);
    writeFileSync(file, conf);
    const r = birdParse(file);
    assert.equal(r.ok, true, r.stderr);
  }
  // Negative control: BIRD refuses a filter naming an undefined set.
  const broken = path.join(dir, 'broken.conf');
  writeFileSync(broken, files.get(routerPath('dc1', 'bird.conf'))!.replace(/^define LB_POOL.*$/m, ''));
  assert.equal(birdParse(broken).ok, false);
});

test('no pool, no LoadBalancer output: no load-balancer.yaml, no sysctl file, the pod-CIDR-only filter', () => {
  const t = referenceTopology();
  delete t.loadBalancer;
  delete t.services;
  const files = renderAll(resolveTopology(t));
  assert.equal(files.has(CLUSTER_FILES.loadBalancer), false);
  assert.equal(files.has(routerPath('dc1', 'sysctl')), false);
  assert.match(files.get(routerPath('dc1', 'bird.conf'))!, /import where net ~ POD_CIDRS;/);
  assert.doesNotMatch(files.get(routerPath('dc1', 'bird.conf'))!, /LB_POOL|merge paths/);
  assert.doesNotMatch(files.get(CLUSTER_FILES.ciliumBgp)!, /serviceSelector|advertisementType: Service/);
});
