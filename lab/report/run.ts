// What every runtime's e2e shares: timing stages as they run, and assembling the report at the end.
import type { AssertionRun } from '../assert/index.ts';
import type { Convergence } from '../assert/converge.ts';
import type { FaultReport } from '../faults/run.ts';
import { isDualStack, type LabModel } from '../topology/model.ts';
import { assertionReports, type MachineState, type Report, type Stage } from './model.ts';
import { describeStage } from '../telemetry/stages.ts';
import { withSpan } from '../telemetry/tracing.ts';

export type StageEvent = Stage | { name: string; started: true };

/** Runs named stages, records their duration and outcome, and tells a listener (the progress line). */
export class StageRecorder {
  readonly stages: Stage[] = [];
  constructor(private readonly listener?: (e: StageEvent) => void) {}

  /** Each stage is also an OpenTelemetry span (a no-op unless OTEL_* asks for export; lab/telemetry). */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.listener?.({ name, started: true });
    let t0 = Date.now();
    try {
      const v = await withSpan(name, { 'lab.stage': name }, async (span) => {
        t0 = Date.now(); // the first span loads OpenTelemetry: not the stage's time
        const r = await fn();
        describeStage(span, r);
        return r;
      }, { reveal: true });
      this.record({ name, ms: Date.now() - t0, ok: true });
      return v;
    } catch (e) {
      this.record({ name, ms: Date.now() - t0, ok: false, detail: (e as Error).message });
      throw e;
    }
  }

  private record(s: Stage): void {
    this.stages.push(s);
    this.listener?.(s);
  }
}

export interface RunOutcome {
  model: LabModel;
  runtime: Report['runtime'];
  runId: string;
  fidelity: string;
  startedAt: string;
  stages: Stage[];
  runs: AssertionRun[];
  machines: MachineState[];
  notes: string[];
  artifacts: string;
  convergence?: Convergence;
  pitfall?: string;
  fault?: FaultReport;
}

export function buildReport(o: RunOutcome): Report {
  const m = o.model;
  const assertions = assertionReports(o.runs);
  return {
    schemaVersion: 1,
    lab: m.name,
    runtime: o.runtime,
    runId: o.runId,
    fidelity: o.fidelity,
    versions: m.versions,
    bgpApi: m.cilium.bgpApi,
    mode: {
      routingMode: m.cilium.routingMode, masquerade: m.cilium.masquerade, autoDirectNodeRoutes: m.cilium.autoDirectNodeRoutes, ibgp: m.routers.reflection ? 'route reflection' : 'full mesh',
      ...(isDualStack(m) ? { dualStack: m.sessions } : {}),
    },
    ...(o.pitfall ? { pitfall: o.pitfall } : {}),
    startedAt: o.startedAt,
    stages: o.stages,
    ...(o.convergence ? { convergence: o.convergence } : {}),
    assertions,
    machines: o.machines,
    notes: o.notes,
    ...(o.fault ? { fault: o.fault } : {}),
    ok: assertions.length > 0 && assertions.every((a) => a.ok) && o.stages.every((s) => s.ok) && (o.fault?.ok ?? true),
    artifacts: o.artifacts,
  };
}
