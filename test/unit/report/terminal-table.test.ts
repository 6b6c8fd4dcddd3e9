// The assertion table sizes its columns to their content: four- and five-digit check counts and long
// titles stay in their own columns (once "1100/11001354 ms" ran the checks into the time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, table } from '../../../lab/report/terminal.ts';
import { recorded } from './support.ts';

/** Start offsets of the columns in a table line (runs of two or more spaces separate them). */
function columnStarts(line: string): number[] {
  return [...line.matchAll(/(?:^ {2}| {2,})(\S)/g)].map((m) => m.index + m[0].length - 1);
}

test('big counts and a long title: every column starts at the same offset on every row', () => {
  const r = recorded('reference');
  r.assertions[0]!.passed = 1100;
  r.assertions[0]!.failed = 10001;
  r.assertions[0]!.ms = 1354;
  r.assertions[1]!.title = 'a title much longer than any of the assertions has today, to widen its column';
  const text = formatReport(r);
  const rows = text.split('\n').filter((l) => /^ {2}(#|\d+) {2}/.test(l));
  assert.equal(rows.length, r.assertions.length + 1);
  const starts = rows.map(columnStarts);
  for (const s of starts) assert.deepEqual(s, starts[0], `columns line up:\n${rows.join('\n')}`);
  assert.ok(rows.some((l) => /\b1100\/11101 {2,}1354 ms$/.test(l)), `checks and time apart:\n${rows.join('\n')}`);
});

test('table: widths from the widest cell, two spaces apart; negative control: a fixed width would overlap', () => {
  const lines = table([['#', 'checks', 'time'], ['1', '1100/11001', '1354 ms'], ['22', '6/6', '9 ms']]);
  assert.deepEqual(lines, ['  #   checks      time', '  1   1100/11001  1354 ms', '  22  6/6         9 ms']);
  const fixed = `${'1100/11001'.padEnd(8).slice(0, 10)}1354 ms`;
  assert.equal(fixed.includes(' 1354'), false, 'padding to 8 runs the columns together');
});
