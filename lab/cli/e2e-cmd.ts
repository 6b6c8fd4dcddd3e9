// `lab e2e`: the whole proof on the twin, exit 0 only when every assertion holds.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runE2e } from '../e2e.ts';
import { InputError } from '../topology/errors.ts';
import { formatReport } from '../report/terminal.ts';
import { publishToGithub } from '../report/github.ts';
import { EXIT } from './exit.ts';
import type { TopologyFlags } from './inputs.ts';
import { FAULT_KINDS, type FaultKind } from '../runtime/lab.ts';
import { labInputs } from './pitfall-input.ts';
import { PITFALLS } from '../pitfalls/index.ts';
import { speakerOption, topologyOptions } from './options.ts';
import { parseSpeakerMode } from '../runtime/twin/speaker/choose.ts';
import { stageLogger } from './progress.ts';

export interface E2eFlags extends TopologyFlags {
  ciliumBgp?: string;
  artifacts: string;
  seed: string;
  plain?: boolean;
  json?: boolean;
  runtime: string;
  pitfall?: string;
  fault?: string;
  download?: boolean;
  speaker: string;
}

export function readOptionalFile(path: string | undefined, flag: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError([{ field: flag, problem: `cannot read ${path}: ${(e as Error).message}`, fix: 'give the path of an existing file' }], 'flags');
  }
}

export function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InputError([{ field: '--seed', problem: `"${text}" is not a whole number`, fix: 'give a non-negative integer, e.g. --seed 1' }], 'flags');
  return n;
}

export function parseFault(name: string | undefined): FaultKind | undefined {
  if (name === undefined) return undefined;
  if (!(FAULT_KINDS as string[]).includes(name)) throw new InputError([{ field: '--fault', problem: `no fault "${name}"`, fix: `use one of ${FAULT_KINDS.join(', ')}` }], 'flags');
  return name as FaultKind;
}

/** --speaker: which BGP speaker the twin's nodes run. */
export const parseSpeaker = parseSpeakerMode;

export function e2eOptions(cmd: Command): Command {
  return speakerOption(topologyOptions(cmd))
    .option('--cilium-bgp <file>', 'your own Kubernetes manifests (BGP resources, Services, Secrets, pools) instead of the rendered BGP resources')
    .option('--artifacts <dir>', 'artifacts folder (a subfolder per run)', 'artifacts')
    .option('--seed <n>', 'seed for sampling pod pairs', '1')
    .option('--runtime <name>', 'twin (default) or vm', 'twin')
    .option('--download', 'vm runtime: download missing images and tools into the cache (needs internet)')
    .option('--pitfall <name>', `apply a classic mistake to the generated configs (${PITFALLS.map((p) => p.name).join(', ')})`)
    .option('--fault <name>', `after the assertions, inject a fault and measure detection and recovery (${FAULT_KINDS.join(', ')})`)
    .option('--plain', 'one plain line per stage (default when not a TTY)')
    .option('--json', 'print the report as JSON instead of text');
}

export function registerE2e(program: Command): void {
  e2eOptions(program.command('e2e').description('bring the lab up, converge, assert everything, report, tear down')).action(async (flags: E2eFlags) => {
    if (flags.runtime !== 'twin' && flags.runtime !== 'vm') {
      throw new InputError([{ field: '--runtime', problem: `"${flags.runtime}" is not a runtime`, fix: 'use --runtime twin or --runtime vm' }], 'flags');
    }
    const { model, files, pitfall } = labInputs(flags);
    const ciliumBgpText = readOptionalFile(flags.ciliumBgp, '--cilium-bgp');
    const seed = parseSeed(flags.seed);
    const fault = parseFault(flags.fault);
    const speaker = parseSpeaker(flags.speaker);
    if (flags.runtime === 'vm' && ciliumBgpText !== undefined) {
      throw new InputError([{ field: '--cilium-bgp', problem: 'the VM runtime applies the rendered Cilium BGP resources only', fix: 'drop --cilium-bgp, or use --runtime twin' }], 'flags');
    }
    // Preflight inside runE2e throws MissingToolError (exit 3) before anything is created.
    const report = await runE2e({
      model, files, seed, runtime: flags.runtime, download: flags.download === true, artifactsRoot: flags.artifacts,
      ...(pitfall ? { pitfall } : {}), ...(fault ? { fault } : {}), ...(ciliumBgpText === undefined ? {} : { ciliumBgpText }), speaker,
      onStage: stageLogger(flags.plain === true || !process.stderr.isTTY),
    });
    process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    await publishToGithub(report, { annotations: !flags.json }); // only when GITHUB_STEP_SUMMARY is set
    process.exitCode = report.ok ? EXIT.ok : EXIT.assertionFailed;
  });
}
