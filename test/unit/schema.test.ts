// The published topology JSON Schema: itself valid, accepting the reference and the example files,
// refusing an example with an unknown key, and printed as-is by `lab schema`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { TOPOLOGY_JSON_SCHEMA } from '../../lab/topology/schema.ts';
import { CILIUM_LINES } from '../../lab/versions/cilium.ts';
import { runLab } from './support/cli.ts';
import { fixturesDir } from './support/paths.ts';
import { fixtureNames, fixtureText, referenceWithoutTimers } from './support/topologies.ts';

// strict: true catches misspelt keywords in the schema itself (strictTypes only warns, on unions).
const validate = new Ajv({ strict: true, strictTypes: false, allErrors: true }).compile(TOPOLOGY_JSON_SCHEMA as object);

function errors(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

test('the schema is valid draft-07 and compiles in strict mode', () => {
  const ajv = new Ajv();
  assert.equal(ajv.validateSchema(TOPOLOGY_JSON_SCHEMA as object), true, JSON.stringify(ajv.errors));
  assert.equal(TOPOLOGY_JSON_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
});

test('the reference topology validates, with and without timers', () => {
  assert.deepEqual(errors(referenceTopology()), []);
  assert.deepEqual(errors(referenceWithoutTimers()), []);
});

test('every example topology file validates', () => {
  const names = fixtureNames();
  assert.ok(names.includes('three-dc') && names.includes('every-key'), names.join(', '));
  for (const name of names) assert.deepEqual(errors(parse(fixtureText(name))), [], `${name}.yaml`);
});

test('an example with an unknown key does not validate, and the error points at it', () => {
  const dir = path.join(fixturesDir, 'invalid');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length > 0);
  for (const f of files) assert.notDeepEqual(errors(parse(readFileSync(path.join(dir, f), 'utf8'))), [], f);
  const e = errors(parse(readFileSync(path.join(dir, 'unknown-key.yaml'), 'utf8')));
  assert.deepEqual(e, ['/datacentres/0/nodes/0 must NOT have additional properties {"additionalProperty":"lables"}']);
});

test('the cilium.bgpApi enum is exactly the APIs the version table knows', () => {
  const known = [...new Set(CILIUM_LINES.flatMap((l) => l.bgpApis))].sort();
  assert.deepEqual([...TOPOLOGY_JSON_SCHEMA.properties.cilium.properties.bgpApi.enum].sort(), known);
});

test('`lab schema` prints the schema', async () => {
  const r = await runLab(['schema']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(TOPOLOGY_JSON_SCHEMA)));
});

test('the schema published for editors (schema/topology.schema.json) is up to date', () => {
  const published = JSON.parse(readFileSync(new URL('../../schema/topology.schema.json', import.meta.url), 'utf8')) as unknown;
  assert.deepEqual(published, JSON.parse(JSON.stringify(TOPOLOGY_JSON_SCHEMA)), 'regenerate it: node bin/lab.mjs schema > schema/topology.schema.json');
});
