// `node --import tsx bench/deferral.mts [restart time s] [watch s]`: a speaker restart, with graceful
// restart, while one of the node's two routers is down. examples/two-routers.yaml with graceful
// restart; router-dc2-1 frozen (SIGSTOP: silent, its peers wait out their hold timers), then
// worker-1's Cilium speaker restarted. Prints when router-dc2-2 hears worker-1 again (session state,
// import updates received, worker-1's pod CIDR as BIRD holds it) and the loss meter's flows. A
// measurement to read, not a test: it takes the selection deferral time (GoBGP's 360 s) to show.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForConvergence } from '../lab/assert/converge.ts';
import { faultFlows } from '../lab/faults/flows.ts';
import { renderAll } from '../lab/render/index.ts';
import { run } from '../lab/runtime/exec.ts';
import { formatFlow } from '../lab/runtime/flows.ts';
import { newRunId } from '../lab/runtime/names.ts';
import { destroyRun } from '../lab/runtime/teardown.ts';
import { birdSocket } from '../lab/runtime/twin/sockets.ts';
import { chooseSpeaker, parseSpeakerMode } from '../lab/runtime/twin/speaker/choose.ts';
import { TwinLab } from '../lab/runtime/twin/twin-lab.ts';
import { parseTopologyYaml } from '../lab/topology/load.ts';
import { resolveTopology } from '../lab/topology/resolve.ts';
import type { Topology } from '../lab/topology/schema.ts';

const REPO = join(import.meta.dirname, '..');
const restartTime = Number(process.argv[2] ?? 120);
const watchMs = Number(process.argv[3] ?? 420) * 1000;
const t = parseTopologyYaml(readFileSync(join(REPO, 'examples', 'two-routers.yaml'), 'utf8'), 'two-routers.yaml') as Topology;
t.bgp = { ...t.bgp, gracefulRestart: { enabled: true, restartTime } };
const model = resolveTopology(t);
const speaker = await chooseSpeaker(model, parseSpeakerMode('cilium'), { log: () => undefined });
const runId = newRunId();
const runDir = `/run/nrl-${runId}`;
const t0 = Date.now();
const log = (l: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s  ${l}`);
const lab = new TwinLab(model, renderAll(model), { runId, speaker, artifacts: `/tmp/nrl-deferral/${runId}`, runDir, log: () => undefined });
const nsOf = (machine: string) => lab.plan.namespaces.find((n) => n.machine?.name === machine)!.ns;
const worker = model.datacentres[1]!.nodes[0]!;

/** router-dc2-2's view of worker-1: the session's state, its import updates, the pod CIDR's route. */
async function survivorView(): Promise<string> {
  const birdc = (...args: string[]) => lab.exec('router-dc2-2', ['birdc', '-s', birdSocket(runDir, 'dc2-2'), ...args]);
  const block = (await birdc('show', 'protocols', 'all')).stdout.split(/\n(?=\S)/).find((b) => b.includes(worker.address)) ?? '';
  const state = /BGP state:\s+(\S+)/.exec(block)?.[1] ?? '?';
  const received = /Import updates:\s+(\d+)/.exec(block)?.[1] ?? '?';
  const route = (await birdc('show', 'route', 'for', worker.podCIDR)).stdout.split('\n').find((l) => l.includes('unicast'))?.trim() ?? 'no route';
  return `session ${state}, import updates received ${received}; ${route}`;
}

try {
  await lab.up();
  log(`converged: ${(await waitForConvergence(lab)).converged}`);
  const meter = await lab.startFlows(faultFlows(lab));
  await new Promise((r) => setTimeout(r, 1000));
  const frozen = (await run(['ip', 'netns', 'pids', nsOf('router-dc2-1')])).stdout.trim().split('\n').filter(Boolean).map(Number);
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
  log(`router-dc2-1 frozen (${frozen.length} processes); waiting out the hold timers`);
  await new Promise((r) => setTimeout(r, 12_000));
  log(`before the restart: ${await survivorView()}`);
  const restart = await lab.injectFault('speaker-restart');
  const tf = Date.now();
  await new Promise((r) => setTimeout(r, 2000));
  await restart.heal();
  log(`${restart.description}`);
  let last = '';
  while (Date.now() - tf < watchMs) {
    const view = await survivorView();
    if (view !== last) log(`router-dc2-2 hears ${worker.name}: ${view}`);
    last = view;
    await new Promise((r) => setTimeout(r, 2000));
  }
  for (const f of await meter.stop(tf)) log(formatFlow(f));
  for (const pid of frozen) process.kill(pid, 'SIGCONT');
} finally {
  await destroyRun(runId);
}
