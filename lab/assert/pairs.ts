// Which pod pairs to probe: one pair per ordered pair of datacentres, pods drawn with a seeded
// generator, so the cost grows with datacentres, not with pods squared.
import type { Lab, Machine } from '../runtime/lab.ts';
import type { PodPair } from './types.ts';

/** mulberry32: small, seedable, good enough to spread samples. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function crossDcPairs(lab: Lab, seed: number): PodPair[] {
  const pods = lab.machines().filter((m) => m.kind === 'pod');
  const byDc = new Map<string, Machine[]>();
  for (const p of pods) byDc.set(p.dc ?? '', [...(byDc.get(p.dc ?? '') ?? []), p]);
  const rand = seeded(seed);
  const pick = (list: Machine[]) => list[Math.floor(rand() * list.length)]!;
  const dcs = [...byDc.keys()];
  const pairs: PodPair[] = [];
  for (const a of dcs) {
    for (const b of dcs) {
      if (a !== b) pairs.push({ from: pick(byDc.get(a)!).name, to: pick(byDc.get(b)!).name });
    }
  }
  return pairs;
}

/** One pair of pods on different nodes per datacentre that has several nodes. */
export function sameDcPairs(lab: Lab, seed: number): PodPair[] {
  const rand = seeded(seed + 1);
  const pairs: PodPair[] = [];
  for (const dc of lab.model.datacentres) {
    const pods = lab.machines().filter((m) => m.kind === 'pod' && m.dc === dc.name);
    if (new Set(pods.map((p) => p.node)).size < 2) continue;
    const a = pods[Math.floor(rand() * pods.length)]!;
    const others = pods.filter((p) => p.node !== a.node);
    pairs.push({ from: a.name, to: others[Math.floor(rand() * others.length)]!.name });
  }
  return pairs;
}
