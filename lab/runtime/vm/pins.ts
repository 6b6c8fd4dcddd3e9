// What the VM lab downloads, and how each download is checked. No checksum here is invented:
//   - OpenWRT kernel and rootfs: checked against the release's own `sha256sums` file, fetched at run
//     time from the same release folder (downloads.openwrt.org/releases/<v>/targets/x86/64/).
//   - talosctl: the release's `sha256sum.txt` (GitHub release asset of siderolabs/talos), fetched at
//     run time. Fact: siderolabs/talos release-1.14 .github/workflows/ci.yaml writes `sha256sum
//     ... talosctl-linux-amd64 ... > sha256sum.txt` for the release assets.
//   - kubectl: dl.k8s.io publishes `<binary>.sha256` (the hash alone), fetched at run time.
//   - helm: get.helm.sh publishes `<archive>.sha256sum` ("hash  name"), fetched at run time.
//   - Talos kernel and initramfs from the Image Factory, and the Cilium chart: no published checksum
//     we could verify, so the first download's sha256 is recorded in the cache (trust on first use,
//     over HTTPS) and every later use must match it.
// Versions: talosctl follows the topology's Talos version; kubectl is the Kubernetes version that
// line's `talosctl gen config` deploys (TalosLine.kubernetes, lab/versions/talos.ts), so it stays inside
// kubectl's one-minor skew on every line; helm v3.19.0.
import { parseVersion } from '../../versions/semver.ts';
import { talosLineOf } from '../../versions/talos.ts';

export type Verify =
  | { kind: 'sha256'; sha256: string }
  /** A sha256sum-style file ("hash  name" or "hash *name" lines, or the hash alone). */
  | { kind: 'sums-file'; url: string; name: string }
  | { kind: 'tofu'; why: string };

export interface Artifact {
  /** File name in the cache folder (unique per version). */
  file: string;
  url: string;
  verify: Verify;
  what: string;
  /** gzip'd image that the lab unpacks into a per-run copy. */
  gzip?: boolean;
  /** A tar.gz holding the tool at this path. */
  tarMember?: string;
  executable?: boolean;
}

/** Image Factory schematic with the siderolabs/qemu-guest-agent extension (see research/versions.md §3.3). */
export const TALOS_SCHEMATIC_QEMU_GUEST_AGENT = 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515';
/** kubectl for a Talos version: its line's default Kubernetes (dl.k8s.io/release/v<x.y.z>/). */
export function kubectlVersion(talosVersion: string): string {
  const line = talosLineOf(talosVersion);
  if (!line) throw new Error(`no Talos line for ${talosVersion}`); // resolve() already refused it
  return vTag(line.kubernetes);
}
export const HELM_VERSION = 'v3.19.0';
export const CILIUM_CHART_REPO = 'https://helm.cilium.io';
/** Probe pods: busybox (ping, traceroute, nc, nslookup, tcpsvd), pinned by the digest public repos use. */
export const PROBE_IMAGE = 'docker.io/library/busybox:1.37.0@sha256:bdf57e528e45e4433820e045b29b4597825a1c9e38353532d90a01445013f82e';

export function vTag(v: string): string {
  return v.startsWith('v') ? v : `v${v}`;
}

export function openwrtArtifacts(version: string): Artifact[] {
  const base = `https://downloads.openwrt.org/releases/${version}/targets/x86/64`;
  const sums = `${base}/sha256sums`;
  const kernel = `openwrt-${version}-x86-64-generic-kernel.bin`;
  const rootfs = `openwrt-${version}-x86-64-generic-ext4-rootfs.img.gz`;
  return [
    { file: kernel, url: `${base}/${kernel}`, verify: { kind: 'sums-file', url: sums, name: kernel }, what: `OpenWRT ${version} kernel` },
    { file: rootfs, url: `${base}/${rootfs}`, verify: { kind: 'sums-file', url: sums, name: rootfs }, what: `OpenWRT ${version} ext4 rootfs`, gzip: true },
  ];
}

export function talosArtifacts(version: string, schematic = TALOS_SCHEMATIC_QEMU_GUEST_AGENT): Artifact[] {
  const v = vTag(version);
  const base = `https://factory.talos.dev/image/${schematic}/${v}`;
  const tofu = { kind: 'tofu' as const, why: 'the Image Factory publishes no checksum for kernel/initramfs' };
  return [
    { file: `talos-${v}-${schematic.slice(0, 12)}-kernel-amd64`, url: `${base}/kernel-amd64`, verify: tofu, what: `Talos ${v} kernel (qemu-guest-agent schematic)` },
    { file: `talos-${v}-${schematic.slice(0, 12)}-initramfs-amd64.xz`, url: `${base}/initramfs-amd64.xz`, verify: tofu, what: `Talos ${v} initramfs (qemu-guest-agent schematic)` },
  ];
}

export function toolArtifacts(talosVersion: string): Artifact[] {
  const tv = vTag(talosVersion);
  const kubectl = kubectlVersion(talosVersion);
  const helmTar = `helm-${HELM_VERSION}-linux-amd64.tar.gz`;
  return [
    {
      file: `talosctl-${tv}`, url: `https://github.com/siderolabs/talos/releases/download/${tv}/talosctl-linux-amd64`,
      verify: { kind: 'sums-file', url: `https://github.com/siderolabs/talos/releases/download/${tv}/sha256sum.txt`, name: 'talosctl-linux-amd64' },
      what: `talosctl ${tv}`, executable: true,
    },
    {
      file: `kubectl-${kubectl}`, url: `https://dl.k8s.io/release/${kubectl}/bin/linux/amd64/kubectl`,
      verify: { kind: 'sums-file', url: `https://dl.k8s.io/release/${kubectl}/bin/linux/amd64/kubectl.sha256`, name: 'kubectl' },
      what: `kubectl ${kubectl}`, executable: true,
    },
    {
      file: helmTar, url: `https://get.helm.sh/${helmTar}`,
      verify: { kind: 'sums-file', url: `https://get.helm.sh/${helmTar}.sha256sum`, name: helmTar },
      what: `helm ${HELM_VERSION}`, tarMember: 'linux-amd64/helm',
    },
  ];
}

export function ciliumChartArtifact(ciliumVersion: string): Artifact {
  const v = parseVersion(ciliumVersion);
  const plain = v ? `${v.major}.${v.minor}.${v.patch ?? 0}` : ciliumVersion.replace(/^v/, '');
  return {
    file: `cilium-${plain}.tgz`, url: `${CILIUM_CHART_REPO}/cilium-${plain}.tgz`,
    verify: { kind: 'tofu', why: 'the chart repository index carries digests, not fetched separately here' }, what: `Cilium chart ${plain}`,
  };
}

export function allArtifacts(versions: { openwrt: string; talos: string; cilium: string }): Artifact[] {
  return [...openwrtArtifacts(versions.openwrt), ...talosArtifacts(versions.talos), ...toolArtifacts(versions.talos), ciliumChartArtifact(versions.cilium)];
}
