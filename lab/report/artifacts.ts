// Writes what a run leaves for people and machines, once the report is built: diagram.svg (and
// diagram.png where rsvg-convert is installed), junit.xml, summary.md (the job summary), report.json with an index of every
// artifact (captures, logs, configs).
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabModel } from '../topology/model.ts';
import { junitXml } from './junit.ts';
import { RunDiagram } from './run-diagram.ts';
import { summaryMarkdown } from './summary.ts';
import type { ArtifactsIndex, Report } from './model.ts';

function filesUnder(root: string, dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir)).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const rel = join(dir, n);
    return statSync(join(root, rel)).isDirectory() ? filesUnder(root, rel) : [rel];
  });
}

export function indexArtifacts(dir: string, reports: string[]): ArtifactsIndex {
  return { reports, captures: filesUnder(dir, 'captures'), logs: filesUnder(dir, 'logs'), configs: filesUnder(dir, 'configs') };
}

/** One line for the terminal: where everything is. */
export function artifactsLine(r: Report): string {
  const i = r.artifactsIndex;
  if (!i) return `Artifacts: ${r.artifacts}`;
  const count = (n: number, what: string) => (n > 0 ? [`${n} ${what}${n === 1 ? '' : 's'}`] : []);
  return `Artifacts: ${r.artifacts} (${[...i.reports, ...count(i.captures.length, 'capture'), ...count(i.logs.length, 'log'), ...count(i.configs.length, 'config')].join(', ')})`;
}

/**
 * Writes every report file into the run's artifacts folder and returns the report with its index.
 * The diagram comes from the run's RunDiagram (already drawn while teardown ran), or is drawn now.
 */
export async function writeRunReports(report: Report, model: LabModel, diagram?: RunDiagram): Promise<Report> {
  const dir = report.artifacts;
  const reports = ['report.json'];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    reports.push(name);
  };
  write('junit.xml', junitXml(report));
  const drawn = await (diagram ?? new RunDiagram(model)).done(dir, report);
  reports.push(...drawn.files);
  if (drawn.note) report.notes.push(drawn.note);
  reports.push('summary.md');
  const done: Report = { ...report, artifactsIndex: indexArtifacts(dir, reports) };
  // The GitHub job summary as a file too, for pipelines where GITHUB_STEP_SUMMARY does not reach
  // the lab (a Dagger exec): the workflow appends it (ci/lab-verdict.ts).
  writeFileSync(join(dir, 'summary.md'), summaryMarkdown(done));
  writeFileSync(join(dir, 'report.json'), JSON.stringify(done, null, 2) + '\n');
  return done;
}
