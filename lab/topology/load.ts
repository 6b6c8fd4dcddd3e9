// YAML text -> LabModel. Pure: the caller reads the file. Hostile or broken text ends in an
// InputError (exit 2, one clear message), never a crash: size and binary content are checked
// before parsing, aliases may not expand a document past a bound (a "billion laughs" document),
// and nesting is bounded (a topology is a few levels deep; a deep one only exhausts the stack).
import { parseDocument } from 'yaml';
import { InputError, type InputIssue } from './errors.ts';
import type { LabModel } from './model.ts';
import { referenceTopology } from './reference.ts';
import { resolveTopology, type ResolveOptions } from './resolve.ts';

/** The largest topology file read (a generated 100-datacentre topology is well under 1 MiB). */
export const MAX_TOPOLOGY_BYTES = 4 * 1024 * 1024;
/** Deepest nesting accepted: the schema's deepest path (firewall.extraZones[i].forwardTo[j]) is 4. */
export const MAX_DEPTH = 16;
/** Alias resolutions allowed while building the document (yaml's own bound; 100 is its default). */
const MAX_ALIAS_COUNT = 100;

/** Field of a problem of the whole file (the header already names the file). */
export const WHOLE_FILE = '(file)';

function refuse(source: string, problem: string, fix: string, field = WHOLE_FILE): never {
  throw new InputError([{ field, problem, fix }], source);
}

/** Binary content: a NUL byte, or bytes that are not UTF-8 (decoded as U+FFFD). */
function binaryAt(text: string): number | undefined {
  const i = text.search(/[\0\uFFFD]/);
  return i < 0 ? undefined : i;
}

function depthOf(v: unknown, limit: number, path = ''): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (limit === 0) return path || '(top level)';
  const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [path ? `.${k}` : k, x] as const);
  for (const [k, x] of entries) {
    const deep = depthOf(x, limit - 1, path + k);
    if (deep) return deep;
  }
  return undefined;
}

function kindOf(v: unknown): string {
  return v === null || v === undefined ? 'empty' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/** yaml's message without its own position suffix (" at line 3, column 1:") and code frame. */
function syntaxIssue(e: { message: string; code: string; linePos?: [{ line: number; col: number }, ...unknown[]] }, source: string): InputIssue {
  const first = e.message.split('\n')[0] ?? e.code;
  const problem = first.replace(/ at line \d+, column \d+:?$/, '');
  const pos = e.linePos?.[0];
  const deep = /call stack/i.test(problem);
  return {
    field: pos ? `${source}:${pos.line}:${pos.col}` : WHOLE_FILE,
    problem: deep ? 'the document is nested too deeply to read' : problem,
    fix: deep ? `a topology is a few levels deep: start from examples/reference.yaml` : 'correct the YAML syntax at that line',
  };
}

export function parseTopologyYaml(text: string, source: string): unknown {
  if (Buffer.byteLength(text) > MAX_TOPOLOGY_BYTES) refuse(source, `is larger than ${MAX_TOPOLOGY_BYTES / 1024 / 1024} MiB`, 'a topology is a few kilobytes: check that this is the topology file');
  const bin = binaryAt(text);
  if (bin !== undefined) refuse(source, `is not a text file (binary content at character ${bin})`, 'give a YAML topology file (see examples/reference.yaml)');
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    refuse(source, `cannot be read as YAML: ${(e as Error).message.split('\n')[0]}`, 'correct the YAML syntax');
  }
  if (doc.errors.length > 0) {
    // One issue per position: the parser reports one mistake in several words at the same place
    // ("Nested mappings are not allowed..." and "Implicit keys need to be on a single line").
    const issues = doc.errors.map((e) => syntaxIssue(e as Parameters<typeof syntaxIssue>[0], source));
    throw new InputError(issues.filter((x, i) => issues.findIndex((y) => y.field === x.field) === i), source);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (/alias/i.test((e as Error).message)) {
      refuse(source, `its YAML aliases expand the document past ${MAX_ALIAS_COUNT} copies (a "billion laughs" document)`, 'write the values out, or use few aliases (*name)');
    }
    refuse(source, `cannot be read as YAML: ${(e as Error).message.split('\n')[0]}`, 'correct the YAML at that place');
  }
  if (value === null || value === undefined) refuse(source, 'is empty', 'write a topology (see examples/reference.yaml, or omit --topology for the reference)');
  if (typeof value !== 'object' || Array.isArray(value)) {
    refuse(source, `is ${kindOf(value)}, not a mapping of topology keys (name, routers, cluster, datacentres)`, 'write the topology as key: value lines (see examples/reference.yaml)', '(top level)');
  }
  const deep = depthOf(value, MAX_DEPTH);
  if (deep) refuse(source, `is nested deeper than ${MAX_DEPTH} levels`, 'a topology is a few levels deep: see examples/reference.yaml', deep);
  return value;
}

/** The topology file's text, or the reference setup when there is none. */
export function loadModel(text: string | undefined, source: string, opts: ResolveOptions = {}): LabModel {
  return resolveTopology(text === undefined ? referenceTopology() : parseTopologyYaml(text, source), opts);
}
