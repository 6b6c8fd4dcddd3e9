// Which flows the loss meter sends through a fault, from the twin's own machine plan: pod to pod
// both ways across the first and last datacentre, and a LAN host to a LoadBalancer address that
// every backend of the Service may receive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultFlows } from '../../lab/faults/flows.ts';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import type { Lab } from '../../lab/runtime/lab.ts';
import { machinesOf, twinPlan } from '../../lab/runtime/twin/plan.ts';
import { allRouters } from '../../lab/topology/model.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { parseTopologyYaml } from '../../lab/topology/load.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { repoRoot } from './support/paths.ts';

/** The two members faultFlows reads, from the plan the twin deploys. */
function planned(mutate: (t: Topology) => void = () => undefined, base: Topology = referenceTopology()): Pick<Lab, 'model' | 'machines'> {
  mutate(base);
  const model = resolveTopology(base);
  const files = renderAll(model);
  const networks = Object.fromEntries(allRouters(model).map((r) => [r.key, files.get(routerPath(r.key, 'network'))!]));
  const machines = machinesOf(twinPlan(model, 'flows', networks));
  return { model, machines: () => machines };
}

test('the reference: pod to pod both ways, and dc1\'s LAN host (db-dc1) to web\'s LoadBalancer address, received by its backend', () => {
  const flows = faultFlows(planned() as Lab);
  assert.deepEqual(flows.map((f) => [f.id, f.toAddress, f.receivers ?? [f.to]]), [
    ['controlplane-1-pod>worker-1-pod', '10.244.1.10', ['worker-1-pod']],
    ['worker-1-pod>controlplane-1-pod', '10.244.0.10', ['controlplane-1-pod']],
    ['db-dc1>web', '10.250.0.1', ['web-worker-1']],
  ]);
  assert.ok(flows.every((f) => f.pps >= 100));
});

test('a Service with backends on several nodes: every backend runs a receiver; negative control: no Services, no LoadBalancer flow', () => {
  const two = faultFlows(planned((t) => { t.services![0]!.backends = ['controlplane-1', 'worker-1']; t.services![0]!.trafficPolicy = 'Cluster'; }) as Lab);
  assert.deepEqual(two.at(-1)!.receivers, ['web-controlplane-1', 'web-worker-1']);
  const none = faultFlows(planned((t) => { delete t.services; delete t.loadBalancer; }) as Lab);
  assert.deepEqual(none.map((f) => f.id), ['controlplane-1-pod>worker-1-pod', 'worker-1-pod>controlplane-1-pod']);
});

test('dual-stack: every flow in both families', () => {
  const dual = parseTopologyYaml(readFileSync(join(repoRoot, 'examples', 'dual-stack.yaml'), 'utf8'), 'dual-stack.yaml') as Topology;
  const flows = faultFlows(planned(() => undefined, dual) as Lab);
  assert.equal(flows.length, 6, flows.map((f) => f.id).join());
  assert.ok(flows.some((f) => f.id === 'db-dc1>web.v6' && f.toAddress.includes(':')), flows.map((f) => `${f.id} ${f.toAddress}`).join('; '));
});
