// Shared by the report tests: the recorded reports, golden files (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../../lab/report/model.ts';
import { loadModel } from '../../../lab/topology/load.ts';
import type { LabModel } from '../../../lab/topology/model.ts';

export const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
export const updating = process.env['UPDATE_GOLDEN'] === '1';

/** reference: a passing run of the reference; tunnel-masquerade: a failing one (tunnel mode, masquerading). */
export const RECORDED = ['reference', 'tunnel-masquerade'] as const;

export function recorded(name: (typeof RECORDED)[number]): Report {
  return JSON.parse(readFileSync(here(`fixtures/${name}.report.json`), 'utf8')) as Report;
}

export function modelOf(name: string): LabModel {
  if (name === 'reference') return loadModel(undefined, 'reference topology', {});
  const file = here(`fixtures/${name}.yaml`);
  return loadModel(readFileSync(file, 'utf8'), file, {});
}

export function golden(file: string, actual: string): void {
  const path = here(`golden/${file}`);
  if (updating || !existsSync(path)) {
    if (!updating) assert.fail(`golden file ${path} is missing; run UPDATE_GOLDEN=1 node --import tsx --test test/unit/report/*.test.ts and review it`);
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `differs from golden/${file}; if intended, run UPDATE_GOLDEN=1 node --import tsx --test test/unit/report/*.test.ts and review the diff`);
}
