// Golden files: the expected rendered output, one folder per case, files at their rendered paths.
// UPDATE_GOLDEN=1 rewrites a case's folder from the renderer instead of comparing.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { goldenDir } from './paths.ts';

export const updating = process.env['UPDATE_GOLDEN'] === '1';

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${entry}` : entry;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out;
}

function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return `line ${i + 1}:\n  golden:   ${JSON.stringify(e[i])}\n  rendered: ${JSON.stringify(a[i])}`;
  }
  return 'no line differs (trailing newline?)';
}

/** Compares (or, with UPDATE_GOLDEN=1, rewrites) golden/<name>/ against the rendered files. */
export function checkGolden(name: string, files: Map<string, string>): void {
  const dir = path.join(goldenDir, name);
  if (updating) {
    rmSync(dir, { recursive: true, force: true });
    for (const [rel, text] of files) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    return;
  }
  const hint = `if the change is intended, run UPDATE_GOLDEN=1 node --import tsx --test test/unit/golden.test.ts and review the diff of test/unit/golden/${name}/`;
  let onDisk: string[];
  try {
    onDisk = listFiles(dir);
  } catch {
    assert.fail(`golden folder test/unit/golden/${name}/ is missing; ${hint}`);
  }
  assert.deepEqual([...files.keys()].sort(), onDisk, `the rendered file set differs from test/unit/golden/${name}/; ${hint}`);
  for (const [rel, text] of files) {
    const expected = readFileSync(path.join(dir, rel), 'utf8');
    if (expected !== text) assert.fail(`${name}/${rel} differs from its golden file at ${firstDifference(expected, text)}\n${hint}`);
  }
}
