// `lab up`, `lab status`, `lab exec`, `lab down`: keep a lab running and look inside it.
import type { Command } from 'commander';
import { waitForConvergence } from '../assert/converge.ts';
import { preflightTwin } from '../runtime/twin/runtime.ts';
import { renderAll } from '../render/index.ts';
import { newRunId } from '../runtime/names.ts';
import { execAttached, listNamespaces } from '../runtime/netns.ts';
import { listKept, saveKept, type KeptLab } from '../runtime/state.ts';
import { destroyAll, destroyRun, presentRuns } from '../runtime/teardown.ts';
import { ownerAlive, ownerOf } from '../runtime/owner.ts';
import { birdSocket, speakerSocket, withDaemonSocket } from '../runtime/twin/sockets.ts';
import { chooseSpeaker, choiceOfRecord, speakerRecord } from '../runtime/twin/speaker/choose.ts';
import { TwinLab } from '../runtime/twin/twin-lab.ts';
import { InputError } from '../topology/errors.ts';
import { loadModel } from '../topology/load.ts';
import { allRouters } from '../topology/model.ts';
import { parseFault, parseSpeaker, readOptionalFile, type E2eFlags } from './e2e-cmd.ts';
import { formatFault, runFault } from '../faults/run.ts';
import { FAULT_KINDS } from '../runtime/lab.ts';
import { EXIT } from './exit.ts';
import { readTopology } from './inputs.ts';
import { speakerOption, topologyOptions } from './options.ts';
import { interrupted, onInterrupt } from './signals.ts';
import { resolve } from 'node:path';

function rebuild(k: KeptLab): TwinLab {
  const model = loadModel(k.topologyText, 'kept lab', k.options);
  return new TwinLab(model, renderAll(model), { runId: k.runId, artifacts: k.artifacts, runDir: k.runDir, speaker: choiceOfRecord(k.speaker), ...(k.ciliumBgpText ? { ciliumBgpText: k.ciliumBgpText } : {}) });
}

/** `birdc`, `gobgp` and `cilium-dbg` find the lab's daemons without the user knowing where they listen. */
export function daemonClientArgv(k: KeptLab, machine: string, argv: string[]): string[] {
  const model = loadModel(k.topologyText, 'kept lab', k.options);
  const router = allRouters(model).find((r) => r.name === machine);
  const isNode = model.datacentres.some((d) => d.nodes.some((n) => n.name === machine));
  const speaker = isNode && k.speaker?.kind === 'cilium' && k.speaker.binary ? { speaker: { binary: k.speaker.binary, socket: speakerSocket(k.runDir, machine) } } : {};
  return withDaemonSocket(argv, { ...(router ? { birdSocket: birdSocket(k.runDir, router.key) } : {}), gobgp: isNode && k.speaker?.kind !== 'cilium', ...speaker });
}

function pickKept(runId: string | undefined): KeptLab {
  const kept = listKept();
  const chosen = runId ? kept.filter((k) => k.runId === runId) : kept;
  if (chosen.length === 1) return chosen[0]!;
  const problem = chosen.length === 0 ? (runId ? `no running lab ${runId}` : 'no lab is running') : `${chosen.length} labs are running (${chosen.map((k) => k.runId).join(', ')})`;
  throw new InputError([{ field: '--run', problem, fix: chosen.length === 0 ? 'start one with `lab up`' : 'name one with --run ID' }], 'flags');
}

export function registerLifecycle(program: Command): void {
  speakerOption(topologyOptions(program.command('up').description('bring the lab up and keep it running')))
    .option('--cilium-bgp <file>', 'your own Kubernetes manifests (BGP resources, Services, Secrets, pools) instead of the rendered BGP resources')
    .option('--artifacts <dir>', 'artifacts folder', 'artifacts')
    .action(async (flags: E2eFlags) => {
      const model = readTopology(flags);
      const topologyText = readOptionalFile(flags.topology, '--topology');
      const ciliumBgpText = readOptionalFile(flags.ciliumBgp, '--cilium-bgp');
      const mode = parseSpeaker(flags.speaker);
      preflightTwin(model);
      const speaker = await chooseSpeaker(model, mode, { log: (l) => process.stderr.write(`lab: ${l}\n`) });
      const runId = newRunId();
      const artifacts = resolve(flags.artifacts, runId);
      const lab = new TwinLab(model, renderAll(model), { runId, artifacts, runDir: `/run/nrl-${runId}`, signal: interrupted, speaker, ...(ciliumBgpText ? { ciliumBgpText } : {}) });
      await lab.checkInputs(); // exit 2 before anything exists
      const release = onInterrupt(() => destroyRun(runId));
      try {
        await lab.up();
        const c = await waitForConvergence(lab);
        const options: KeptLab['options'] = {};
        if (flags.ciliumVersion) options.ciliumVersion = flags.ciliumVersion;
        if (flags.talosVersion) options.talosVersion = flags.talosVersion;
        if (flags.openwrtVersion) options.openwrtVersion = flags.openwrtVersion;
        saveKept({
          runId, name: model.name, options, namespaces: lab.namespaces, artifacts, runDir: `/run/nrl-${runId}`, startedAt: new Date().toISOString(),
          machines: Object.fromEntries(lab.plan.namespaces.flatMap((n) => (n.machine ? [[n.machine.name, n.ns]] : []))),
          ...(topologyText ? { topologyText } : {}), ...(ciliumBgpText ? { ciliumBgpText } : {}), speaker: speakerRecord(speaker),
        });
        process.stdout.write(`lab ${runId} is up (${c.converged ? `converged in ${c.ms} ms` : `NOT converged: ${c.missing.slice(0, 3).join(', ')}`}).\n`);
        process.stdout.write(`machines: ${lab.machines().map((m) => m.name).join(', ')}\n`);
        process.stdout.write(`nodes: ${lab.speakers.description}\n`);
        process.stdout.write(`try: lab exec ${lab.machines().find((m) => m.kind === 'pod')?.name} -- traceroute -n ${lab.machines().filter((m) => m.kind === 'pod').at(-1)?.address}\n     lab status; lab down\n`);
      } catch (e) {
        await destroyRun(runId);
        throw e;
      } finally {
        release();
      }
    });

  program.command('status').description('running labs and their BGP sessions').option('--run <id>', 'one lab').action(async (flags: { run?: string }) => {
    const kept = flags.run ? [pickKept(flags.run)] : listKept();
    const present = new Set(await listNamespaces());
    if (kept.length === 0) process.stdout.write('no lab is running\n');
    for (const k of kept) {
      const alive = k.namespaces.filter((ns) => present.has(ns)).length;
      process.stdout.write(`${k.runId} ${k.name}: ${alive}/${k.namespaces.length} namespaces, started ${k.startedAt}, artifacts ${k.artifacts}\n`);
      if (alive === 0) continue;
      for (const s of await rebuild(k).bgpSessions()) {
        process.stdout.write(`  ${s.machine.padEnd(20)} ${s.kind} ${s.peerAddress.padEnd(15)} ${s.state}\n`);
      }
    }
  });

  program.command('exec').description('run a command on a machine of the running lab').argument('<machine>').argument('<command...>')
    .option('--run <id>', 'which lab, when several run')
    .action((machine: string, command: string[], flags: { run?: string }) => {
      const k = pickKept(flags.run);
      const ns = k.machines[machine];
      if (!ns) throw new InputError([{ field: 'machine', problem: `no machine "${machine}" in lab ${k.runId}`, fix: `use one of ${Object.keys(k.machines).join(', ')}` }], 'arguments');
      process.exitCode = execAttached(ns, daemonClientArgv(k, machine, command));
    });

  program.command('fault').description('inject a fault into the running lab, measure detection and recovery, heal it')
    .argument('<name>', FAULT_KINDS.join(' | ')).option('--run <id>', 'which lab, when several run')
    .action(async (name: string, flags: { run?: string }) => {
      const kind = parseFault(name)!;
      const lab = rebuild(pickKept(flags.run));
      await lab.attach();
      const f = await runFault(lab, kind);
      process.stdout.write(formatFault(f));
      process.exitCode = f.ok ? EXIT.ok : EXIT.assertionFailed;
    });

  program.command('down').description('tear a running lab down').option('--run <id>', 'which lab (a kept lab, or any run\'s leftovers)')
    .option('--all', 'every run on this machine, including crashed runs\' leftovers (processes, namespaces, cgroups), except runs whose orchestrator is still alive')
    .option('--force', 'with --all or --run: also runs whose orchestrator is still alive')
    .action(async (flags: { run?: string; all?: boolean; force?: boolean }) => {
      if (flags.all) {
        const { runs, skipped, failed } = await destroyAll({ force: flags.force === true });
        process.stdout.write(runs.length === 0 ? 'nothing to remove\n' : `removed ${runs.length} run(s): ${runs.join(', ')}\n`);
        for (const id of skipped) process.stdout.write(`skipped ${id}: its orchestrator (pid ${ownerOf(id)?.pid}) is still running; --force removes it too\n`);
        for (const f of failed) process.stderr.write(`could not remove ${f}\n`);
        process.exitCode = failed.length === 0 ? EXIT.ok : EXIT.missingTool;
        return;
      }
      const runId = flags.run !== undefined && !listKept().some((k) => k.runId === flags.run) && (await presentRuns()).includes(flags.run) ? flags.run : pickKept(flags.run).runId;
      if (!flags.force && ownerAlive(runId)) {
        throw new InputError([{ field: '--run', problem: `run ${runId} is still running (orchestrator pid ${ownerOf(runId)?.pid})`, fix: 'stop that process (Ctrl-C tears its lab down), or add --force' }], 'flags');
      }
      const failed = await destroyRun(runId);
      process.stdout.write(`lab ${runId} is down\n`);
      for (const f of failed) process.stderr.write(`could not remove ${f}\n`);
      process.exitCode = failed.length === 0 ? EXIT.ok : EXIT.missingTool;
    });
}
