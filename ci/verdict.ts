// After a Dagger run was exported (`dagger call twin|e2e ... outputs export --path DIR`): how the run
// ended (DIR/artifacts/dagger-run.json, written by the module), the job summary (every run's
// summary.md) and an annotation per failed check (from each report.json), so a red cell says why
// even on a fork's PR, where the JUnit check run cannot be created.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { joinSummaries, RUN_RECORD, runRecord, type RunRecord } from '../dagger/src/plan.ts';
import { failureAnnotations } from '../lab/report/github.ts';
import type { Report } from '../lab/report/model.ts';

export interface Verdict {
  record: RunRecord;
  /** Markdown for the job summary. */
  summary: string;
  annotations: { title: string; message: string }[];
}

/** The exit code a workflow step reports when the call left no record (it failed before the run ended). */
export const NO_RECORD_EXIT = 1;

function runDirs(artifacts: string): string[] {
  if (!existsSync(artifacts)) return [];
  return readdirSync(artifacts).filter((e) => statSync(join(artifacts, e)).isDirectory()).sort();
}

export function readVerdict(artifacts: string): Verdict {
  const recordFile = join(artifacts, RUN_RECORD);
  if (!existsSync(recordFile)) {
    const record: RunRecord = { ...runRecord([], NO_RECORD_EXIT, []), meaning: `no ${RUN_RECORD} in ${artifacts}: the dagger call failed before the run finished (see its log)` };
    return { record, summary: `> **${record.meaning}**\n`, annotations: [{ title: 'lab e2e through Dagger did not finish', message: record.meaning }] };
  }
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as RunRecord;
  const summaries: { path: string; text: string }[] = [];
  const annotations: Verdict['annotations'] = [];
  for (const run of runDirs(artifacts)) {
    const md = join(artifacts, run, 'summary.md');
    if (existsSync(md)) summaries.push({ path: `${run}/summary.md`, text: readFileSync(md, 'utf8') });
    const json = join(artifacts, run, 'report.json');
    if (existsSync(json)) annotations.push(...failureAnnotations(JSON.parse(readFileSync(json, 'utf8')) as Report));
  }
  if (!record.ok && annotations.length === 0) annotations.push({ title: `lab e2e exited ${record.exitCode}`, message: record.meaning });
  return { record, summary: joinSummaries(summaries, record), annotations };
}
