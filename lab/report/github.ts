// GitHub Actions: the job summary (when GITHUB_STEP_SUMMARY is set) and an error annotation per
// failed check, through @actions/core. The one side effect of the reports on GitHub. @actions/core
// (with its HTTP client) loads only on GitHub: elsewhere it would be 20 ms of every run's start.
import type { Report } from './model.ts';
import { summaryMarkdown } from './summary.ts';

const ANNOTATIONS_PER_ASSERTION = 10;

export function onGithub(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['GITHUB_STEP_SUMMARY']);
}

/** Annotations (title, message) for the failures, a few per assertion. */
export function failureAnnotations(r: Report): { title: string; message: string }[] {
  const out: { title: string; message: string }[] = [];
  for (const a of r.assertions) {
    const fails = a.results.filter((x) => !x.ok);
    for (const f of fails.slice(0, ANNOTATIONS_PER_ASSERTION)) {
      out.push({ title: `lab e2e ${r.lab}: assertion ${a.id} (${a.title}) failed: ${f.subject}`, message: `expected ${f.expected}; seen ${f.seen}${f.diagnosis ? `\n${f.diagnosis}` : ''}` });
    }
    if (fails.length > ANNOTATIONS_PER_ASSERTION) out.push({ title: `lab e2e ${r.lab}: assertion ${a.id}: ${fails.length - ANNOTATIONS_PER_ASSERTION} more failures`, message: 'see junit.xml and report.json in the artifacts' });
  }
  for (const s of r.stages.filter((x) => !x.ok)) out.push({ title: `lab e2e ${r.lab}: stage ${s.name} failed`, message: s.detail ?? 'stage failed' });
  return out;
}

/**
 * Appends the job summary and, unless `annotations` is false (stdout carries --json), writes the
 * failure annotations as workflow commands on stdout.
 */
export async function publishToGithub(r: Report, opts: { annotations: boolean; warn?: (line: string) => void }): Promise<void> {
  if (!onGithub()) return;
  const core = await import('@actions/core');
  try {
    await core.summary.addRaw(summaryMarkdown(r), true).write();
  } catch (e) {
    // The summary is a courtesy: an unwritable GITHUB_STEP_SUMMARY must not fail a run that passed.
    // (@actions/core's summary.write() throws when the file is not accessible for writing.)
    core.summary.emptyBuffer();
    (opts.warn ?? ((l) => void process.stderr.write(l)))(`lab: warning: job summary not written to GITHUB_STEP_SUMMARY=${process.env['GITHUB_STEP_SUMMARY']}: ${(e as Error).message}\n`);
  }
  if (opts.annotations) for (const a of failureAnnotations(r)) core.error(a.message, { title: a.title });
}
