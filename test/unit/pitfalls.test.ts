// Each pitfall changes exactly the generated config it names; running them is test/twin's job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PITFALLS, pitfall } from '../../lab/pitfalls/index.ts';
import { CLUSTER_FILES, renderAll, routerPath } from '../../lab/render/index.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { repoRoot } from './support/paths.ts';
import { twoRouters } from './support/topologies.ts';

const clean = renderAll(resolveTopology(referenceTopology()));
const apply = (name: string) => pitfall(name)!.apply(referenceTopology(), {});
const changed = (files: Map<string, string>) => [...files.keys()].filter((k) => files.get(k) !== clean.get(k)).sort();

test('every pitfall names its mistake, its fix and what it breaks', () => {
  assert.deepEqual(PITFALLS.map((p) => p.name), ['same-asn', 'dns-localservice', 'node-masquerade', 'tunnel', 'no-export', 'etp-cluster-snat', 'lb-import-filter', 'masq-invalid', 'v6-over-v4-session', 'v4-over-v6-session', 'v6-not-advertised', 'first-router-only', 'no-merge-paths']);
  for (const p of PITFALLS) assert.ok(p.mistake.length > 20 && p.fix.length > 10, p.name);
});

test('same-asn renders what validation would refuse: nodes peer in the routers\' AS', () => {
  const r = apply('same-asn');
  assert.equal(r.model.cluster.asn, 65000);
  assert.match(r.files.get(routerPath('dc1', 'bird.conf'))!, /neighbor 10\.0\.0\.10 as 65000;/);
  assert.throws(() => resolveTopology({ ...referenceTopology(), cluster: { ...referenceTopology().cluster, asn: 65000 } }), /cluster\.asn/);
});

test('dns-localservice flips localservice in every dhcp file and nothing else', () => {
  const r = apply('dns-localservice');
  assert.deepEqual(changed(r.files), [routerPath('dc1', 'dhcp'), routerPath('dc2', 'dhcp')]);
  assert.match(r.files.get(routerPath('dc2', 'dhcp'))!, /option localservice '1'/);
});

test('node-masquerade turns masquerading on with the native-routing CIDR narrowed to a LAN', () => {
  const r = apply('node-masquerade');
  assert.deepEqual(changed(r.files), [CLUSTER_FILES.ciliumValues]);
  const values = parse(r.files.get(CLUSTER_FILES.ciliumValues)!) as Record<string, unknown>;
  assert.equal(values['enableIPv4Masquerade'], true);
  assert.equal(values['ipv4NativeRoutingCIDR'], '10.0.0.0/24');
});

test('no-export points the last datacentre at a peer config without advertisements', () => {
  const r = apply('no-export');
  assert.deepEqual(changed(r.files), [CLUSTER_FILES.ciliumBgp]);
  const text = r.files.get(CLUSTER_FILES.ciliumBgp)!;
  assert.match(text, /name: router-no-export/);
  assert.match(text, /name: dc2\n[\s\S]*?peerConfigRef:\n\s+name: router-no-export/);
});

test('masq-invalid removes masq_allow_invalid from the wan zone only', () => {
  const r = apply('masq-invalid');
  assert.deepEqual(changed(r.files), [routerPath('dc1', 'firewall'), routerPath('dc2', 'firewall')]);
  assert.doesNotMatch(r.files.get(routerPath('dc1', 'firewall'))!, /masq_allow_invalid/);
  assert.match(r.files.get(routerPath('dc1', 'firewall'))!, /option masq '1'/);
});

test('etp-cluster-snat turns every Service to policy Cluster in snat mode and changes only the LoadBalancer resources', () => {
  const r = apply('etp-cluster-snat');
  assert.deepEqual(changed(r.files), [CLUSTER_FILES.loadBalancer]);
  assert.match(r.files.get(CLUSTER_FILES.loadBalancer)!, /externalTrafficPolicy: Cluster/);
  assert.doesNotMatch(clean.get(CLUSTER_FILES.loadBalancer)!, /externalTrafficPolicy: Cluster/, 'the reference itself is Local');
  assert.equal(r.model.loadBalancer?.mode, 'snat');
  const none = referenceTopology();
  delete none.services;
  assert.throws(() => pitfall('etp-cluster-snat')!.apply(none, {}), /--pitfall: etp-cluster-snat needs a LoadBalancer Service/);
});

test('lb-import-filter narrows every router\'s import from nodes to the pod CIDRs and nothing else', () => {
  const r = apply('lb-import-filter');
  assert.deepEqual(changed(r.files), [routerPath('dc1', 'bird.conf'), routerPath('dc2', 'bird.conf')]);
  for (const dc of ['dc1', 'dc2']) {
    assert.match(clean.get(routerPath(dc, 'bird.conf'))!, /import where net ~ POD_CIDRS \|\| net ~ LB_POOL;/);
    assert.match(r.files.get(routerPath(dc, 'bird.conf'))!, /import where net ~ POD_CIDRS;/);
    assert.doesNotMatch(r.files.get(routerPath(dc, 'bird.conf'))!, /net ~ LB_POOL/);
  }
});

test('v6-not-advertised drops the advertisements of the ipv6 family only, in either session layout', () => {
  const t = parse(readFileSync(path.join(repoRoot, 'examples', 'dual-stack.yaml'), 'utf8')) as Topology;
  for (const sessions of ['per-family', 'mp-over-v4'] as const) {
    const topology = { ...t, bgp: { ...t.bgp, sessions } };
    const clean6 = renderAll(resolveTopology(topology));
    const r = pitfall('v6-not-advertised')!.apply(topology, {});
    assert.deepEqual([...r.files.keys()].filter((k) => r.files.get(k) !== clean6.get(k)), [CLUSTER_FILES.ciliumBgp], sessions);
    const configs = parseAllDocuments(r.files.get(CLUSTER_FILES.ciliumBgp)!).map((d) => d.toJS() as { kind: string; spec: { families?: { afi: string; advertisements?: unknown }[] } })
      .filter((d) => d.kind === 'CiliumBGPPeerConfig');
    const families = configs.flatMap((c) => c.spec.families ?? []);
    assert.ok(families.some((f) => f.afi === 'ipv6') && families.filter((f) => f.afi === 'ipv6').every((f) => f.advertisements === undefined), sessions);
    assert.ok(families.filter((f) => f.afi === 'ipv4').every((f) => f.advertisements !== undefined), `${sessions}: IPv4 still advertises`);
  }
});

test('first-router-only leaves each datacentre one peer, in both BGP APIs; no-merge-paths drops merge paths from every router', () => {
  for (const ciliumVersion of ['1.20.2', '1.15.19']) {
    const r = pitfall('first-router-only')!.apply(twoRouters(), { ciliumVersion });
    const clean2 = renderAll(resolveTopology(twoRouters(), { ciliumVersion }));
    assert.deepEqual([...r.files.keys()].filter((k) => r.files.get(k) !== clean2.get(k)), [CLUSTER_FILES.ciliumBgp], ciliumVersion);
    const text = r.files.get(CLUSTER_FILES.ciliumBgp)!;
    assert.match(text, /10\.0\.0\.2/, ciliumVersion);
    assert.doesNotMatch(text, /10\.0\.0\.3|10\.0\.1\.3/, ciliumVersion);
  }
  const m = pitfall('no-merge-paths')!.apply(twoRouters(), {});
  for (const key of ['dc1-1', 'dc1-2', 'dc2-1', 'dc2-2']) assert.doesNotMatch(m.files.get(routerPath(key, 'bird.conf'))!, /merge paths/);
  // Negative control: on a topology with one router per datacentre both are bad input naming the example.
  for (const name of ['first-router-only', 'no-merge-paths']) {
    assert.throws(() => pitfall(name)!.apply(referenceTopology(), {}), /--pitfall: .*several routers per datacentre[\s\S]*examples\/two-routers\.yaml/);
  }
});
