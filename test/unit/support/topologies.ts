// Topologies the tests render: the reference, its variants, and the YAML fixtures.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseTopologyYaml } from '../../../lab/topology/load.ts';
import type { LabModel } from '../../../lab/topology/model.ts';
import { referenceTopology } from '../../../lab/topology/reference.ts';
import { resolveTopology, type ResolveOptions } from '../../../lab/topology/resolve.ts';
import type { BgpTimers, SessionLayout, Topology } from '../../../lab/topology/schema.ts';
import { fixturesDir, repoRoot } from './paths.ts';

export const topologyFixturesDir = path.join(fixturesDir, 'topologies');

/** The reference without bgp.timers: BIRD and Cilium keep their own defaults, as in the blog post. */
export function referenceWithoutTimers(): Topology {
  const t = referenceTopology();
  delete t.bgp;
  return t;
}

export function fixtureText(name: string): string {
  return readFileSync(path.join(topologyFixturesDir, `${name}.yaml`), 'utf8');
}

export function loadFixture(name: string): Topology {
  return parseTopologyYaml(fixtureText(name), `${name}.yaml`) as Topology;
}

/** Every valid topology fixture, by file name without .yaml. */
export function fixtureNames(): string[] {
  return readdirSync(topologyFixturesDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

export function withoutTimers(t: Topology): Topology {
  const copy = structuredClone(t);
  delete copy.bgp;
  return copy;
}

export function withReflection(t: Topology): Topology {
  const copy = structuredClone(t);
  copy.routers.reflection = true;
  return copy;
}

export interface Variant {
  name: string;
  topology: () => Topology;
  opts?: ResolveOptions;
}

/** The topologies every validator runs over: 2 and 3 datacentres, with and without timers, mesh and reflection. */
/** examples/two-routers.yaml: the reference with two routers per datacentre. */
export function twoRouters(): Topology {
  const file = path.join(repoRoot, 'examples', 'two-routers.yaml');
  return parseTopologyYaml(readFileSync(file, 'utf8'), file) as Topology;
}

/** A topology with `count` routers in every datacentre. */
export function withRouters(t: Topology, count: number): Topology {
  const copy = structuredClone(t);
  for (const d of copy.datacentres) {
    delete d.router;
    d.routers = count;
  }
  return copy;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'reference', topology: referenceTopology },
  { name: 'reference without timers', topology: referenceWithoutTimers },
  { name: 'three-dc', topology: () => loadFixture('three-dc') },
  { name: 'three-dc without timers', topology: () => withoutTimers(loadFixture('three-dc')) },
  { name: 'three-dc with route reflection', topology: () => withReflection(loadFixture('three-dc')) },
  { name: 'three-dc with route reflection, without timers', topology: () => withoutTimers(withReflection(loadFixture('three-dc'))) },
  { name: 'every-key', topology: () => loadFixture('every-key') },
  { name: 'two routers per datacentre', topology: twoRouters },
  { name: 'three-dc with three routers each and route reflection (add-path)', topology: () => withRouters(withReflection(loadFixture('three-dc')), 3) },
];

export function modelOf(v: Variant, opts: ResolveOptions = {}): LabModel {
  return resolveTopology(v.topology(), { ...v.opts, ...opts });
}

/** Timer combinations around every boundary (BGP's 3 s, Cilium's defaults 90/30 s, keepalive vs hold); undefined = left out. */
export const TIMER_GRID: readonly BgpTimers[] = (() => {
  const grid: BgpTimers[] = [];
  for (const hold of [undefined, 0, 2, 3, 9, 20, 30, 31, 90, 240]) {
    for (const keepalive of [undefined, 0, 1, 3, 9, 29, 30, 89, 100]) {
      for (const connectRetry of hold === 9 && keepalive === 3 ? [undefined, 0, 1, 120] : [undefined]) {
        const t: BgpTimers = {};
        if (hold !== undefined) t.hold = hold;
        if (keepalive !== undefined) t.keepalive = keepalive;
        if (connectRetry !== undefined) t.connectRetry = connectRetry;
        grid.push(t);
      }
    }
  }
  return grid;
})();

/** The topology made dual-stack (cluster.family dual, every IPv6 prefix a default), in the given session layout. */
export function dualStack(t: Topology, sessions?: SessionLayout): Topology {
  const copy = structuredClone(t);
  copy.cluster.family = 'dual';
  if (sessions) copy.bgp = { ...copy.bgp, sessions };
  return copy;
}

/**
 * Dual-stack topologies, every session layout each: the reference (a pool and a Service), three
 * datacentres without a pool, with reflection, and every-key (explicit IPv4 addresses the IPv6 ones
 * mirror, a reflector, Cilium 1.18 with the v2alpha1 API). All BGPv2: rules6.ts refuses the peering policy.
 */
export const DUAL_VARIANTS: readonly Variant[] = (['per-family', 'mp-over-v4', 'v4-over-v6'] as const).flatMap((sessions) => [
  { name: `dual-stack reference, ${sessions}`, topology: () => dualStack(referenceTopology(), sessions) },
  { name: `dual-stack three-dc (no pool), ${sessions}`, topology: () => dualStack(loadFixture('three-dc'), sessions) },
  { name: `dual-stack three-dc with route reflection, ${sessions}`, topology: () => dualStack(withReflection(loadFixture('three-dc')), sessions) },
  { name: `dual-stack every-key, ${sessions}`, topology: () => dualStack(loadFixture('every-key'), sessions) },
]);
