// Reads the topology named on the command line (the only file input), with version overrides.
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../topology/errors.ts';
import { loadModel, MAX_TOPOLOGY_BYTES, parseTopologyYaml, WHOLE_FILE } from '../topology/load.ts';
import { referenceTopology } from '../topology/reference.ts';
import type { LabModel } from '../topology/model.ts';
import type { ResolveOptions } from '../topology/resolve.ts';

export interface TopologyFlags {
  topology?: string;
  ciliumVersion?: string;
  talosVersion?: string;
  openwrtVersion?: string;
}

export function resolveOptions(flags: TopologyFlags, extra: ResolveOptions = {}): ResolveOptions {
  const opts: ResolveOptions = { ...extra };
  if (flags.ciliumVersion) opts.ciliumVersion = flags.ciliumVersion;
  if (flags.talosVersion) opts.talosVersion = flags.talosVersion;
  if (flags.openwrtVersion) opts.openwrtVersion = flags.openwrtVersion;
  return opts;
}

/** The topology document as written (the reference when no file is named), not yet validated. */
export function readTopologyDoc(flags: TopologyFlags): unknown {
  const text = readTopologyText(flags);
  return text === undefined ? referenceTopology() : parseTopologyYaml(text, flags.topology ?? 'topology');
}

function readTopologyText(flags: TopologyFlags): string | undefined {
  if (flags.topology === undefined) return undefined;
  try {
    // Size (and kind) before reading: a huge file or a device would be read whole before parsing.
    const st = statSync(flags.topology);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_TOPOLOGY_BYTES) {
      throw new InputError([{ field: WHOLE_FILE, problem: `is larger than ${MAX_TOPOLOGY_BYTES / 1024 / 1024} MiB (${st.size} bytes)`, fix: 'a topology is a few kilobytes: check that this is the topology file' }], flags.topology);
    }
    return readFileSync(flags.topology, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([{ field: '--topology', problem: `cannot read ${flags.topology}: ${(e as Error).message}`, fix: 'give the path of an existing topology file' }], 'flags');
  }
}

export function readTopology(flags: TopologyFlags, extra: ResolveOptions = {}): LabModel {
  return loadModel(readTopologyText(flags), flags.topology ?? 'reference topology', resolveOptions(flags, extra));
}
