// The step after a Dagger run's export: appends the job summary, writes an annotation per failed
// check, and exits with the lab's own exit code, so the failure is raised only once the artifacts
// are on the runner (uploaded and reported by the steps after it, `if: always()`).
//
//   node --import tsx ci/lab-verdict.ts --artifacts DIR
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as core from '@actions/core';
import { readVerdict } from './verdict.ts';

function main(): number {
  const { values } = parseArgs({ options: { artifacts: { type: 'string' } } });
  if (!values.artifacts) {
    process.stderr.write('lab-verdict: needs --artifacts DIR (the artifacts/ folder of an exported run)\n');
    return 2;
  }
  const v = readVerdict(values.artifacts);
  const summaryFile = process.env['GITHUB_STEP_SUMMARY'];
  if (summaryFile) appendFileSync(summaryFile, v.summary);
  else process.stdout.write(v.summary);
  for (const a of v.annotations) {
    if (process.env['GITHUB_ACTIONS'] === 'true') core.error(a.message, { title: a.title });
    else process.stderr.write(`error: ${a.title}: ${a.message}\n`);
  }
  process.stdout.write(`lab e2e exited ${v.record.exitCode}: ${v.record.meaning}\n`);
  return v.record.exitCode;
}

process.exitCode = main();
