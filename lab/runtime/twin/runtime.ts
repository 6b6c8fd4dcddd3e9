// The twin behind the one e2e flow: preflight is the system tools and root; open builds the
// TwinLab (which parses the BGP manifests, so bad input fails before anything exists).
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
}

export function twinRuntime(o: TwinRuntimeOptions): Runtime {
  return {
    name: 'twin',
    preflight: () => {
      preflightTwin(o.model);
      return Promise.resolve({ warnings: [] });
    },
    open: (ctx: RunContext) => {
      const base = { runId: ctx.runId, artifacts: ctx.artifacts, runDir: ctx.runDir, signal: ctx.signal };
      const lab = new TwinLab(o.model, o.files, o.ciliumBgpText === undefined ? base : { ...base, ciliumBgpText: o.ciliumBgpText });
      mkdirSync(ctx.artifacts, { recursive: true }); // only once the inputs proved good
      warmShells(); // while the flow goes on to the first stage
      return Promise.resolve(lab);
    },
    destroy: destroyRun,
  };
}
