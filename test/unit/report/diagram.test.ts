// The diagram: drawn for the reference and for three datacentres with two nodes each, from the
// topology (expected routes) and from recorded runs (routes as they were); every machine and every
// route's destination must be in the SVG, in that machine's card, and the traced path highlighted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { diagramSvg, expectedMachines, expectedPath, reportDiagramInput, reportedPath } from '../../../lab/report/diagram/index.ts';
import type { MachineState } from '../../../lab/report/model.ts';
import { modelOf, recorded } from './support.ts';

interface Card {
  kind: string;
  texts: string[];
}

/** Every machine card of the SVG (by data-machine), with all the text inside it. */
function cards(svg: string): { cards: Map<string, Card>; pathLines: number; allText: string[] } {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', preserveOrder: true }).parse(svg) as unknown[];
  const out = new Map<string, Card>();
  const allText: string[] = [];
  let pathLines = 0;
  const texts = (nodes: unknown[], into: string[]) => {
    for (const n of nodes as Record<string, unknown>[]) {
      for (const [k, v] of Object.entries(n)) {
        if (k === '#text') into.push(String(v));
        else if (k !== ':@' && Array.isArray(v)) texts(v, into);
      }
    }
  };
  const walk = (nodes: unknown[]) => {
    for (const n of nodes as Record<string, unknown>[]) {
      const attrs = (n[':@'] ?? {}) as Record<string, string>;
      if (attrs['@class'] === 'path') pathLines++;
      for (const [k, v] of Object.entries(n)) {
        if (k === ':@' || !Array.isArray(v)) continue;
        if (k === 'g' && attrs['@data-machine']) {
          const t: string[] = [];
          texts(v, t);
          out.set(attrs['@data-machine'], { kind: attrs['@data-kind'] ?? '', texts: t });
        }
        walk(v);
      }
    }
  };
  walk(doc);
  texts(doc, allText);
  return { cards: out, pathLines, allText };
}

function assertComplete(svg: string, machines: MachineState[], path: string[]): void {
  const { cards: found, pathLines } = cards(svg);
  for (const m of machines) {
    const card = found.get(m.name);
    assert.ok(card, `machine ${m.name} is drawn`);
    assert.equal(card.kind, m.kind);
    assert.ok(card.texts.includes(m.name), `${m.name}: its name is written`);
    for (const r of m.routes) assert.ok(card.texts.includes(r.dst), `${m.name}: route ${r.dst} is in its card`);
    for (const r of m.routes) if (r.gateway) assert.ok(card.texts.includes(`via ${r.gateway}`), `${m.name}: ${r.dst} via ${r.gateway}`);
  }
  assert.ok(pathLines >= path.length - 1, `the path of ${path.length} machines is highlighted (${pathLines} path lines)`);
}

for (const name of ['reference', 'three-dc-two-nodes']) {
  test(`lab diagram of ${name}: every machine and every expected route is in the SVG`, async () => {
    const model = modelOf(name);
    const machines = expectedMachines(model);
    const svg = await diagramSvg({ model });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assertComplete(svg, machines, expectedPath(model));
    // pods, nodes, routers, LAN hosts and the internet
    const kinds = new Set(machines.map((m) => m.kind));
    for (const k of ['pod', 'node', 'router', 'lanhost', 'internet']) assert.ok(kinds.has(k), k);
    if (name === 'three-dc-two-nodes') {
      assert.equal(machines.filter((m) => m.kind === 'pod').length, 6);
      for (const dc of model.datacentres) assert.ok(svg.includes(`id="dc-${dc.name}"`), dc.name);
    }
  });
}

for (const name of ['reference', 'tunnel-masquerade'] as const) {
  test(`the diagram of the recorded ${name} run carries the routing tables as they were`, async () => {
    const r = recorded(name);
    const svg = await diagramSvg(reportDiagramInput(modelOf(name), r));
    assertComplete(svg, r.machines, reportedPath(r));
    assert.ok(svg.includes(`traceroute ${r.assertions.find((a) => a.id === 4)!.results[0]!.subject.replace('>', '&gt;')}`));
  });
}

test('the expected routes are the routes a passing reference run really had', () => {
  const key = (m: MachineState) => m.routes.map((r) => `${r.dst} ${r.gateway ?? ''} ${r.dev ?? ''}`).sort();
  const seen = new Map(recorded('reference').machines.map((m) => [m.name, m]));
  for (const m of expectedMachines(modelOf('reference'))) {
    const real = seen.get(m.name);
    assert.ok(real, m.name);
    assert.deepEqual(key(m), key(real), m.name);
  }
});

test('the traced path of a recorded run starts at the source pod', () => {
  assert.deepEqual(reportedPath(recorded('reference')), ['controlplane-1-pod', 'controlplane-1', 'router-dc1', 'router-dc2', 'worker-1', 'worker-1-pod']);
  assert.deepEqual(reportedPath(recorded('tunnel-masquerade')), ['controlplane-1-pod', 'controlplane-1', 'worker-1', 'worker-1-pod']);
});
