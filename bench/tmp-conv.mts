import { renderAll } from '../lab/render/index.ts';
import { newRunId } from '../lab/runtime/names.ts';
import { destroyRun } from '../lab/runtime/teardown.ts';
import { TwinLab } from '../lab/runtime/twin/twin-lab.ts';
import { resolveTopology } from '../lab/topology/resolve.ts';
import { referenceTopology } from '../lab/topology/reference.ts';
import { readFileSync } from 'node:fs';
const model = resolveTopology(referenceTopology());
const runId = newRunId();
const t0 = Date.now();
const files = renderAll(model); for (const [k, v] of files) if (k.endsWith('bird.conf')) files.set(k, v.replace('log stderr all;', 'log stderr all;\ndebug protocols { states, events };'));
const lab = new TwinLab(model, files, { runId, artifacts: `/tmp/nrl-profile/${runId}`, runDir: `/run/nrl-${runId}` });
const seen = new Map<string, string>();
import { spawn } from 'node:child_process';
import { nsName } from '../lab/runtime/names.ts';
const rns = nsName(runId, 'router-dc1');
const mon = spawn('sh', ['-c', `until [ -e /run/netns/${rns} ]; do sleep 0.001; done; exec ip -n ${rns} -ts -o monitor link`], { stdio: ['ignore', 'pipe', 'inherit'] });
mon.stdout.on('data', (d) => process.stdout.write(String(d).split('\n').filter((l) => /br-lan|eth0/.test(l)).map((l) => 'MON ' + l.slice(0, 170) + '\n').join('')));
try {
  await lab.up();
  const tUp = Date.now() - t0;
  for (const d of model.datacentres) console.log('after up', Date.now() - t0, (await lab.exec(d.router.name, ['ip', '-o', 'link', 'show', 'br-lan'])).stdout.slice(0, 120));
  for (;;) {
    const s = await lab.bgpSessions('routers');
    const now = Date.now() - t0;
    for (const x of s) { const k = `${x.machine}->${x.peerAddress}`; const v = x.state; if (seen.get(k) !== v) { seen.set(k, v); console.log(now, k, v); } }
    const r = await Promise.all(model.datacentres.map((d) => lab.routes(d.router.name)));
    if (s.every((x) => x.established) && r.every((rs) => rs.filter((x) => x.dst.startsWith('10.244.')).length === 2)) { console.log(now, 'converged; up', tUp); break; }
    if (now > 10000) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  for (const d of model.datacentres) console.log(readFileSync(`/tmp/nrl-profile/${runId}/logs/bird-${d.name}.log`, 'utf8'), 't0', new Date(t0).toISOString());
} finally {
  mon.kill();
  await destroyRun(runId);
}
