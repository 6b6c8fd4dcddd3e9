// schema/report.schema.json: generated from the Report interface, committed up to date, and the
// recorded real reports validate against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { generateReportSchema, REPORT_SCHEMA_FILE } from '../../../lab/report/schema.ts';
import { recorded, RECORDED, updating } from './support.ts';

const committed = JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

test('schema/report.schema.json is what the Report interface generates', async () => {
  const generated = await generateReportSchema();
  if (updating) writeFileSync(REPORT_SCHEMA_FILE, JSON.stringify(generated, null, 2) + '\n');
  else assert.deepEqual(committed, generated, 'stale: run UPDATE_GOLDEN=1 node --import tsx --test test/unit/report/schema.test.ts');
});

const validate = new Ajv({ strict: true, allErrors: true }).compile(committed);

for (const name of RECORDED) {
  test(`the recorded ${name} report validates against the schema`, () => {
    const ok = validate(recorded(name));
    assert.deepEqual(validate.errors ?? [], []);
    assert.equal(ok, true);
  });
}

test('the schema refuses a report with an unknown key or a missing field', () => {
  assert.equal(validate({ ...recorded('reference'), surprise: 1 }), false);
  const noMachines: Record<string, unknown> = { ...recorded('reference') };
  delete noMachines['machines'];
  assert.equal(validate(noMachines), false);
});
