// Structural validation against the published JSON Schema: unknown keys, wrong types, missing fields.
import type { ErrorObject } from 'ajv';
import type { InputIssue } from './errors.ts';
import { validateShape } from './shape-validator.ts';

/** "/datacentres/0/nodes/1/name" -> "datacentres[0].nodes[1].name" */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function toIssue(e: ErrorObject): InputIssue {
  const at = fieldPath(e.instancePath);
  const join = (k: string) => (at ? `${at}.${k}` : k);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params['additionalProperty']);
      return { field: join(key), problem: 'unknown key', fix: `remove "${key}" or check its spelling against the topology reference (README)` };
    }
    case 'required': {
      const key = String(e.params['missingProperty']);
      return { field: join(key), problem: 'missing', fix: `add "${key}"` };
    }
    case 'enum':
      return { field: at, problem: `must be one of ${(e.params['allowedValues'] as unknown[]).map(String).join(', ')}`, fix: 'use one of the allowed values' };
    case 'pattern':
      return { field: at, problem: 'has a form that is not allowed', fix: `match ${String(e.params['pattern'])}` };
    case 'type': {
      // Wrong shape at any level: say what shape is wanted, in YAML terms.
      const want = String(e.params['type']);
      const how = want === 'object' ? 'key: value lines' : want === 'array' ? 'a list ("- item" lines)' : want === 'integer' ? 'a whole number' : `a ${want}`;
      return { field: at || '(top level)', problem: `must be ${want}`, fix: `write ${at || 'the topology'} as ${how}` };
    }
    default:
      return { field: at || '(top level)', problem: e.message ?? 'is invalid', fix: 'correct the value as the message says' };
  }
}

export function checkStructure(doc: unknown): InputIssue[] {
  if (validateShape(doc)) return [];
  return (validateShape.errors ?? []).map(toIssue);
}
