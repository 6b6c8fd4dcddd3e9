// `--pitfall NAME`: the topology is validated as usual first (bad input stays exit 2), then the
// named mistake is applied to the generated configs.
import { PITFALLS, pitfall, type Pitfall } from '../pitfalls/index.ts';
import { renderAll, type RenderedFiles } from '../render/index.ts';
import { InputError } from '../topology/errors.ts';
import type { LabModel } from '../topology/model.ts';
import type { Topology } from '../topology/schema.ts';
import { readTopology, readTopologyDoc, resolveOptions, type TopologyFlags } from './inputs.ts';

export function labInputs(flags: TopologyFlags & { pitfall?: string }): { model: LabModel; files: RenderedFiles; pitfall?: Pitfall } {
  const model = readTopology(flags);
  if (flags.pitfall === undefined) return { model, files: renderAll(model) };
  const p = pitfall(flags.pitfall);
  if (!p) throw new InputError([{ field: '--pitfall', problem: `no pitfall "${flags.pitfall}"`, fix: `use one of ${PITFALLS.map((x) => x.name).join(', ')}` }], 'flags');
  return { ...p.apply(readTopologyDoc(flags) as Topology, resolveOptions(flags)), pitfall: p };
}
