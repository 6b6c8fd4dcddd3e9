// Runs a resolve that must fail and returns its issues.
import assert from 'node:assert/strict';
import { InputError, type InputIssue } from '../../../lab/topology/errors.ts';

export function issuesOf(run: () => unknown): InputIssue[] {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  assert.fail('expected an InputError, but the topology was accepted');
}

/** Asserts one issue names this field and says this (substring) in its problem, with a fix. */
export function assertIssue(issues: InputIssue[], field: string, problem: string): void {
  const hit = issues.find((i) => i.field === field && i.problem.includes(problem));
  assert.ok(hit, `no issue for ${field} containing "${problem}"; got:\n${issues.map((i) => `  ${i.field}: ${i.problem}`).join('\n')}`);
  assert.ok(hit.fix.length > 0, `${field} has no fix`);
}
