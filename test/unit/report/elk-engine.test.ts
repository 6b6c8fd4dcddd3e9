// ELK in a worker thread lays out exactly as in process, lays out each distinct graph once, and
// reports a graph ELK refuses; a run's diagram drawn through it is the one `lab diagram` draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elkWorker, inProcessElk } from '../../../lab/report/diagram/elk-engine.ts';
import { buildDiagram, diagramSvg, reportDiagramInput } from '../../../lab/report/diagram/index.ts';
import { elkGraph } from '../../../lab/report/diagram/layout.ts';
import { RunDiagram } from '../../../lab/report/run-diagram.ts';
import { modelOf, recorded } from './support.ts';

test('the worker lays out as in process, and each distinct graph once', async () => {
  const w = elkWorker();
  try {
    const g = elkGraph(buildDiagram({ model: modelOf('reference') }));
    const [a, b] = await Promise.all([w.engine(g), inProcessElk(structuredClone(g))]);
    assert.deepEqual(a, b);
    const t0 = performance.now();
    const again = await w.engine(structuredClone(g));
    assert.deepEqual(again, a);
    assert.ok(performance.now() - t0 < 50, 'the second ask is answered from the first layout');
    again.children![0]!.x = -1;
    assert.notEqual((await w.engine(g)).children![0]!.x, -1, 'each caller gets its own copy');
  } finally {
    await w.close();
  }
});

test('negative control: a graph ELK refuses (an edge to no node) is an error, not a hang', async () => {
  const w = elkWorker();
  try {
    await assert.rejects(w.engine({ id: 'root', children: [{ id: 'a', width: 10, height: 10 }], edges: [{ id: 'e', sources: ['a'], targets: ['nowhere'] }] }), /ELK/);
  } finally {
    await w.close();
  }
});

test('a run diagram drawn through the worker is the diagram drawn in process', async () => {
  const r = recorded('reference');
  const model = modelOf('reference');
  const dir = mkdtempSync(join(tmpdir(), 'nrl-diagram-'));
  const d = new RunDiagram(model);
  d.warmUp();
  d.draw(dir, r);
  const drawn = await d.done(dir, r);
  assert.ok(drawn.files.includes('diagram.svg'), drawn.note);
  assert.equal(readFileSync(join(dir, 'diagram.svg'), 'utf8'), await diagramSvg(reportDiagramInput(model, r)));
});
