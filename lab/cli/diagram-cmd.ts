// `lab diagram`: the topology drawn from the model alone (expected routes and path), nothing run.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { diagramSvg } from '../report/diagram/index.ts';
import { svgToPng } from '../runtime/rsvg.ts';
import { InputError } from '../topology/errors.ts';
import { readTopology, type TopologyFlags } from './inputs.ts';
import { topologyOptions } from './options.ts';

export function registerDiagram(program: Command): void {
  topologyOptions(program.command('diagram').description('draw the topology with every machine\'s expected routing table (SVG, or PNG for -o *.png)'))
    .option('-o, --out <file>', 'output file: .svg, or .png (needs rsvg-convert)', 'diagram.svg')
    .action(async (flags: TopologyFlags & { out: string }) => {
      const model = readTopology(flags);
      const svg = await diagramSvg({ model });
      if (flags.out.endsWith('.png')) {
        const svgFile = flags.out.replace(/\.png$/, '.svg');
        writeFileSync(svgFile, svg);
        if (!(await svgToPng(svgFile, flags.out))) {
          throw new InputError([{ field: '--out', problem: 'a PNG needs rsvg-convert, which is missing or failed', fix: `install librsvg2-bin, or write ${svgFile} only with -o ${svgFile}` }], 'flags');
        }
        process.stdout.write(`wrote ${flags.out} and ${svgFile}\n`);
        return;
      }
      if (flags.out === '-') process.stdout.write(svg);
      else {
        writeFileSync(flags.out, svg);
        process.stdout.write(`wrote ${flags.out}\n`);
      }
    });
}
