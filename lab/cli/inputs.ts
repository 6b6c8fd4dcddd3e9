// Reads the topology named on the command line (the only file input), with version overrides.
import { readFileSync } from 'node:fs';
import { InputError } from '../topology/errors.ts';
import { loadModel } from '../topology/load.ts';
import type { LabModel } from '../topology/model.ts';
import type { ResolveOptions } from '../topology/resolve.ts';

export interface TopologyFlags {
  topology?: string;
  ciliumVersion?: string;
  talosVersion?: string;
  openwrtVersion?: string;
}

export function readTopology(flags: TopologyFlags, extra: ResolveOptions = {}): LabModel {
  let text: string | undefined;
  if (flags.topology !== undefined) {
    try {
      text = readFileSync(flags.topology, 'utf8');
    } catch (e) {
      throw new InputError([{ field: '--topology', problem: `cannot read ${flags.topology}: ${(e as Error).message}`, fix: 'give the path of an existing topology file' }], 'flags');
    }
  }
  const opts: ResolveOptions = { ...extra };
  if (flags.ciliumVersion) opts.ciliumVersion = flags.ciliumVersion;
  if (flags.talosVersion) opts.talosVersion = flags.talosVersion;
  if (flags.openwrtVersion) opts.openwrtVersion = flags.openwrtVersion;
  return loadModel(text, flags.topology ?? 'reference topology', opts);
}
