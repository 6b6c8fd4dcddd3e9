// The `lab` command line: parses flags, calls the library, maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { InputError } from '../topology/errors.ts';
import { EXIT, MissingToolError } from './exit.ts';
import { shutdownTracing } from '../telemetry/tracing.ts';
import { COMMANDS, commandNamed } from './commands.ts';

const program = new Command('lab')
  .description('Cilium native routing over BGP, as code that proves itself.')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

// Only the module of the command being run is loaded (with its dependencies: elkjs, ajv, execa...);
// `lab --help` lists the commands from the table without loading any of them.
const wanted = commandNamed(process.argv.slice(2));
if (wanted) (await wanted.load())(program);
else for (const c of COMMANDS) for (const [name, description] of c.commands) program.command(name).description(description);

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

// Flush the spans before the process ends, whatever the exit code (a no-op unless OTEL_* asked for them).
const code = await main().catch(async (e: unknown) => {
  await shutdownTracing({ exitCode: 1 });
  throw e;
});
await shutdownTracing({ exitCode: code });
process.exitCode = code;
