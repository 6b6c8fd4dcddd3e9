// `lab doctor [--install]`: which system tools the runtimes need, which are missing, and (as root
// on Debian/Ubuntu) installs them; then the host's headroom for the twin (machines, namespaces,
// neighbour entries, processes, memory).
import type { Command } from 'commander';
import { aptInstall, isDebianLike } from '../runtime/install.ts';
import { installCommand, isRoot, missingTools, OPTIONAL_TOOLS, TWIN_TOOLS, VM_TOOLS, which } from '../runtime/tools.ts';
import { EXIT } from './exit.ts';
import { headroom } from '../runtime/limits.ts';

export function registerDoctor(program: Command): void {
  program.command('doctor').description('check (and with --install, install) the system tools')
    .option('--install', 'install what is missing (root, Debian/Ubuntu)')
    .option('--vm', 'also the VM lab\'s tools')
    .option('--quiet', 'print only problems')
    .action(async (flags: { install?: boolean; vm?: boolean; quiet?: boolean }) => {
      const wanted = { ...TWIN_TOOLS, ...OPTIONAL_TOOLS, ...(flags.vm ? VM_TOOLS : {}) };
      let missing = missingTools(wanted);
      const say = (l: string) => { if (!flags.quiet) process.stdout.write(`${l}\n`); };
      if (missing.commands.length > 0 && flags.install) {
        if (!isRoot() || !isDebianLike()) {
          process.stderr.write(`lab doctor: cannot install here (${!isRoot() ? 'not root' : 'not Debian/Ubuntu'}); run: ${installCommand(missing.packages)}\n`);
        } else {
          const r = await aptInstall(missing.packages, (l) => say(`  ${l}`));
          if (!r.ok) process.stderr.write(`lab doctor: install failed: ${r.detail}\n`);
          missing = missingTools(wanted);
        }
      }
      for (const cmd of Object.keys(wanted)) say(`  ${which(cmd) ? 'ok     ' : 'missing'} ${cmd.padEnd(20)} (${wanted[cmd]})`);
      if (!isRoot()) process.stderr.write('lab doctor: not root: the twin needs root for network namespaces (sudo)\n');
      // Headroom for the twin: what the host allows beside what runs now (read-only, lab/runtime/limits.ts).
      say('headroom:');
      for (const line of headroom()) say(`  ${line}`);
      const required = missing.commands.filter((c) => !(c in OPTIONAL_TOOLS));
      if (required.length > 0) {
        process.stderr.write(`lab doctor: missing ${required.join(', ')}; install with: ${installCommand(missing.packages)}\n`);
        process.exitCode = EXIT.missingTool;
      } else say('all required tools are present');
    });
}
