// Every rendered bird.conf passes BIRD's own parser (bird -p), and a broken one does not.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBird } from '../../lab/render/bird.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { birdParse } from './support/bird.ts';
import { TIMER_GRID, VARIANTS, modelOf } from './support/topologies.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'lab-bird-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function parse(text: string): ReturnType<typeof birdParse> {
  const file = path.join(dir, `bird-${n++}.conf`);
  writeFileSync(file, text);
  return birdParse(file);
}

for (const v of VARIANTS) {
  test(`bird -p accepts every router's bird.conf: ${v.name}`, () => {
    const m = modelOf(v);
    for (const dc of m.datacentres) {
      const r = parse(renderBird(m, dc, dc.routers[0]!));
      assert.ok(r.ok, `${v.name} ${dc.routers[0]!.name}: bird -p exited ${r.status}: ${r.stderr}`);
    }
  });
}

test('bird -p accepts every timer combination the topology accepts', () => {
  let accepted = 0;
  for (const timers of TIMER_GRID) {
    const t = referenceTopology();
    t.bgp = { timers };
    let m;
    try {
      m = resolveTopology(t);
    } catch {
      continue; // refused with an input error: topology-rules.test.ts covers why
    }
    accepted++;
    const r = parse(renderBird(m, m.datacentres[0]!, m.datacentres[0]!.routers[0]!));
    assert.ok(r.ok, `timers ${JSON.stringify(timers)}: ${r.stderr}`);
  }
  assert.ok(accepted > 10, `only ${accepted} combinations accepted`);
});

test('negative controls: bird -p rejects a broken bird.conf', () => {
  const m = resolveTopology(referenceTopology());
  const good = renderBird(m, m.datacentres[0]!, m.datacentres[0]!.routers[0]!);
  const broken: [string, string][] = [
    ['a misspelt keyword', good.replace('neighbor 172.16.0.2', 'neighbour 172.16.0.2')],
    ['an undefined set name', good.replace('net ~ POD_CIDRS ', 'net ~ POD_CIDR ')],
    ['a hold time BGP forbids', good.replace('hold time 9;', 'hold time 2;')],
    ['a missing semicolon', good.replace('router id 10.0.0.1;', 'router id 10.0.0.1')],
  ];
  for (const [what, text] of broken) {
    assert.notEqual(text, good, `the mutation for ${what} changed nothing`);
    const r = parse(text);
    assert.equal(r.ok, false, `bird -p accepted ${what}`);
    assert.match(r.stderr, /^bird: .*:\d+:\d+ /m, `bird names the line for ${what}: ${r.stderr}`);
  }
});
