// The address families an assertion checks: IPv4, and IPv6 too in a dual-stack lab. Every check
// that carries addresses runs once per family, its subject saying which.
import type { Lab, Machine } from '../runtime/lab.ts';
import { isDualStack } from '../topology/model.ts';
import { result, type Result } from './types.ts';

export type { Family } from '../topology/sessions.ts';
import type { Family } from '../topology/sessions.ts';

export function familiesOf(lab: Lab): Family[] {
  return isDualStack(lab.model) ? [4, 6] : [4];
}

export const familyName = (f: Family): string => (f === 4 ? 'IPv4' : 'IPv6');

/** A subject with its family, in a dual-stack lab only (an IPv4 lab's subjects stay as they were). */
export function inFamily(lab: Lab, subject: string, f: Family): string {
  return isDualStack(lab.model) ? `${subject} (${familyName(f)})` : subject;
}

/** A machine's address of a family (IPv6: undefined where it has none). */
export function addressOf(lab: Lab, machine: string | Machine, f: Family): string | undefined {
  const m = typeof machine === 'string' ? lab.machines().find((x) => x.name === machine) : machine;
  return f === 4 ? m?.address : m?.address6;
}

/** A result of one family's check: its subject says the family, and it carries it, in a dual-stack lab. */
export function familyResult(lab: Lab, f: Family, assertion: number, subject: string, ok: boolean, expected: string, seen: string, diagnosis?: string, evidence?: string[]): Result {
  return result(assertion, inFamily(lab, subject, f), ok, expected, seen, diagnosis, evidence, isDualStack(lab.model) ? f : undefined);
}
