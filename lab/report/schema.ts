// The JSON Schema of report.json, generated from its TypeScript source of truth (the Report
// interface in model.ts) by ts-json-schema-generator. Dev-time only (the generator is a dev
// dependency): the published copy is schema/report.schema.json, and a unit test keeps it current
// (UPDATE_GOLDEN=1 rewrites it).
import { fileURLToPath } from 'node:url';

export const REPORT_SCHEMA_FILE = fileURLToPath(new URL('../../schema/report.schema.json', import.meta.url));

export async function generateReportSchema(): Promise<Record<string, unknown>> {
  const { createGenerator } = await import('ts-json-schema-generator');
  const schema = createGenerator({
    path: fileURLToPath(new URL('./model.ts', import.meta.url)),
    tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
    type: 'Report',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    skipTypeCheck: true,
  }).createSchema('Report');
  return { $id: 'https://native-routing-lab/schema/report.schema.json', title: 'native-routing-lab e2e report (report.json)', ...schema };
}
