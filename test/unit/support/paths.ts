// Paths the unit tests share: the repository root, the fixtures, and the shared schema folder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const unitDir = path.join(repoRoot, 'test', 'unit');
export const fixturesDir = path.join(unitDir, 'fixtures');
export const goldenDir = path.join(unitDir, 'golden');
export const labBin = path.join(repoRoot, 'bin', 'lab.mjs');

/** Verbatim upstream schemas (CRDs, Helm values, Talos config), kept beside the repository. */
export const schemasRoot = path.resolve(repoRoot, '..', 'shared', 'schemas');

/**
 * The shared schema folder, or undefined after marking the test skipped. Outside CI a missing folder
 * is a visible skip; in CI (process.env.CI set) it is a failure, so a lost folder cannot pass silently.
 */
export function schemasOrSkip(t: TestContext): string | undefined {
  if (existsSync(schemasRoot)) return schemasRoot;
  const message = `shared schemas not found at ${schemasRoot} (expected ../shared/schemas beside the repository)`;
  if (process.env['CI']) assert.fail(`${message}; CI is set, so this is a failure, not a skip`);
  t.diagnostic(message);
  t.skip(message);
  return undefined;
}
