// Every `lab` command, with the module that registers it, so the CLI loads only the one it runs.
// Names and descriptions are repeated here for `lab --help`; test/unit/cli-commands.test.ts keeps
// them equal to what each module registers.
import type { Command } from 'commander';

export interface CommandModule {
  /** [name, description] of every command the module registers. */
  commands: [string, string][];
  load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: CommandModule[] = [
  { commands: [['render', 'write every router and cluster config of the topology'], ['schema', 'print the topology JSON Schema (for editors)']], load: async () => (await import('./render-cmd.ts')).registerRender },
  { commands: [['e2e', 'bring the lab up, converge, assert everything, report, tear down']], load: async () => (await import('./e2e-cmd.ts')).registerE2e },
  {
    commands: [['up', 'bring the lab up and keep it running'], ['status', 'running labs and their BGP sessions'], ['exec', 'run a command on a machine of the running lab'],
      ['fault', 'inject a fault into the running lab, measure detection and recovery, heal it'], ['down', 'tear a running lab down']],
    load: async () => (await import('./lifecycle-cmd.ts')).registerLifecycle,
  },
  { commands: [['doctor', 'check (and with --install, install) the system tools and build Cilium\'s BGP speaker for the topology\'s Cilium line']], load: async () => (await import('./doctor-cmd.ts')).registerDoctor },
  { commands: [['speaker', 'Cilium\'s own BGP speaker for the topology\'s Cilium line: plan (JSON) or build']], load: async () => (await import('./speaker-cmd.ts')).registerSpeaker },
  { commands: [['diagram', 'draw the topology with every machine\'s expected routing table (SVG, or PNG for -o *.png)']], load: async () => (await import('./diagram-cmd.ts')).registerDiagram },
  { commands: [['compare', 'native routing vs tunnel + masquerading, side by side']], load: async () => (await import('./compare-cmd.ts')).registerCompare },
  { commands: [['generate', 'write a topology of N datacentres with M nodes each']], load: async () => (await import('./generate-cmd.ts')).registerGenerate },
];

/** The module of the command named by argv (`lab NAME ...` or `lab help NAME`), if any. */
export function commandNamed(argv: string[]): CommandModule | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.commands.some(([n]) => n === name));
}
