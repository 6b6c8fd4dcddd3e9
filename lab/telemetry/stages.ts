// What the lab's spans say: a stage's outcome and each assertion's checks as attributes, every
// failed check as an event, status ERROR where something did not hold. Types only from the rooms
// below (assert, faults); they never import this (runAssertions takes the wrapper as a callback).
import type { AssertionRun } from '../assert/index.ts';
import type { Convergence } from '../assert/converge.ts';
import type { Assertion, Result } from '../assert/types.ts';
import type { FaultReport } from '../faults/run.ts';
import { withSpan, type SpanHandle } from './tracing.ts';

/** Failed checks recorded as events per span: enough to read, bounded for 10x10 topologies. */
const MAX_FAILURE_EVENTS = 20;

export function assertionSpanName(a: { id: number; title: string }): string {
  return `assertion ${a.id}: ${a.title}`;
}

function describeResults(span: SpanHandle, results: Result[]): void {
  const failed = results.filter((r) => !r.ok);
  span.set({ 'lab.assertion.checks': results.length, 'lab.assertion.passed': results.length - failed.length, 'lab.assertion.failed': failed.length });
  for (const r of failed.slice(0, MAX_FAILURE_EVENTS)) {
    span.event('check failed', { 'lab.check.subject': r.subject, 'lab.check.expected': r.expected, 'lab.check.seen': r.seen, 'lab.check.diagnosis': r.diagnosis });
  }
  if (results.length === 0) span.fail('no check ran');
  else if (failed.length > 0) span.fail(`${failed.length} of ${results.length} checks failed: ${failed.slice(0, 3).map((r) => r.subject).join('; ')}${failed.length > 3 ? ` and ${failed.length - 3} more` : ''}`);
}

/** runAssertions' onAssertion hook: each assertion becomes a child span of the current stage. */
export function traceAssertion(a: Assertion, run: () => Promise<Result[]>): Promise<Result[]> {
  return withSpan(assertionSpanName(a), { 'lab.assertion.id': a.id, 'lab.assertion.title': a.title }, async (span) => {
    const results = await run();
    describeResults(span, results);
    return results;
  }, { reveal: true });
}

function isAssertionRuns(v: unknown): v is AssertionRun[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && 'assertion' in x && 'results' in x);
}

function isConvergence(v: unknown): v is Convergence {
  return typeof v === 'object' && v !== null && typeof (v as Convergence).converged === 'boolean' && Array.isArray((v as Convergence).missing);
}

function isFault(v: unknown): v is FaultReport {
  return typeof v === 'object' && v !== null && typeof (v as FaultReport).kind === 'string' && typeof (v as FaultReport).recovered === 'boolean';
}

/** A stage's result, told by its shape (the stage names belong to the runtimes' flows). */
export function describeStage(span: SpanHandle, v: unknown): void {
  if (isAssertionRuns(v)) {
    const failed = v.filter((r) => r.results.length === 0 || r.results.some((x) => !x.ok)).map((r) => r.assertion.id);
    span.set({ 'lab.assertions.run': v.length, 'lab.assertions.failed': failed.length, 'lab.assertions.failed.ids': failed });
    if (failed.length > 0) span.fail(`assertions ${failed.join(', ')} failed`);
  } else if (isConvergence(v)) {
    span.set({ 'lab.convergence.converged': v.converged, 'lab.convergence.ms': v.ms, 'lab.convergence.missing': v.missing.slice(0, MAX_FAILURE_EVENTS) });
    if (!v.converged) span.fail(`not converged: ${v.missing.slice(0, 3).join('; ')}${v.missing.length > 3 ? ` and ${v.missing.length - 3} more` : ''}`);
  } else if (isFault(v)) {
    span.set({
      'lab.fault.kind': v.kind, 'lab.fault.target': v.target, 'lab.fault.detect_ms': v.detectMs, 'lab.fault.within_hold': v.withinHold,
      'lab.fault.recover_ms': v.recoverMs, 'lab.fault.recovered': v.recovered, 'lab.fault.what_changed': v.whatChanged.slice(0, MAX_FAILURE_EVENTS),
      'lab.fault.failing_pairs': v.failingPairs.slice(0, MAX_FAILURE_EVENTS), 'lab.fault.failed_after_recovery': v.afterRecovery.filter((a) => !a.ok).map((a) => a.id),
    });
    if (!v.ok) span.fail(`fault ${v.kind}: ${v.detectMs === undefined ? 'never noticed' : !v.withinHold ? 'noticed after the hold time' : !v.recovered ? 'the lab did not recover' : 'assertions failed after recovery'}`);
  }
}

/** A child span of the current stage (a router boot, a node), for the runtimes' small hooks. */
export function traceStep<T>(name: string, attrs: Record<string, string | number | boolean>, fn: () => Promise<T>): Promise<T> {
  return withSpan(name, attrs, () => fn());
}
