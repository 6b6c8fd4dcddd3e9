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
import { assertionReports, snapshotMachines, type MachineState, type Report, type Stage } from './report/model.ts';
import { installCommand, isRoot, missingTools, TWIN_TOOLS } from './runtime/tools.ts';
import { newRunId } from './runtime/twin/names.ts';
import { TwinLab } from './runtime/twin/twin-lab.ts';
import { destroyRun } from './runtime/twin/teardown.ts';
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
  onStage?: (stage: Stage | { name: string; started: true }) => void;
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

async function stage<T>(stages: Stage[], name: string, opts: E2eOptions, fn: () => Promise<T>): Promise<T> {
  opts.onStage?.({ name, started: true });
  const t0 = Date.now();
  try {
    const v = await fn();
    const s: Stage = { name, ms: Date.now() - t0, ok: true };
    stages.push(s);
    opts.onStage?.(s);
    return v;
  } catch (e) {
    const s: Stage = { name, ms: Date.now() - t0, ok: false, detail: (e as Error).message };
    stages.push(s);
    opts.onStage?.(s);
    throw e;
  }
}

export async function runE2e(opts: E2eOptions): Promise<Report> {
  preflightTwin();
  const runId = newRunId();
  const artifacts = resolve(opts.artifactsRoot ?? 'artifacts', runId);
  const stages: Stage[] = [];
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
    await stage(stages, 'up', opts, () => lab.up());
    for (const i of lab.intents) for (const n of i.notes) if (!n.startsWith('selected by')) notes.push(`${i.node}: ${n}`);
    convergence = await stage(stages, 'convergence', opts, () => waitForConvergence(lab));
    runs = await stage(stages, 'assertions', opts, () => runAssertions(lab, { seed: opts.seed ?? 1, ...(opts.only ? { only: opts.only } : {}) }));
    machines = await snapshotMachines(lab);
    if (opts.measure) await stage(stages, 'measurements', opts, () => opts.measure!(lab));
    if (opts.fault) fault = await stage(stages, `fault ${opts.fault}`, opts, () => runFault(lab, opts.fault!));
  } catch (e) {
    notes.push(`run stopped: ${(e as Error).message}`);
  } finally {
    await stage(stages, 'teardown', opts, async () => {
      const failed = await destroyRun(runId);
      if (failed.length > 0) notes.push(`teardown could not remove: ${failed.join('; ')}`);
    }).catch(() => undefined);
    release();
  }
  const assertions = assertionReports(runs);
  if (opts.pitfall) notes.push(pitfallNote(opts.pitfall, assertions.filter((a) => !a.ok).map((a) => a.id)));
  const report: Report = {
    schemaVersion: 1,
    lab: opts.model.name,
    runtime: 'twin',
    runId,
    fidelity: lab.fidelity,
    versions: opts.model.versions,
    bgpApi: opts.model.cilium.bgpApi,
    mode: { routingMode: opts.model.cilium.routingMode, masquerade: opts.model.cilium.masquerade, autoDirectNodeRoutes: opts.model.cilium.autoDirectNodeRoutes, ibgp: opts.model.routers.reflection ? 'route reflection' : 'full mesh' },
    ...(opts.pitfall ? { pitfall: opts.pitfall.name } : {}),
    startedAt,
    stages,
    ...(convergence ? { convergence } : {}),
    assertions,
    machines,
    notes,
    ...(fault ? { fault } : {}),
    ok: assertions.length > 0 && assertions.every((a) => a.ok) && stages.every((s) => s.ok) && (fault?.ok ?? true),
    artifacts,
  };
  return writeRunReports(report, opts.model); // junit.xml, diagram.svg/png, report.json with its artifacts index
}

/** What a pitfall run showed, against what the mistake is known to break. */
export function pitfallNote(p: Pitfall, failed: number[]): string {
  const expected = p.breaks.length === 0 ? 'nothing' : p.breaks.join(', ');
  const missed = p.breaks.filter((id) => !failed.includes(id));
  const verdict = missed.length === 0 ? 'as expected' : `UNEXPECTED: ${missed.join(', ')} held`;
  return `pitfall ${p.name}: ${p.mistake}. Known to break ${expected}; broke ${failed.length === 0 ? 'nothing' : failed.join(', ')} (${verdict}). Fix: ${p.fix}`;
}
