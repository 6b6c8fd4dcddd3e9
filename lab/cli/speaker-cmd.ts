// `lab speaker plan|build`: Cilium's own BGP speaker for the topology's Cilium line, where its source
// is and whether this machine has it (plan, JSON: the Dagger module and the nightly read it), or
// built now (build: minutes, once per machine).
import type { Command } from 'commander';
import { relative } from 'node:path';
import { buildSpeaker, cachedSpeaker, SpeakerUnavailable } from '../runtime/twin/speaker/build.ts';
import { speakerLineFor, speakerSourceRoot } from '../runtime/twin/speaker/source.ts';
import { EXIT, MissingToolError } from './exit.ts';
import { readTopology, type TopologyFlags } from './inputs.ts';
import { topologyOptions } from './options.ts';

export function registerSpeaker(program: Command): void {
  const speaker = program.command('speaker').description('Cilium\'s own BGP speaker for the topology\'s Cilium line: plan (JSON) or build');
  topologyOptions(speaker.command('plan').description('which speaker source and release the topology needs, and whether it is built (JSON)'))
    .action((flags: TopologyFlags) => {
      const line = speakerLineFor(readTopology(flags).versions.cilium);
      const plan = 'unserved' in line ? line : { line: line.line, release: line.release, pinned: line.pinned, dir: relative(`${speakerSourceRoot()}/..`, line.dir), built: cachedSpeaker(line) ?? null };
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    });
  topologyOptions(speaker.command('build').description('build it (once per machine; cached outside the repository) and print the binary\'s path'))
    .option('--install', 'install Debian\'s Go first where there is none (root)')
    .action(async (flags: TopologyFlags & { install?: boolean }) => {
      const line = speakerLineFor(readTopology(flags).versions.cilium);
      if ('unserved' in line) throw new MissingToolError(line.unserved, 'the twin runs the emulated speaker for this line');
      try {
        const b = await buildSpeaker(line, { install: flags.install === true, log: (l) => process.stderr.write(`lab: ${l}\n`) });
        process.stdout.write(`${b.binary}\n`);
        process.exitCode = EXIT.ok;
      } catch (e) {
        if (e instanceof SpeakerUnavailable) throw new MissingToolError(e.why, 'see the build log named above');
        throw e;
      }
    });
}
