// The rendered LB-IPAM pool validates against the stored CRD of its era, for every Cilium line, and the
// Service advertisements (peering policy serviceSelector, BGPv2 Service advertisement) against theirs.
// The pool's two stored CRDs disagree on purpose: crds/v2alpha1 is the 1.13/1.14 schema (spec.cidrs
// only), crds/v2 is the 1.18 one (v2 and v2alpha1, spec.blocks only); a pool of the wrong era fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciliumBgpDocs } from '../../lab/render/cilium-bgp.ts';
import { loadBalancerDocs } from '../../lab/render/load-balancer.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { CiliumBgpApi, Topology } from '../../lab/topology/schema.ts';
import { crdValidator, crdsFor, loadedCrds as loaded, type CrdVersion } from './support/crd.ts';
import { dualStack } from './support/topologies.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


/** The stored schema of a pool: by API version and by the era's file (cidrs: crds/v2alpha1, blocks: crds/v2). */
function poolSchema(all: CrdVersion[], doc: Doc): CrdVersion {
  const file = 'cidrs' in doc['spec'] ? 'v2alpha1/ciliumloadbalancerippools.yaml' : 'v2/ciliumloadbalancerippools.yaml';
  const c = crdsFor(all, doc['apiVersion'], doc['kind']).find((x) => x.file === file);
  assert.ok(c, `no stored ${doc['kind']} ${doc['apiVersion']} in ${file}`);
  return c;
}

function withServices(mutate: (t: Topology) => void = () => undefined): Topology {
  const t = referenceTopology();
  mutate(t);
  return t;
}

const TOPOLOGIES: { name: string; topology: () => Topology }[] = [
  { name: 'reference (web, Local)', topology: () => withServices() },
  {
    name: 'two services, Cluster + dsr, two backends, fixed address',
    topology: () => withServices((t) => {
      t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
      t.loadBalancer = { pool: '10.250.0.0/28', mode: 'dsr' };
      t.services = [
        { name: 'web', port: 80, trafficPolicy: 'Cluster', backends: ['worker-1', 'worker-2'], address: '10.250.0.5' },
        { name: 'api', port: 8080, trafficPolicy: 'Local', backends: ['controlplane-1'] },
      ];
    }),
  },
];

const LINES: { cilium: string; apis: (CiliumBgpApi | null)[] }[] = [
  { cilium: '1.14.0', apis: [null] },
  { cilium: '1.15.0', apis: [null] },
  { cilium: '1.16.0', apis: [null, 'peering-policy'] },
  { cilium: '1.17.x', apis: [null] },
  { cilium: '1.18.0', apis: [null, 'bgpv2-v2alpha1', 'peering-policy'] },
  { cilium: '1.20.2', apis: [null, 'bgpv2-v2alpha1'] },
];

for (const line of LINES) {
  for (const api of line.apis) {
    test(`Cilium ${line.cilium} ${api ?? '(default API)'}: the pool and the Service advertisements validate against their CRDs`, (t) => {
      const all = loaded(t);
      if (!all) return;
      for (const topo of TOPOLOGIES) {
        const tp = topo.topology();
        if (api) tp.cilium = { ...tp.cilium, bgpApi: api };
        const m = resolveTopology(tp, { ciliumVersion: line.cilium });
        const pools = (loadBalancerDocs(m) as Doc[]).filter((d) => d['kind'] === 'CiliumLoadBalancerIPPool');
        assert.equal(pools.length, 1);
        for (const pool of pools) assert.deepEqual(crdValidator(poolSchema(all, pool)).errors(pool), [], `${topo.name}: pool`);
        const bgp = ciliumBgpDocs(m) as Doc[];
        const advertising = bgp.filter((d) => (d['kind'] === 'CiliumBGPPeeringPolicy' && d['spec'].virtualRouters[0].serviceSelector)
          || (d['kind'] === 'CiliumBGPAdvertisement' && d['spec'].advertisements.some((a: Doc) => a['advertisementType'] === 'Service')));
        assert.ok(advertising.length > 0, `${topo.name}: something advertises the services`);
        for (const doc of bgp) {
          const schemas = crdsFor(all, doc['apiVersion'], doc['kind']);
          assert.ok(schemas.length > 0, `no stored CRD serves ${doc['kind']} ${doc['apiVersion']}`);
          for (const s of schemas) assert.deepEqual(crdValidator(s).errors(doc), [], `${topo.name}: ${doc['kind']} ${doc['metadata'].name} against ${s.file}`);
        }
      }
    });
  }
}

test('negative controls: a pool of the wrong era, a misspelt field and broken Service advertisements fail their CRDs', (t) => {
  const all = loaded(t);
  if (!all) return;
  const pool = (v: string) => structuredClone((loadBalancerDocs(resolveTopology(referenceTopology(), { ciliumVersion: v })) as Doc[])[0]!);
  const errorsAgainst = (file: string, doc: Doc) => {
    const c = crdsFor(all, doc['apiVersion'], doc['kind']).find((x) => x.file === file);
    assert.ok(c, `no ${file} serving ${doc['apiVersion']}`);
    return crdValidator(c).errors(doc).join('\n');
  };
  // 1.14's cidrs are unknown to the 1.18 schema, 1.15's blocks to the 1.14 one: the boundary matters.
  assert.match(errorsAgainst('v2/ciliumloadbalancerippools.yaml', pool('1.14.0')), /additionalProperty":"cidrs"/);
  assert.match(errorsAgainst('v2alpha1/ciliumloadbalancerippools.yaml', pool('1.15.0')), /additionalProperty":"blocks"|required property 'cidrs'/);
  const bad = pool('1.20.2');
  bad['spec'].blocks = [{ cidr: '10.250.0.1/28' }];
  assert.match(errorsAgainst('v2/ciliumloadbalancerippools.yaml', bad), /must match format "cidr"/);
  const misspelt = pool('1.20.2');
  misspelt['spec'].serviceSelectors = misspelt['spec'].serviceSelector;
  assert.match(errorsAgainst('v2/ciliumloadbalancerippools.yaml', misspelt), /additionalProperty":"serviceSelectors"/);

  const ad = structuredClone((ciliumBgpDocs(resolveTopology(referenceTopology())) as Doc[]).find((d) => d['metadata'].name === 'services')!);
  const noService = structuredClone(ad);
  delete noService['spec'].advertisements[0].service;
  assert.match(errorsAgainst('v2/ciliumbgpadvertisements.yaml', noService), /service/i);
  const wrongAddress = structuredClone(ad);
  wrongAddress['spec'].advertisements[0].service.addresses = ['LoadBalancerIPs'];
  assert.match(errorsAgainst('v2/ciliumbgpadvertisements.yaml', wrongAddress), /must be equal to one of the allowed values/);

  const policy = structuredClone((ciliumBgpDocs(resolveTopology(referenceTopology(), { ciliumVersion: '1.15.0' })) as Doc[])[0]!);
  policy['spec'].virtualRouters[0].serviceSelector = { matchLabels: { a: 'b' }, matchLabel: { a: 'b' } };
  assert.match(errorsAgainst('v2alpha1/ciliumbgppeeringpolicies.yaml', policy), /additionalProperty":"matchLabel"/);
});

test('dual-stack: the pool with both blocks and the Service advertisements validate against their CRDs, every BGPv2 line', (t) => {
  const all = loaded(t);
  if (!all) return;
  for (const [cilium, api] of [['1.16.0', null], ['1.17.x', null], ['1.18.0', null], ['1.18.0', 'bgpv2-v2alpha1'], ['1.20.2', null]] as const) {
    for (const sessions of ['per-family', 'mp-over-v4'] as const) {
      const tp = dualStack(referenceTopology(), sessions);
      if (api) tp.cilium = { ...tp.cilium, bgpApi: api };
      const m = resolveTopology(tp, { ciliumVersion: cilium });
      const pool = (loadBalancerDocs(m) as Doc[]).find((d) => d['kind'] === 'CiliumLoadBalancerIPPool')!;
      assert.deepEqual(pool['spec'].blocks.map((b: Doc) => b['cidr']), ['10.250.0.0/28', '2001:db8:250::/120']);
      assert.deepEqual(crdValidator(poolSchema(all, pool)).errors(pool), [], `${cilium} ${sessions}: pool`);
      for (const doc of ciliumBgpDocs(m) as Doc[]) {
        for (const s of crdsFor(all, doc['apiVersion'], doc['kind'])) assert.deepEqual(crdValidator(s).errors(doc), [], `${cilium} ${sessions}: ${doc['kind']} ${doc['metadata'].name}`);
      }
    }
  }
  // Negative control: an IPv6 block with host bits set fails the cidr format.
  const pool = structuredClone((loadBalancerDocs(resolveTopology(dualStack(referenceTopology()))) as Doc[])[0]!);
  pool['spec'].blocks[1].cidr = '2001:db8:250::1/120';
  assert.ok(crdValidator(poolSchema(all, pool)).errors(pool).some((e) => /must match format "cidr"/.test(e)));
});
