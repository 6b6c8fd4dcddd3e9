// `lab e2e --runtime vm`: preflight first (nothing is created before it passes; on this project's
// machines it fails with exit 3 naming working KVM, the images and the internet), then images,
// network, VMs, Cilium, convergence, the same assertions as the twin, report, teardown. Teardown
// runs on success, failure and signals. Everything after preflight has never run here.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAssertions } from '../../assert/index.ts';
import { waitForConvergence, type Convergence } from '../../assert/converge.ts';
import { MissingToolError } from '../../cli/exit.ts';
import { onInterrupt } from '../../cli/signals.ts';
import type { RenderedFiles } from '../../render/index.ts';
import { snapshotMachines, type MachineState, type Report } from '../../report/model.ts';
import { buildReport, StageRecorder, type StageEvent } from '../../report/run.ts';
import { writeRunReports } from '../../report/artifacts.ts';
import type { LabModel } from '../../topology/model.ts';
import { newRunId } from '../names.ts';
import { tcgWarning } from './accel.ts';
import { cacheDir, fetchArtifact } from './images.ts';
import { ciliumChartArtifact, openwrtArtifacts, talosArtifacts, toolArtifacts } from './pins.ts';
import { missingMessage, preflightVm } from './preflight.ts';
import { destroyVmRun } from './teardown.ts';
import { VmLab, type VmImages } from './vm-lab.ts';

export interface VmE2eOptions {
  model: LabModel;
  files: RenderedFiles;
  artifactsRoot?: string;
  seed?: number;
  download?: boolean;
  cache?: string;
  onStage?: (stage: StageEvent) => void;
  log?: (line: string) => void;
}

async function ensureImages(m: LabModel, dir: string, download: boolean, log: (l: string) => void): Promise<VmImages> {
  const f = (a: Parameters<typeof fetchArtifact>[0]) => fetchArtifact(a, { dir, download, log });
  const [owrtKernel, owrtRootfs] = openwrtArtifacts(m.versions.openwrt);
  const [tKernel, tInitramfs] = talosArtifacts(m.versions.talos);
  const [talosctl, kubectl, helmTar] = toolArtifacts(m.versions.talos);
  const helmArchive = await f(helmTar!);
  const helmDir = join(dir, `${helmTar!.file}.d`);
  mkdirSync(helmDir, { recursive: true });
  const { must } = await import('../exec.ts');
  await must(['tar', '-xzf', helmArchive, '-C', helmDir, helmTar!.tarMember!]);
  return {
    openwrtKernel: await f(owrtKernel!), openwrtRootfsGz: await f(owrtRootfs!),
    talosKernel: await f(tKernel!), talosInitramfs: await f(tInitramfs!),
    talosctl: await f(talosctl!), kubectl: await f(kubectl!), helm: join(helmDir, helmTar!.tarMember!),
    ciliumChart: await f(ciliumChartArtifact(m.versions.cilium)),
  };
}

export async function runVmE2e(opts: VmE2eOptions): Promise<Report> {
  const log = opts.log ?? ((l: string) => void process.stderr.write(`lab: ${l}\n`));
  const dir = opts.cache ?? cacheDir();
  const pre = await preflightVm(opts.model.versions, { download: opts.download === true, cache: dir });
  if (pre.missing.length > 0) throw new MissingToolError(missingMessage(pre), pre.install);
  if (!pre.kvm.usable) log(tcgWarning());
  const runId = newRunId();
  const artifacts = resolve(opts.artifactsRoot ?? 'artifacts', runId);
  const notes: string[] = [...pre.warnings];
  const startedAt = new Date().toISOString();
  const release = onInterrupt(() => destroyVmRun(runId));
  const stages = new StageRecorder(opts.onStage);
  const stage = <T>(name: string, fn: () => Promise<T>) => stages.run(name, fn);
  let lab: VmLab | undefined;
  let convergence: Convergence | undefined;
  let machines: MachineState[] = [];
  let runs: Awaited<ReturnType<typeof runAssertions>> = [];
  try {
    const images = await stage('images', () => ensureImages(opts.model, dir, opts.download === true, log));
    mkdirSync(artifacts, { recursive: true });
    lab = new VmLab(opts.model, opts.files, { runId, artifacts, runDir: `/run/nrl-${runId}`, images, accel: pre.kvm.accel, log });
    const l = lab;
    await stage('up', () => l.up());
    convergence = await stage('convergence', () => waitForConvergence(l));
    runs = await stage('assertions', () => runAssertions(l, { seed: opts.seed ?? 1 }));
    machines = await snapshotMachines(l);
  } catch (e) {
    notes.push(`run stopped: ${(e as Error).message}`);
  } finally {
    await stage('teardown', async () => {
      const failed = await destroyVmRun(runId);
      if (failed.length > 0) notes.push(`teardown could not remove: ${failed.join('; ')}`);
    }).catch(() => undefined);
    release();
  }
  const report = buildReport({
    model: opts.model, runtime: 'vm', runId, fidelity: lab?.fidelity ?? 'vm', startedAt, stages: stages.stages, runs, machines, notes, artifacts,
    ...(convergence ? { convergence } : {}),
  });
  mkdirSync(artifacts, { recursive: true });
  return writeRunReports(report, opts.model); // the same report files as the twin's
}
