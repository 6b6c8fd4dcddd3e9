// The nightly's summary, in two steps:
//
//   node --import tsx ci/nightly-summary.ts cell --name N --cilium V --talos V --openwrt V --outcome O --artifacts DIR --out FILE
//     after a matrix cell: records its versions, outcome and failed assertions (from DIR's report.json)
//   node --import tsx ci/nightly-summary.ts table --cells DIR
//     after the matrix: the table naming which versions broke what
//
// Both append markdown to $GITHUB_STEP_SUMMARY when it is set, else print it.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { cellResult, readCells, summaryMarkdown } from './summary.ts';

function emit(markdown: string): void {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file) appendFileSync(file, markdown);
  else process.stdout.write(markdown);
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' }, cilium: { type: 'string' }, talos: { type: 'string' }, openwrt: { type: 'string' },
      outcome: { type: 'string' }, artifacts: { type: 'string' }, out: { type: 'string' }, cells: { type: 'string' },
    },
  });
  const mode = positionals[0];
  if (mode === 'cell') {
    const { name, cilium, talos, openwrt, outcome, artifacts, out } = values;
    if (!name || !cilium || !talos || !openwrt || !outcome || !artifacts || !out) {
      process.stderr.write('nightly-summary cell: needs --name --cilium --talos --openwrt --outcome --artifacts --out\n');
      return 2;
    }
    const cell = cellResult({ name, cilium, talos, openwrt }, outcome, artifacts);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(cell, null, 2) + '\n');
    emit(summaryMarkdown([cell]));
    return 0;
  }
  if (mode === 'table') {
    if (!values.cells) {
      process.stderr.write('nightly-summary table: needs --cells DIR\n');
      return 2;
    }
    emit(summaryMarkdown(readCells(values.cells)));
    return 0;
  }
  process.stderr.write('usage: nightly-summary.ts cell ... | table --cells DIR\n');
  return 2;
}

process.exitCode = main();
