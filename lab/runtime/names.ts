// Names of everything the twin creates. Every namespace starts with PREFIX and the run id, so two
// runs coexist and `lab down --all` finds leftovers of crashed runs without touching anything else.
import { randomBytes } from 'node:crypto';

export const PREFIX = 'nrl';

export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

export function nsName(runId: string, machine: string): string {
  return `${PREFIX}-${runId}-${machine}`;
}

export function isLabNamespace(ns: string, runId?: string): boolean {
  return runId ? ns.startsWith(`${PREFIX}-${runId}-`) : new RegExp(`^${PREFIX}-[0-9a-f]{6}-`).test(ns);
}

export function runIdOf(ns: string): string | undefined {
  return new RegExp(`^${PREFIX}-([0-9a-f]{6})-`).exec(ns)?.[1];
}

/** State of kept labs (`lab up`), one JSON file per run. */
export function stateDir(): string {
  return process.env['LAB_STATE_DIR'] ?? (process.env['XDG_RUNTIME_DIR'] ? `${process.env['XDG_RUNTIME_DIR']}/native-routing-lab` : '/run/native-routing-lab');
}
