// talosctl command lines, pure (golden-tested), and the order the VM lab runs them in. Flags checked
// against the talosctl CLI reference (gen config: -o/--output, --config-patch, --config-patch-control-plane, --install-disk;
// apply-config: --insecure, --nodes, --file; bootstrap; kubeconfig; --talosconfig, --endpoints).
// Never run here: it needs booted Talos VMs (KVM and internet).

export interface TalosCtx {
  talosctl: string;
  /** Folder with controlplane.yaml, worker.yaml, talosconfig. */
  dir: string;
}

/** The rendered patches: one for every machine, one for control planes only (see render/talos-patch.ts). */
export interface TalosPatchPaths {
  common: string;
  controlPlane: string;
}

// --config-patch-control-plane exists from the oldest supported line on (cmd/talosctl/cmd/mgmt/gen/config.go,
// release-1.5 and release-1.14); it patches the init and control plane configs, not the worker's.
export function genConfig(c: TalosCtx, cluster: string, endpoint: string, patches: TalosPatchPaths, installDisk: string): string[] {
  return [c.talosctl, 'gen', 'config', cluster, endpoint, '--config-patch', `@${patches.common}`, '--config-patch-control-plane', `@${patches.controlPlane}`,
    '--install-disk', installDisk, '--output', c.dir, '--force'];
}

/** First apply, into the maintenance service (no client certificate yet). */
export function applyConfig(c: TalosCtx, node: string, role: 'controlplane' | 'worker'): string[] {
  return [c.talosctl, 'apply-config', '--insecure', '--nodes', node, '--file', `${c.dir}/${role}.yaml`];
}

export function bootstrap(c: TalosCtx, controlplane: string): string[] {
  return [c.talosctl, '--talosconfig', `${c.dir}/talosconfig`, '--endpoints', controlplane, '--nodes', controlplane, 'bootstrap'];
}

export function kubeconfig(c: TalosCtx, controlplane: string, out: string): string[] {
  return [c.talosctl, '--talosconfig', `${c.dir}/talosconfig`, '--endpoints', controlplane, '--nodes', controlplane, 'kubeconfig', out, '--force'];
}

/** Readiness of the API after apply (`talosctl version` answers once apid is up with the new config). */
export function version(c: TalosCtx, node: string): string[] {
  return [c.talosctl, '--talosconfig', `${c.dir}/talosconfig`, '--endpoints', node, '--nodes', node, 'version', '--short'];
}

/** Maintenance mode answers `talosctl version --insecure` before any config is applied. */
export function versionInsecure(c: TalosCtx, node: string): string[] {
  return [c.talosctl, 'version', '--insecure', '--nodes', node];
}

export function clusterEndpoint(controlplaneAddress: string): string {
  return `https://${controlplaneAddress}:6443`;
}
