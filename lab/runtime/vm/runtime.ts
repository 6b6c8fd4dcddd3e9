// The VM lab behind the one e2e flow: preflight (nothing is created before it passes; on this
// project's machines it fails with exit 3 naming working KVM, the images and the internet), then an
// `images` stage, then the VmLab. Everything after preflight has never run here.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MissingToolError } from '../../cli/exit.ts';
import type { RenderedFiles } from '../../render/index.ts';
import type { LabModel } from '../../topology/model.ts';
import { must } from '../exec.ts';
import type { RunContext, Runtime } from '../runtime.ts';
import type { Accel } from './qemu.ts';
import { tcgWarning } from './accel.ts';
import { cacheDir, fetchArtifact } from './images.ts';
import { ciliumChartArtifact, openwrtArtifacts, talosArtifacts, toolArtifacts } from './pins.ts';
import { missingMessage, preflightVm } from './preflight.ts';
import { destroyVmRun } from './teardown.ts';
import { VmLab, type VmImages } from './vm-lab.ts';

export interface VmRuntimeOptions {
  model: LabModel;
  files: RenderedFiles;
  /** Fill the image cache from the internet (checked against the release checksums). */
  download?: boolean;
  cache?: string;
}

async function ensureImages(m: LabModel, dir: string, download: boolean, log: (l: string) => void): Promise<VmImages> {
  const f = (a: Parameters<typeof fetchArtifact>[0]) => fetchArtifact(a, { dir, download, log });
  const [owrtKernel, owrtRootfs] = openwrtArtifacts(m.versions.openwrt);
  const [tKernel, tInitramfs] = talosArtifacts(m.versions.talos);
  const [talosctl, kubectl, helmTar] = toolArtifacts(m.versions.talos);
  const helmArchive = await f(helmTar!);
  const helmDir = join(dir, `${helmTar!.file}.d`);
  mkdirSync(helmDir, { recursive: true });
  await must(['tar', '-xzf', helmArchive, '-C', helmDir, helmTar!.tarMember!]);
  return {
    openwrtKernel: await f(owrtKernel!), openwrtRootfsGz: await f(owrtRootfs!),
    talosKernel: await f(tKernel!), talosInitramfs: await f(tInitramfs!),
    talosctl: await f(talosctl!), kubectl: await f(kubectl!), helm: join(helmDir, helmTar!.tarMember!),
    ciliumChart: await f(ciliumChartArtifact(m.versions.cilium)),
  };
}

export function vmRuntime(o: VmRuntimeOptions): Runtime {
  const dir = o.cache ?? cacheDir();
  let accel: Accel = 'tcg';
  return {
    name: 'vm',
    preflight: async () => {
      const pre = await preflightVm(o.model.versions, { download: o.download === true, cache: dir });
      if (pre.missing.length > 0) throw new MissingToolError(missingMessage(pre), pre.install);
      accel = pre.kvm.accel;
      return { warnings: pre.kvm.usable ? pre.warnings : [...new Set([tcgWarning(), ...pre.warnings])] };
    },
    open: async (ctx: RunContext) => {
      const images = await ctx.stage('images', () => ensureImages(o.model, dir, o.download === true, ctx.log));
      mkdirSync(ctx.artifacts, { recursive: true });
      return new VmLab(o.model, o.files, { runId: ctx.runId, artifacts: ctx.artifacts, runDir: ctx.runDir, images, accel, signal: ctx.signal, log: ctx.log });
    },
    destroy: destroyVmRun,
  };
}
