// The rendered Helm values validate against Cilium's values.schema.json (draft-07), and every key we
// set is one the chart declares (the schema itself lets unknown keys through).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ciliumValues } from '../../lab/render/cilium-values.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { schemasOrSkip } from './support/paths.ts';
import { dualStack } from './support/topologies.ts';

type Json = Record<string, unknown>;

let schema: Json | undefined;
let validate: ValidateFunction | undefined;
function load(t: TestContext): { schema: Json; validate: ValidateFunction } | undefined {
  const root = schemasOrSkip(t);
  if (!root) return undefined;
  schema ??= JSON.parse(readFileSync(path.join(root, 'cilium', 'values.schema.json'), 'utf8')) as Json;
  validate ??= new Ajv({ strict: false, allErrors: true }).compile(schema);
  return { schema, validate };
}

function errorsOf(v: ValidateFunction, values: unknown): string[] {
  return v(values) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Paths of keys the schema does not declare, descending while both sides are objects with properties. */
function undeclared(values: unknown, node: Json, at = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return [];
  const props = node['properties'] as Record<string, Json> | undefined;
  if (!props) return [];
  return Object.entries(values).flatMap(([k, v]) => {
    const sub = props[k];
    return sub ? undeclared(v, sub, `${at}${k}.`) : [`${at}${k}`];
  });
}

/**
 * Keys the chart reads but its values.yaml leaves commented out, so values.schema.json does not declare
 * them: templates/cilium-configmap.yaml has `{{- if hasKey .Values.loadBalancer "mode" }} bpf-lb-mode`.
 */
const CHART_READS_UNDECLARED = ['loadBalancer.mode'];
const undeclaredByChart = (values: unknown, schema: Json) => undeclared(values, schema).filter((k) => !CHART_READS_UNDECLARED.includes(k));

const VARIANTS: { name: string; cilium: Topology['cilium']; expect: Json }[] = [
  { name: 'native routing', cilium: undefined, expect: { routingMode: 'native', enableIPv4Masquerade: false } },
  { name: 'tunnel (negative control of the lab)', cilium: { routingMode: 'tunnel' }, expect: { routingMode: 'tunnel', tunnelProtocol: 'vxlan' } },
  { name: 'masquerade (negative control of the lab)', cilium: { masquerade: true }, expect: { enableIPv4Masquerade: true } },
  { name: 'auto direct node routes', cilium: { autoDirectNodeRoutes: true }, expect: { autoDirectNodeRoutes: true } },
];

for (const variant of VARIANTS) {
  for (const cilium of ['1.15.0', '1.20.2']) {
    test(`Helm values validate against values.schema.json: ${variant.name}, Cilium ${cilium}`, (t) => {
      const s = load(t);
      if (!s) return;
      const topo = referenceTopology();
      if (variant.cilium) topo.cilium = variant.cilium;
      const values = ciliumValues(resolveTopology(topo, { ciliumVersion: cilium }));
      for (const [k, v] of Object.entries(variant.expect)) assert.deepEqual(values[k], v, k);
      assert.deepEqual(errorsOf(s.validate, values), []);
      assert.deepEqual(undeclaredByChart(values, s.schema), [], 'every key is declared by the chart (or read by its templates)');
    });
  }
}

test('negative controls: wrong types fail the schema, a misspelt key fails the declared-key check', (t) => {
  const s = load(t);
  if (!s) return;
  const good = ciliumValues(resolveTopology(referenceTopology()));
  const wrong: [string, Json][] = [
    ['bgpControlPlane.enabled as a string', { ...good, bgpControlPlane: { enabled: 'yes' } }],
    ['k8sServicePort as a boolean', { ...good, k8sServicePort: true }],
    ['ipv4NativeRoutingCIDR as a list', { ...good, ipv4NativeRoutingCIDR: ['10.244.0.0/16'] }],
  ];
  for (const [what, values] of wrong) assert.notDeepEqual(errorsOf(s.validate, values), [], `${what} passed`);
  const misspelt: Json = { ...good, bgpControlPlan: { enabled: true } };
  assert.deepEqual(errorsOf(s.validate, misspelt), [], 'the schema itself has no additionalProperties: false');
  assert.deepEqual(undeclaredByChart(misspelt, s.schema), ['bgpControlPlan']);
  assert.deepEqual(undeclaredByChart({ ...good, cgroup: { autoMount: { enable: false } } }, s.schema), ['cgroup.autoMount.enable']);
});

test('loadBalancer.mode follows the topology (snat by default, dsr when asked); a misspelt mode key is still caught', (t) => {
  const s = load(t);
  if (!s) return;
  const snat = ciliumValues(resolveTopology(referenceTopology()));
  assert.deepEqual(snat['loadBalancer'], { mode: 'snat' });
  assert.equal(snat['kubeProxyReplacement'], true, 'Cilium serves LoadBalancer Services itself only without kube-proxy');
  const topo = referenceTopology();
  topo.loadBalancer = { pool: '10.250.0.0/28', mode: 'dsr' };
  const dsr = ciliumValues(resolveTopology(topo));
  assert.deepEqual(dsr['loadBalancer'], { mode: 'dsr' });
  assert.deepEqual(errorsOf(s.validate, dsr), []);
  assert.deepEqual(undeclaredByChart(dsr, s.schema), []);
  assert.deepEqual(undeclaredByChart({ ...dsr, loadBalancer: { mdoe: 'dsr' } }, s.schema), ['loadBalancer.mdoe']);
  const none = referenceTopology();
  delete none.loadBalancer;
  delete none.services;
  assert.equal(ciliumValues(resolveTopology(none))['loadBalancer'], undefined, 'no pool, no load-balancer values');
});

test('dual-stack Helm values validate against values.schema.json, every IPv6 key declared by the chart', (t) => {
  const s = load(t);
  if (!s) return;
  for (const cilium of ['1.16.0', '1.20.2']) {
    const values = ciliumValues(resolveTopology(dualStack(referenceTopology()), { ciliumVersion: cilium }));
    assert.deepEqual([values['ipv6'], values['ipv6NativeRoutingCIDR'], values['enableIPv6Masquerade']], [{ enabled: true }, '2001:db8:244::/48', false]);
    assert.deepEqual(errorsOf(s.validate, values), [], cilium);
    assert.deepEqual(undeclaredByChart(values, s.schema), [], cilium);
  }
  // cilium.masquerade turns both families' masquerading on, as the chart's defaults have them.
  const masq = ciliumValues(resolveTopology({ ...dualStack(referenceTopology()), cilium: { masquerade: true } }));
  assert.deepEqual([masq['enableIPv4Masquerade'], masq['enableIPv6Masquerade']], [true, true]);
  // Negative controls: ipv6 as a bare boolean fails the schema; a misspelt key fails the declared-key check.
  const good = ciliumValues(resolveTopology(dualStack(referenceTopology())));
  assert.notDeepEqual(errorsOf(s.validate, { ...good, ipv6: true }), []);
  assert.notDeepEqual(errorsOf(s.validate, { ...good, enableIPv6Masquerade: 'false' }), []);
  assert.deepEqual(undeclaredByChart({ ...good, ipv6NativeRoutingCidr: '2001:db8:244::/48' }, s.schema), ['ipv6NativeRoutingCidr']);
});
