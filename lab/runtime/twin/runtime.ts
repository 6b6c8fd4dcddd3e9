// The twin behind the one e2e flow: preflight is the system tools and root; open chooses the
// nodes' speaker (building Cilium's once per machine, a stage of its own), builds the TwinLab (which
// parses the manifests) and checks every object against the release's CRDs, so bad input fails
// before anything is created.
import { mkdirSync } from 'node:fs';
import { MissingToolError } from '../../cli/exit.ts';
import type { RenderedFiles } from '../../render/index.ts';
import type { LabModel } from '../../topology/model.ts';
import type { RunContext, Runtime } from '../runtime.ts';
import { destroyRun } from '../teardown.ts';
import { installCommand, isRoot, missingTools, TWIN_TOOLS } from '../tools.ts';
import { TwinLab } from './twin-lab.ts';
import { warmShells } from './shell-pool.ts';
import { checkHostLimits } from '../limits.ts';
import { chooseSpeaker, type SpeakerMode } from './speaker/choose.ts';
import { labManifests } from './speaker/manifests.ts';

export function preflightTwin(model?: LabModel): void {
  const missing = missingTools(TWIN_TOOLS);
  if (missing.commands.length > 0) {
    throw new MissingToolError(`the twin needs ${missing.commands.join(', ')}, which this machine lacks`, `${installCommand(missing.packages)}   (or: sudo node bin/lab.mjs doctor --install)`);
  }
  if (!isRoot()) throw new MissingToolError('the twin creates network namespaces, which needs root', 'sudo npm start   (or sudo node bin/lab.mjs e2e)');
  if (model) checkHostLimits(model); // processes, namespaces, neighbour entries, memory: exit 3 before anything exists
}

export interface TwinRuntimeOptions {
  model: LabModel;
  files: RenderedFiles;
  /** The user's own Cilium BGP manifests instead of the rendered ones. */
  ciliumBgpText?: string;
  /** Which speaker the nodes run (auto: Cilium's own where it can be had). */
  speaker?: SpeakerMode;
}

export function twinRuntime(o: TwinRuntimeOptions): Runtime {
  return {
    name: 'twin',
    preflight: () => {
      preflightTwin(o.model);
      // The manifests parse before anything else happens (a build included): exit 2 at once.
      labManifests(o.files, o.ciliumBgpText);
      return Promise.resolve({ warnings: [] });
    },
    open: async (ctx: RunContext) => {
      const speaker = await ctx.stage('speaker', () => chooseSpeaker(o.model, o.speaker ?? 'auto', { log: ctx.log }));
      const base = { runId: ctx.runId, artifacts: ctx.artifacts, runDir: ctx.runDir, signal: ctx.signal, speaker, log: ctx.log };
      const lab = new TwinLab(o.model, o.files, o.ciliumBgpText === undefined ? base : { ...base, ciliumBgpText: o.ciliumBgpText });
      await lab.checkInputs();
      mkdirSync(ctx.artifacts, { recursive: true }); // only once the inputs proved good
      warmShells(); // while the flow goes on to the first stage
      return lab;
    },
    destroy: destroyRun,
  };
}
