// `lab doctor [--install]`: which system tools the runtimes need, which are missing, and (as root
// on Debian/Ubuntu) installs them; then the host's headroom for the twin (machines, namespaces,
// neighbour entries, processes, memory).
import type { Command } from 'commander';
import { aptInstall, isDebianLike } from '../runtime/install.ts';
import { installCommand, isRoot, missingTools, OPTIONAL_TOOLS, TWIN_TOOLS, VM_TOOLS, which } from '../runtime/tools.ts';
import { EXIT } from './exit.ts';
import { headroom } from '../runtime/limits.ts';
import { readTopology, type TopologyFlags } from './inputs.ts';
import { topologyOptions } from './options.ts';
import { buildSpeaker, cachedSpeaker, SpeakerUnavailable } from '../runtime/twin/speaker/build.ts';
import { speakerLineFor } from '../runtime/twin/speaker/source.ts';

export function registerDoctor(program: Command): void {
  topologyOptions(program.command('doctor').description('check (and with --install, install) the system tools and build Cilium\'s BGP speaker for the topology\'s Cilium line'))
    .option('--install', 'install what is missing (root, Debian/Ubuntu) and build the speaker')
    .option('--no-speaker', 'leave Cilium\'s BGP speaker out (it comes built from elsewhere, or the twin is not run)')
    .option('--vm', 'also the VM lab\'s tools')
    .option('--quiet', 'print only problems')
    .action(async (flags: TopologyFlags & { install?: boolean; vm?: boolean; quiet?: boolean; speaker: boolean }) => {
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
      if (flags.speaker) await speakerStatus(readTopology(flags).versions.cilium, flags.install === true, say);
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

/**
 * Cilium's own BGP speaker for the topology's line: built (with --install, building it now, minutes
 * once per machine), or why the twin will run the emulation. Never an exit code of its own: the
 * twin runs either way and its report says which speaker ran.
 */
async function speakerStatus(ciliumVersion: string, install: boolean, say: (l: string) => void): Promise<void> {
  const line = speakerLineFor(ciliumVersion);
  if ('unserved' in line) {
    say(`  speaker  emulated: ${line.unserved}`);
    return;
  }
  const cached = cachedSpeaker(line);
  if (cached || !install) {
    say(`  ${cached ? 'ok     ' : 'missing'} Cilium ${line.release}'s BGP speaker${cached ? ` (${cached})` : ' (built by lab doctor --install, or at the first run)'}`);
    return;
  }
  try {
    const b = await buildSpeaker(line, { install: true, log: (l) => say(`  ${l}`) });
    say(`  ok      Cilium ${b.release}'s BGP speaker (${b.binary})`);
  } catch (e) {
    if (!(e instanceof SpeakerUnavailable)) throw e;
    process.stderr.write(`lab doctor: Cilium ${line.release}'s BGP speaker could not be built, so the twin will run the emulated speaker: ${e.why}\n`);
  }
}
