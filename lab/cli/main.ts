// The `lab` command line: parses flags, calls the library, maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { InputError } from '../topology/errors.ts';
import { EXIT, MissingToolError } from './exit.ts';
import { registerRender } from './render-cmd.ts';
import { registerE2e } from './e2e-cmd.ts';
import { registerLifecycle } from './lifecycle-cmd.ts';
import { registerDoctor } from './doctor-cmd.ts';
import { registerDiagram } from './diagram-cmd.ts';
import { registerCompare } from './compare-cmd.ts';
import { registerGenerate } from './generate-cmd.ts';

const program = new Command('lab')
  .description('Cilium native routing over BGP, as code that proves itself.')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

registerRender(program);
registerE2e(program);
registerLifecycle(program);
registerDoctor(program);
registerDiagram(program);
registerCompare(program);
registerGenerate(program);

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      return EXIT.badInput;
    }
    if (e instanceof InputError) {
      process.stderr.write(`lab: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof MissingToolError) {
      process.stderr.write(`lab: ${e.message}\n${e.install ? `  install with: ${e.install}\n` : ''}`);
      return EXIT.missingTool;
    }
    throw e;
  }
}

process.exitCode = await main();
