// `lab render` and `lab schema`.
import type { Command } from 'commander';
import { renderAll } from '../render/index.ts';
import { TOPOLOGY_JSON_SCHEMA } from '../topology/schema.ts';
import { readTopology, type TopologyFlags } from './inputs.ts';
import { topologyOptions } from './options.ts';
import { writeFiles } from './write.ts';

export function registerRender(program: Command): void {
  topologyOptions(program.command('render').description('write every router and cluster config of the topology'))
    .option('-o, --out <dir>', 'output folder', 'out')
    .action((flags: TopologyFlags & { out: string }) => {
      const model = readTopology(flags);
      const written = writeFiles(flags.out, renderAll(model));
      process.stdout.write(`rendered ${written.length} files for "${model.name}" (Cilium ${model.versions.cilium}, ${model.cilium.bgpApi}; Talos ${model.versions.talos}; OpenWRT ${model.versions.openwrt}) into ${flags.out}/\n`);
      for (const p of written) process.stdout.write(`  ${p}\n`);
    });
  program.command('schema').description('print the topology JSON Schema (for editors)').action(() => {
    process.stdout.write(JSON.stringify(TOPOLOGY_JSON_SCHEMA, null, 2) + '\n');
  });
}
