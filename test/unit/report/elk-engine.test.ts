// ELK in a worker thread lays out exactly as in process, lays out each distinct graph once, and
// reports a graph ELK refuses; a run's diagram drawn through it is the one `lab diagram` draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

test('the predicted PNG is the run\'s where the SVG is the same, rendered anew where it is not; no hidden file stays', async () => {
  const model = modelOf('reference');
  const r = recorded('reference');
  const render = async (state: typeof r) => {
    const dir = mkdtempSync(join(tmpdir(), 'nrl-diagram-'));
    const d = new RunDiagram(model);
    d.warmUp(dir, () => r); // predicted: the recorded run itself
    // As in a run, the prediction is ready before the assertions end (it is rendered during convergence).
    const hidden = join(dir, '.diagram-predicted.png');
    for (const end = Date.now() + 20_000; !(existsSync(hidden) && !existsSync(join(dir, '.diagram-predicted.svg'))) && Date.now() < end;) await new Promise((res) => setTimeout(res, 20));
    const predictedInode = statSync(hidden).ino;
    d.draw(dir, state);
    const drawn = await d.done(dir, state);
    return { dir, drawn, files: readdirSync(dir).sort(), reused: statSync(join(dir, 'diagram.png')).ino === predictedInode };
  };
  const same = await render(r);
  assert.deepEqual(same.files, ['diagram.png', 'diagram.svg']);
  assert.ok(same.reused, 'the predicted PNG became the run\'s');
  // Negative control: another traceroute, another picture: the prediction is not used.
  const other = structuredClone(r);
  const a4 = other.assertions.find((a) => a.id === 4)!;
  a4.results[0]!.seen = 'controlplane-1 > worker-1 > worker-1-pod';
  const differs = await render(other);
  assert.deepEqual(differs.files, ['diagram.png', 'diagram.svg'], 'drawn anew, and the predicted PNG removed');
  assert.ok(!differs.reused, 'rendered from the run\'s own SVG');
  assert.notDeepEqual(readFileSync(join(same.dir, 'diagram.png')), readFileSync(join(differs.dir, 'diagram.png')));
  assert.notEqual(readFileSync(join(same.dir, 'diagram.svg'), 'utf8'), readFileSync(join(differs.dir, 'diagram.svg'), 'utf8'));
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
