// `node --import tsx bench/profile-up.mts 10x10`: brings one generated topology up with the twin,
// prints where `up` spent its time (phase by phase), then tears it down. For profiling, not CI.
import { renderAll } from '../lab/render/index.ts';
import { newRunId } from '../lab/runtime/names.ts';
import { destroyRun } from '../lab/runtime/teardown.ts';
import { TwinLab } from '../lab/runtime/twin/twin-lab.ts';
import { generateTopology } from '../lab/topology/generate.ts';
import { resolveTopology } from '../lab/topology/resolve.ts';
import { waitForConvergence } from '../lab/assert/converge.ts';
import { referenceTopology } from '../lab/topology/reference.ts';
import { chooseSpeaker, parseSpeakerMode } from '../lab/runtime/twin/speaker/choose.ts';

const size = process.argv[2] ?? '10x10';
const [n, m] = size.split('x').map(Number);
const prefix = n! * m! > 256 ? 16 - Math.ceil(Math.log2((n! * m!) / 256)) : 16;
const model = resolveTopology(size === 'reference' ? referenceTopology()
  : generateTopology({ datacentres: n!, nodesPerDc: m!, autoDirectNodeRoutes: m! > 1, podCIDR: `10.244.0.0/${prefix}`, nodeMaskSize: 24 }));
// `... 10x10 emulated`: the emulated speaker; Cilium's own otherwise.
const speaker = await chooseSpeaker(model, parseSpeakerMode(process.argv[3] ?? 'auto'), { log: console.log });
const runId = newRunId();
const t0 = Date.now();
const lab = new TwinLab(model, renderAll(model), {
  runId, speaker, artifacts: `/tmp/nrl-profile/${runId}`, runDir: `/run/nrl-${runId}`,
  log: (l) => console.log(`${String(Date.now() - t0).padStart(6)} ms  ${l}`),
});
try {
  await lab.up();
  const c = await waitForConvergence(lab);
  console.log(`${String(Date.now() - t0).padStart(6)} ms  converged=${c.converged} in ${c.ms} ms`);
} finally {
  const t1 = Date.now();
  await destroyRun(runId);
  console.log(`teardown ${Date.now() - t1} ms`);
}
