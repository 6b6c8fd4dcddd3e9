// One end-to-end run, the same for every runtime: preflight (nothing created before it passes),
// open, up, convergence, every assertion, measurements and a fault if asked, teardown, report.
// Teardown happens on success, failure, timeout and signals (see cli/signals.ts); a failed stage
// first leaves the runtime's failure bundle in the artifacts.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { runAssertions, type AssertionRun } from './assert/index.ts';
import { readOnce } from './assert/read-once.ts';
import { waitForConvergence, type Convergence } from './assert/converge.ts';
import { onInterrupt } from './cli/signals.ts';
import { runFault, type FaultReport } from './faults/run.ts';
import type { Pitfall } from './pitfalls/index.ts';
import type { Result } from './assert/types.ts';
import type { RenderedFiles } from './render/index.ts';
import { writeRunReports } from './report/artifacts.ts';
import { predictedDiagram, RunDiagram } from './report/run-diagram.ts';
import { assertionReports, snapshotMachines, type MachineState, type Report } from './report/model.ts';
import { buildReport, StageRecorder, type StageEvent } from './report/run.ts';
import type { FaultKind, Lab } from './runtime/lab.ts';
import { newRunId } from './runtime/names.ts';
import type { RunnableLab, Runtime } from './runtime/runtime.ts';
import { twinRuntime } from './runtime/twin/runtime.ts';
import { vmRuntime } from './runtime/vm/runtime.ts';
import type { LabModel } from './topology/model.ts';
import { InputError } from './topology/errors.ts';
import { MissingToolError } from './cli/exit.ts';
import type { SpeakerMode } from './runtime/twin/speaker/choose.ts';
import { traceAssertion } from './telemetry/stages.ts';

export interface E2eOptions {
  model: LabModel;
  files: RenderedFiles;
  /** twin (default) or vm. */
  runtime?: Lab['runtime'];
  /** twin: the user's own Cilium BGP manifests instead of the rendered ones. */
  ciliumBgpText?: string;
  /** The twin's node speaker (auto: Cilium's own where it can be had). */
  speaker?: SpeakerMode;
  /** vm: fill the image cache from the internet. */
  download?: boolean;
  /** vm: the image cache (default: the XDG cache folder). */
  cache?: string;
  artifactsRoot?: string;
  seed?: number;
  pitfall?: Pitfall;
  /** Assertions to run (default: all). */
  only?: number[];
  onStage?: (stage: StageEvent) => void;
  /** Lets a caller (the benchmark) look at the lab while it runs. */
  onLab?: (lab: Lab) => void;
  /** Extra measurements on the running lab after the assertions (lab compare). */
  measure?: (lab: Lab) => Promise<void>;
  /** Inject this fault after the assertions, measure detection and recovery. */
  fault?: FaultKind;
  log?: (line: string) => void;
}

export function runtimeFor(opts: E2eOptions): Runtime {
  if (opts.runtime === 'vm') return vmRuntime({ model: opts.model, files: opts.files, download: opts.download === true, ...(opts.cache ? { cache: opts.cache } : {}) });
  return twinRuntime({ model: opts.model, files: opts.files, ...(opts.ciliumBgpText === undefined ? {} : { ciliumBgpText: opts.ciliumBgpText }), ...(opts.speaker ? { speaker: opts.speaker } : {}) });
}

export async function runE2e(opts: E2eOptions, runtime: Runtime = runtimeFor(opts)): Promise<Report> {
  const log = opts.log ?? ((l: string) => void process.stderr.write(`lab: ${l}\n`));
  const { warnings } = await runtime.preflight();
  for (const w of warnings) log(w);
  const runId = newRunId();
  const diagram = new RunDiagram(opts.model, runId);
  const artifacts = resolve(opts.artifactsRoot ?? 'artifacts', runId);
  const stages = new StageRecorder(opts.onStage);
  const stage = <T>(name: string, fn: () => Promise<T>) => stages.run(name, fn);
  const notes: string[] = [...warnings];
  const startedAt = new Date().toISOString();
  const abort = new AbortController();
  const release = onInterrupt(async () => {
    abort.abort();
    await runtime.destroy(runId);
  });
  let lab: RunnableLab | undefined;
  let convergence: Convergence | undefined;
  let machines: MachineState[] = [];
  let fault: FaultReport | undefined;
  let runs: AssertionRun[] = [];
  /** Open refused the inputs or a tool: nothing was created, so there is no teardown to run. */
  let refused = false;
  try {
    try {
      lab = await runtime.open({ runId, artifacts, runDir: `/run/nrl-${runId}`, stage, signal: abort.signal, log });
    } catch (e) {
      // An input error (bad manifests: exit 2) or a missing tool (exit 3), or no failed stage at all:
      // before anything was created; the caller's.
      if (e instanceof InputError || e instanceof MissingToolError || !stages.stages.some((s) => !s.ok)) {
        refused = true;
        throw e;
      }
      notes.push(`run stopped: ${(e as Error).message}`);
    }
    if (lab) {
      const l = lab;
      opts.onLab?.(l);
      try {
        await stage('up', () => l.up());
        // While BGP converges (the CPU is idle): ELK loads in its own thread and draws what a passing
        // run will show, PNG included; the run's own diagram reuses it where it is the same.
        diagram.warmUp(artifacts, () => predictedDiagram(l, runId, opts.seed ?? 1));
        notes.push(...(l.notes?.() ?? []));
        convergence = await stage('convergence', () => waitForConvergence(l));
        // One view of the lab for the assertions and the routing tables of the report: a table an
        // assertion read is not read again (assert/read-once.ts), so the report shows what it judged.
        const view = readOnce(l);
        runs = await stage('assertions', () => runAssertions(view, { seed: opts.seed ?? 1, ...(opts.only ? { only: opts.only } : {}), onAssertion: traceAssertion }));
        machines = await snapshotMachines(view);
        diagram.draw(artifacts, { runId, machines, assertions: assertionReports(runs) }); // drawn while teardown runs
        if (opts.measure) await stage('measurements', () => opts.measure!(l));
        if (opts.fault) fault = await stage(`fault ${opts.fault}`, () => runFault(l, opts.fault!));
      } catch (e) {
        notes.push(`run stopped: ${(e as Error).message}`);
        const failedStage = stages.stages.find((s) => !s.ok);
        const reason = failedStage ? `stage ${failedStage.name} failed: ${failedStage.detail ?? ''}` : `run stopped: ${(e as Error).message}`;
        const files = await l.collectFailureBundle?.(reason).catch((err: Error) => [`(incomplete: ${err.message})`]);
        if (files) notes.push(`failure bundle: ${files.length} files in ${artifacts}`);
      }
      const broken = assertionReports(runs).filter((a) => !a.ok).map((a) => a.id);
      if (broken.length > 0 && l.collectFailureBundle && !notes.some((n) => n.startsWith('failure bundle'))) {
        const files = await l.collectFailureBundle(`assertions ${broken.join(', ')} failed`).catch((err: Error) => [`(incomplete: ${err.message})`]);
        notes.push(`failure bundle: ${files.length} files in ${artifacts}`);
      }
    }
  } finally {
    if (!refused) await stage('teardown', async () => {
      const failed = await runtime.destroy(runId);
      if (failed.length > 0) notes.push(`teardown could not remove: ${failed.join('; ')}`);
    }).catch(() => undefined);
    release();
  }
  const failed = assertionReports(runs).filter((a) => !a.ok).map((a) => a.id);
  if (opts.pitfall) notes.push(pitfallNote(opts.pitfall, failed, runs.flatMap((r) => r.results)));
  const report = buildReport({
    model: opts.model, runtime: runtime.name, runId, fidelity: lab?.fidelity ?? runtime.name, startedAt, stages: stages.stages, runs, machines, notes, artifacts,
    ...(convergence ? { convergence } : {}), ...(opts.pitfall ? { pitfall: opts.pitfall.name } : {}), ...(fault ? { fault } : {}),
  });
  mkdirSync(artifacts, { recursive: true }); // a run stopped in its images stage has none yet
  return writeRunReports(report, opts.model, diagram); // junit.xml, diagram.svg/png, report.json with its artifacts index
}

/**
 * What a pitfall run showed, against what the mistake is known to break; a pitfall of one family
 * (dual-stack) must leave every check of the other family holding.
 */
export function pitfallNote(p: Pitfall, failed: number[], results: Result[] = []): string {
  const expected = p.breaks.length === 0 ? 'nothing' : p.breaks.join(', ');
  const missed = p.breaks.filter((id) => !failed.includes(id));
  const other = p.family === undefined ? [] : results.filter((r) => !r.ok && r.family !== undefined && r.family !== p.family);
  const problems = [
    ...(missed.length > 0 ? [`${missed.join(', ')} held`] : []),
    ...(other.length > 0 ? [`IPv${other[0]!.family} broke too (${other[0]!.subject})`] : []),
  ];
  const verdict = problems.length === 0 ? 'as expected' : `UNEXPECTED: ${problems.join('; ')}`;
  const scope = p.family === undefined ? '' : ` in IPv${p.family} only`;
  return `pitfall ${p.name}: ${p.mistake}. Known to break ${expected}${scope}; broke ${failed.length === 0 ? 'nothing' : failed.join(', ')} (${verdict}). Fix: ${p.fix}`;
}
