// Every validation rule, as data: a mutation of the reference, the field named and the problem stated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { assertIssue, issuesOf } from './support/input-error.ts';
import { DUAL_RULE_CASES, RULE_CASES } from './support/rule-cases.ts';

test('the unmutated reference is valid (so every case below fails for its own mutation)', () => {
  assert.doesNotThrow(() => resolveTopology(referenceTopology()));
});

for (const c of [...RULE_CASES, ...DUAL_RULE_CASES]) {
  test(`rule: ${c.name} -> ${c.field}`, () => {
    const t = referenceTopology();
    c.mutate(t as unknown as Record<string, unknown>);
    assertIssue(issuesOf(() => resolveTopology(t, c.opts)), c.field, c.problem);
  });
}

test('the reference made dual-stack is valid (so every dual-stack case fails for its own mutation)', () => {
  const t = referenceTopology();
  t.cluster.family = 'dual';
  assert.equal(resolveTopology(t).cluster.podCIDR6, '2001:db8:244::/48');
});

test('same ASN: allowed only for the same-asn pitfall, which renders what validation refuses', () => {
  const t = referenceTopology();
  t.cluster.asn = 65000;
  assert.equal(resolveTopology(t, { allowSameAsn: true }).cluster.asn, 65000);
});

test('every problem is reported at once, not just the first', () => {
  const t = referenceTopology();
  t.datacentres[0]!.lan = '10.0.0.1/24';
  t.routers.peering = 'nope';
  const fields = issuesOf(() => resolveTopology(t)).map((i) => i.field).sort();
  assert.deepEqual(fields, ['datacentres[0].lan', 'routers.peering']);
});
