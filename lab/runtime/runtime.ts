// What a runtime provides to the one end-to-end flow (lab/e2e.ts), in the containerlab manner: one
// lifecycle (preflight, open, up, down) that every provider shares. The flow owns the stages,
// teardown on every path, the report; a runtime owns only how its machines come to exist.
import type { Lab } from './lab.ts';

/** Runs a named, timed stage (the flow's StageRecorder); runtimes use it for their own stages. */
export type StageRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export interface RunContext {
  runId: string;
  /** artifacts/<run id>: created by the runtime only once its inputs proved good. */
  artifacts: string;
  /** Short-pathed folder for sockets and pid files (unix sockets allow 108 bytes). */
  runDir: string;
  stage: StageRunner;
  /** Aborted when a signal arrives: `up` stops spawning before teardown enumerates. */
  signal: AbortSignal;
  log: (line: string) => void;
}

/** A lab that can still be brought up: `Lab` plus the lifecycle verbs the flow needs. */
export interface RunnableLab extends Lab {
  up(): Promise<void>;
  /** Notes worth a line in the report (e.g. how each node's BGP intent was derived). */
  notes?(): string[];
  /** After a failed stage: write what a person needs to diagnose it without rerunning. */
  collectFailureBundle?(reason: string): Promise<string[]>;
}

export interface Runtime {
  readonly name: Lab['runtime'];
  /** Tools, privileges, images: throws MissingToolError (exit 3) before anything is created. */
  preflight(): Promise<{ warnings: string[] }>;
  /** Builds the lab object; any stage it needs first (images) runs through ctx.stage. Input errors
   * surface here, before anything is created. */
  open(ctx: RunContext): Promise<RunnableLab>;
  /** Removes everything of the run, whatever state it is in; returns what it could not remove. */
  destroy(runId: string): Promise<string[]>;
}
