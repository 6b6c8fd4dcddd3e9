// Every validation rule, as data: a mutation of the reference, the field named and the problem stated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { assertIssue, issuesOf } from './support/input-error.ts';
import { RULE_CASES } from './support/rule-cases.ts';

test('the unmutated reference is valid (so every case below fails for its own mutation)', () => {
  assert.doesNotThrow(() => resolveTopology(referenceTopology()));
});

for (const c of RULE_CASES) {
  test(`rule: ${c.name} -> ${c.field}`, () => {
    const t = referenceTopology();
    c.mutate(t as unknown as Record<string, unknown>);
    assertIssue(issuesOf(() => resolveTopology(t, c.opts)), c.field, c.problem);
  });
}

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
