// The nightly matrix: the project's pinned versions, each product's newest release alone, and all
// newest together, so a red cell names the release that broke the lab.
import { NEWEST_CILIUM } from '../lab/versions/cilium.ts';
import { NEWEST_OPENWRT } from '../lab/versions/openwrt.ts';
import { NEWEST_TALOS } from '../lab/versions/talos.ts';

export interface Versions {
  cilium: string;
  talos: string;
  openwrt: string;
}

export interface MatrixCell extends Versions {
  /** What the cell tests, e.g. "pinned", "cilium 1.21.0", "all newest". */
  name: string;
}

export const PINNED: Versions = { cilium: NEWEST_CILIUM, talos: NEWEST_TALOS, openwrt: NEWEST_OPENWRT };

/** The spellings the lab uses: Cilium without "v", Talos with "v", OpenWRT bare. */
export function normalise(v: Versions): Versions {
  return { cilium: v.cilium.replace(/^v/, ''), talos: v.talos.startsWith('v') ? v.talos : `v${v.talos}`, openwrt: v.openwrt.replace(/^v/, '') };
}

export function buildMatrix(newestRaw: Versions, pinnedRaw: Versions = PINNED): { include: MatrixCell[] } {
  const newest = normalise(newestRaw);
  const pinned = normalise(pinnedRaw);
  const cells: MatrixCell[] = [{ name: 'pinned', ...pinned }];
  const products = ['cilium', 'talos', 'openwrt'] as const;
  const changed = products.filter((p) => newest[p] !== pinned[p]);
  for (const p of changed) cells.push({ name: `${p} ${newest[p]}`, ...pinned, [p]: newest[p] });
  if (changed.length > 1) cells.push({ name: 'all newest', ...newest });
  return { include: cells };
}

export interface TwinCell {
  /** e.g. "cilium 1.20.2 (pinned)", "cilium 1.21.0, dual-stack". */
  name: string;
  cilium: string;
  /** The topology file the cell runs, a path in the repository. */
  topology: string;
  /** A fault the cell injects and measures in lost packets (`lab e2e --fault`), if any. */
  fault?: string;
}

/**
 * What every Cilium release runs on the twin: the reference; dual-stack (where IPv6 BGP breaks in
 * practice); two routers per datacentre losing one (loss bounded by VRRP and BGP timers); and a
 * speaker restart under graceful restart, where a release that drops its routes shows as lost packets.
 */
export const TWIN_TOPOLOGIES: { suffix: string; topology: string; fault?: string }[] = [
  { suffix: '', topology: 'examples/reference.yaml' },
  { suffix: ', dual-stack', topology: 'examples/dual-stack.yaml' },
  { suffix: ', two routers, router-down', topology: 'examples/two-routers.yaml', fault: 'router-down' },
  { suffix: ', graceful restart, speaker-restart', topology: 'examples/graceful-restart.yaml', fault: 'speaker-restart' },
];

/**
 * The twin's cells: for each Cilium release of the VM matrix, the reference and the dual-stack
 * topology. Each runs Cilium's own BGP control plane built at that release from the Go module proxy
 * (`dagger call twin --cilium-version`), so a new Cilium release's BGP code, IPv6 included, is tested
 * the night it is out, with or without KVM.
 */
export function twinMatrix(vm: { include: MatrixCell[] }, pinnedRaw: Versions = PINNED): { include: TwinCell[] } {
  const pinned = normalise(pinnedRaw).cilium;
  const releases = [...new Set(vm.include.map((c) => c.cilium))];
  return {
    include: releases.flatMap((cilium) => TWIN_TOPOLOGIES.map(({ suffix, topology, fault }) => ({ name: `cilium ${cilium}${cilium === pinned ? ' (pinned)' : ''}${suffix}`, cilium, topology, ...(fault ? { fault } : {}) }))),
  };
}
