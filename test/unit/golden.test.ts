// The rendered output of these cases against test/unit/golden/: the files there are the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { renderAll } from '../../lab/render/index.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology, type ResolveOptions } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { checkGolden, updating } from './support/golden.ts';
import { goldenDir, repoRoot } from './support/paths.ts';
import { parseTopologyYaml } from '../../lab/topology/load.ts';
import { loadFixture, referenceWithoutTimers, twoRouters } from './support/topologies.ts';

const CASES: { name: string; what: string; topology: () => Topology; opts?: ResolveOptions }[] = [
  { name: 'reference-defaults', what: 'the reference without bgp.timers (BIRD and Cilium defaults)', topology: referenceWithoutTimers },
  { name: 'reference', what: 'the reference with the lab timers', topology: referenceTopology },
  { name: 'three-dc', what: 'three datacentres, dc3 with two nodes: full iBGP mesh', topology: () => loadFixture('three-dc') },
  {
    name: 'reference-cilium-1.15-talos-1.11',
    what: '--cilium-version 1.15.x (CiliumBGPPeeringPolicy) and --talos-version 1.11.6 (v1alpha1 patch)',
    topology: referenceTopology,
    opts: { ciliumVersion: '1.15.x', talosVersion: '1.11.6' },
  },
  // LoadBalancer per API line: 1.14 (pool spec.cidrs, spec.loadBalancerIP), 1.17 (BGPv2 v2alpha1 Service advertisement, lbipam annotation).
  { name: 'reference-cilium-1.14', what: '--cilium-version 1.14.0: LB-IPAM pool with spec.cidrs, spec.loadBalancerIP', topology: referenceTopology, opts: { ciliumVersion: '1.14.0' } },
  { name: 'reference-cilium-1.17', what: '--cilium-version 1.17.x: BGPv2 v2alpha1 with a Service advertisement, lbipam.cilium.io/ips', topology: referenceTopology, opts: { ciliumVersion: '1.17.x' } },
  { name: 'lb-cluster-dsr', what: 'two backends on one LAN, policy Cluster, loadBalancer.mode dsr, a fixed address', topology: lbClusterDsr },
  // Dual-stack, every session layout: examples/dual-stack.yaml (per-family by default) and the same over mp-over-v4.
  { name: 'dual-stack', what: 'examples/dual-stack.yaml: the reference with cluster.family dual, IPv6 over its own sessions', topology: dualStackExample },
  { name: 'dual-stack-mp-over-v4', what: 'examples/dual-stack.yaml with bgp.sessions mp-over-v4: IPv6 routes over the IPv4 sessions', topology: () => ({ ...dualStackExample(), bgp: { ...dualStackExample().bgp, sessions: 'mp-over-v4' } }) },
  { name: 'dual-stack-v4-over-v6', what: 'examples/dual-stack.yaml with bgp.sessions v4-over-v6: IPv4 routes over the nodes\' IPv6 sessions (extended next hop)', topology: () => ({ ...dualStackExample(), bgp: { ...dualStackExample().bgp, sessions: 'v4-over-v6' } }) },
  // Graceful restart in both Cilium forms: CiliumBGPPeerConfig (BGPv2) and the peering policy's neighbors.
  { name: 'graceful-restart', what: 'the reference with bgp.gracefulRestart (restart time 60 s): Cilium peer config and every BIRD session', topology: withGracefulRestart },
  { name: 'two-routers', what: 'examples/two-routers.yaml: two routers per datacentre (VRRP gateway, every node peering with both, equal-cost paths)', topology: twoRouters },
  { name: 'graceful-restart-cilium-1.15', what: 'the same with --cilium-version 1.15.x: the peering policy\'s neighbors', topology: withGracefulRestart, opts: { ciliumVersion: '1.15.x' } },
];

function withGracefulRestart(): Topology {
  const t = referenceTopology();
  t.bgp = { ...t.bgp, gracefulRestart: { enabled: true, restartTime: 60 } };
  return t;
}

function dualStackExample(): Topology {
  const file = path.join(repoRoot, 'examples', 'dual-stack.yaml');
  return parseTopologyYaml(readFileSync(file, 'utf8'), file) as Topology;
}

function lbClusterDsr(): Topology {
  const t = referenceTopology();
  t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
  t.loadBalancer = { pool: '10.250.0.0/28', mode: 'dsr' };
  t.services = [{ name: 'web', port: 80, trafficPolicy: 'Cluster', backends: ['worker-1', 'worker-2'], address: '10.250.0.5' }];
  return t;
}

for (const c of CASES) {
  test(`golden ${c.name}: ${c.what}`, () => {
    checkGolden(c.name, renderAll(resolveTopology(c.topology(), c.opts)));
  });
}

test('golden/ holds exactly these cases (no stale folder)', () => {
  if (updating) return;
  assert.deepEqual(readdirSync(goldenDir).sort(), CASES.map((c) => c.name).sort());
});
