// YAML text -> LabModel. Pure: the caller reads the file.
import { parseDocument } from 'yaml';
import { InputError } from './errors.ts';
import type { LabModel } from './model.ts';
import { referenceTopology } from './reference.ts';
import { resolveTopology, type ResolveOptions } from './resolve.ts';

export function parseTopologyYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map((e) => ({ field: `${source}:${e.linePos?.[0]?.line ?? '?'}`, problem: e.message.split('\n')[0] ?? e.code, fix: 'correct the YAML syntax at that line' })),
      source,
    );
  }
  return doc.toJS();
}

/** The topology file's text, or the reference setup when there is none. */
export function loadModel(text: string | undefined, source: string, opts: ResolveOptions = {}): LabModel {
  return resolveTopology(text === undefined ? referenceTopology() : parseTopologyYaml(text, source), opts);
}
