// One end-to-end run: bring the lab up, wait for convergence, run every assertion, report, tear
// down. Teardown happens on success, failure, timeout and signals (see cli/signals.ts).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { runAssertions } from './assert/index.ts';
import { waitForConvergence, type Convergence } from './assert/converge.ts';
import { MissingToolError } from './cli/exit.ts';
import { onInterrupt } from './cli/signals.ts';
import type { RenderedFiles } from './render/index.ts';
import { writeRunReports } from './report/artifacts.ts';
import { assertionReports, snapshotMachines, type MachineState, type Report } from './report/model.ts';
import { buildReport, StageRecorder, type StageEvent } from './report/run.ts';
import { installCommand, isRoot, missingTools, TWIN_TOOLS } from './runtime/tools.ts';
import { newRunId } from './runtime/names.ts';
import { TwinLab } from './runtime/twin/twin-lab.ts';
import { destroyRun } from './runtime/teardown.ts';
import type { LabModel } from './topology/model.ts';
import type { FaultKind, Lab } from './runtime/lab.ts';
import { runFault, type FaultReport } from './faults/run.ts';
import type { Pitfall } from './pitfalls/index.ts';

export interface E2eOptions {
  model: LabModel;
  files: RenderedFiles;
  ciliumBgpText?: string;
  artifactsRoot?: string;
  seed?: number;
  pitfall?: Pitfall;
  /** Assertions to run (default: all). */
  only?: number[];
  onStage?: (stage: StageEvent) => void;
  /** Lets a caller (the benchmark) look at the lab while it runs. */
  onLab?: (lab: TwinLab) => void;
  /** Extra measurements on the running lab after the assertions (lab compare). */
  measure?: (lab: Lab) => Promise<void>;
  /** Inject this fault after the assertions, measure detection and recovery. */
  fault?: FaultKind;
}

export function preflightTwin(): void {
  const missing = missingTools(TWIN_TOOLS);
  if (missing.commands.length > 0) {
    throw new MissingToolError(`the twin needs ${missing.commands.join(', ')}, which this machine lacks`, `${installCommand(missing.packages)}   (or: sudo node bin/lab.mjs doctor --install)`);
  }
  if (!isRoot()) throw new MissingToolError('the twin creates network namespaces, which needs root', 'sudo npm start   (or sudo node bin/lab.mjs e2e)');
}

export async function runE2e(opts: E2eOptions): Promise<Report> {
  preflightTwin();
  const runId = newRunId();
  const artifacts = resolve(opts.artifactsRoot ?? 'artifacts', runId);
  const stages = new StageRecorder(opts.onStage);
  const notes: string[] = [];
  const startedAt = new Date().toISOString();
  const twinOpts = { runId, artifacts, runDir: `/run/nrl-${runId}` };
  const lab = new TwinLab(opts.model, opts.files, opts.ciliumBgpText === undefined ? twinOpts : { ...twinOpts, ciliumBgpText: opts.ciliumBgpText });
  mkdirSync(artifacts, { recursive: true }); // only once the inputs proved good
  opts.onLab?.(lab);
  const release = onInterrupt(() => destroyRun(runId));
  let convergence: Convergence | undefined;
  let machines: MachineState[] = [];
  let fault: FaultReport | undefined;
  let runs: Awaited<ReturnType<typeof runAssertions>> = [];
  try {
    await stages.run('up', () => lab.up());
    for (const i of lab.intents) for (const n of i.notes) if (!n.startsWith('selected by')) notes.push(`${i.node}: ${n}`);
    convergence = await stages.run('convergence', () => waitForConvergence(lab));
    runs = await stages.run('assertions', () => runAssertions(lab, { seed: opts.seed ?? 1, ...(opts.only ? { only: opts.only } : {}) }));
    machines = await snapshotMachines(lab);
    if (opts.measure) await stages.run('measurements', () => opts.measure!(lab));
    if (opts.fault) fault = await stages.run(`fault ${opts.fault}`, () => runFault(lab, opts.fault!));
  } catch (e) {
    notes.push(`run stopped: ${(e as Error).message}`);
  } finally {
    await stages.run('teardown', async () => {
      const failed = await destroyRun(runId);
      if (failed.length > 0) notes.push(`teardown could not remove: ${failed.join('; ')}`);
    }).catch(() => undefined);
    release();
  }
  const failed = assertionReports(runs).filter((a) => !a.ok).map((a) => a.id);
  if (opts.pitfall) notes.push(pitfallNote(opts.pitfall, failed));
  const report = buildReport({
    model: opts.model, runtime: 'twin', runId, fidelity: lab.fidelity, startedAt, stages: stages.stages, runs, machines, notes, artifacts,
    ...(convergence ? { convergence } : {}), ...(opts.pitfall ? { pitfall: opts.pitfall.name } : {}), ...(fault ? { fault } : {}),
  });
  return writeRunReports(report, opts.model); // junit.xml, diagram.svg/png, report.json with its artifacts index
}

/** What a pitfall run showed, against what the mistake is known to break. */
export function pitfallNote(p: Pitfall, failed: number[]): string {
  const expected = p.breaks.length === 0 ? 'nothing' : p.breaks.join(', ');
  const missed = p.breaks.filter((id) => !failed.includes(id));
  const verdict = missed.length === 0 ? 'as expected' : `UNEXPECTED: ${missed.join(', ')} held`;
  return `pitfall ${p.name}: ${p.mistake}. Known to break ${expected}; broke ${failed.length === 0 ? 'nothing' : failed.join(', ')} (${verdict}). Fix: ${p.fix}`;
}
