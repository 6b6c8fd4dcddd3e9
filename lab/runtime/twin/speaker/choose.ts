// The one place the twin chooses its nodes' speaker: Cilium's own BGP control plane at the
// topology's release whenever it can be had (built once per machine), the emulation otherwise,
// and why. Also where manifests meet the release's CRDs before anything of the lab exists.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingToolError } from '../../../cli/exit.ts';
import type { RenderedFiles } from '../../../render/index.ts';
import { InputError } from '../../../topology/errors.ts';
import type { LabModel } from '../../../topology/model.ts';
import type { ServiceIntent } from '../lb-services.ts';
import { buildSpeaker, cachedSpeaker, SpeakerUnavailable } from './build.ts';
import { CiliumSpeakers } from './cilium.ts';
import { clusterObjects, nodeLabels } from './cluster-objects.ts';
import { EmulatedSpeakers } from './emulated.ts';
import type { ManifestDoc } from './manifests.ts';
import { speakerLineFor } from './source.ts';
import { checkHostLimits, formatProblem, limitProblems, readHost, topologyNeeds } from '../../limits.ts';
import type { NodeSpeakers, SpeakerHost, SpeakerRecord } from './types.ts';

export type SpeakerMode = 'auto' | 'cilium' | 'emulated';
export const SPEAKER_MODES: SpeakerMode[] = ['auto', 'cilium', 'emulated'];

export function parseSpeakerMode(text: string): SpeakerMode {
  if (!(SPEAKER_MODES as string[]).includes(text)) throw new InputError([{ field: '--speaker', problem: `"${text}" is not a speaker`, fix: `use one of ${SPEAKER_MODES.join(', ')}` }], 'flags');
  return text as SpeakerMode;
}

export type SpeakerChoice =
  | { kind: 'cilium'; binary: string; release: string; notes: string[] }
  | { kind: 'emulated'; why: string; listen?: boolean; /** A built speaker of the line, to check manifests with. */ checker?: string };

/**
 * Which speaker a lab of this model runs. auto: Cilium's own at the topology's release (building
 * it if this machine has none; an exact patch release that will not build falls back to the line's
 * pinned one, with a note), else the emulation with the reason. cilium: Cilium's or exit 3.
 */
export async function chooseSpeaker(model: LabModel, mode: SpeakerMode, opts: { install?: boolean; log?: (l: string) => void } = {}): Promise<SpeakerChoice> {
  const line = speakerLineFor(model.versions.cilium);
  if (mode === 'emulated') {
    const checker = 'unserved' in line ? undefined : cachedSpeaker({ ...line, release: line.pinned });
    return { kind: 'emulated', why: 'asked for with --speaker emulated', ...(checker ? { checker } : {}) };
  }
  if ('unserved' in line) {
    if (mode === 'cilium') throw new MissingToolError(`--speaker cilium: ${line.unserved}`, 'use --speaker emulated, or a Cilium line the table serves (lab/versions/cilium.ts)');
    return { kind: 'emulated', why: line.unserved };
  }
  // Cilium's speaker costs about 36 MiB a node, GoBGP about 5: a lab the host holds only with the
  // emulation gets the emulation (auto), or exit 3 naming the limit (cilium).
  if (mode === 'cilium') checkHostLimits(model, readHost(), 'cilium');
  else {
    const problems = limitProblems(topologyNeeds(model, 'cilium'), readHost());
    if (problems.length > 0) return { kind: 'emulated', why: `this machine cannot hold Cilium's speaker on every node (${problems.map(formatProblem).join('; ')})` };
  }
  const notes: string[] = [];
  try {
    const built = await buildSpeaker(line, opts);
    return { kind: 'cilium', binary: built.binary, release: built.release, notes };
  } catch (e) {
    if (!(e instanceof SpeakerUnavailable)) throw e;
    let why = e.why;
    if (mode === 'cilium') throw new MissingToolError(`--speaker cilium: Cilium's speaker ${line.release} is unavailable: ${why}`, line.release !== line.pinned ? `use --cilium-version ${line.pinned} (the line's pinned release), or --speaker auto` : 'sudo node bin/lab.mjs doctor --install   (or --speaker emulated)');
    if (line.release !== line.pinned) {
      try {
        const pinned = await buildSpeaker({ ...line, release: line.pinned }, opts);
        notes.push(`Cilium ${line.release}'s speaker could not be built (${e.why}); the ${line.line} line's pinned ${line.pinned} ran instead`);
        return { kind: 'cilium', binary: pinned.binary, release: pinned.release, notes };
      } catch (again) {
        if (!(again instanceof SpeakerUnavailable)) throw again;
        why = again.why;
      }
    }
    return { kind: 'emulated', why };
  }
}

export function speakerRecord(c: SpeakerChoice): SpeakerRecord {
  return c.kind === 'cilium' ? { kind: 'cilium', binary: c.binary, release: c.release } : { kind: 'emulated', why: c.why };
}

export function choiceOfRecord(r: SpeakerRecord | undefined): SpeakerChoice {
  if (r?.kind === 'cilium' && r.binary && r.release) return { kind: 'cilium', binary: r.binary, release: r.release, notes: [] };
  return { kind: 'emulated', why: r?.why ?? 'the lab was brought up with the emulated speaker' };
}

/** The speakers of a lab, for the choice made. */
export function speakersFor(choice: SpeakerChoice, host: SpeakerHost, files: RenderedFiles, manifests: ManifestDoc[], services: ServiceIntent[]): NodeSpeakers {
  if (choice.kind === 'cilium') return new CiliumSpeakers(host, choice, clusterObjects(host.model, files, manifests, services), choice.notes);
  // The emulation listens by default: Debian's gobgpd (3.10) dials first after 5-10 s (connectLoop:
  // rand(tick)+tick seconds, tick at least minConnectRetryInterval 5; osrg/gobgp pkg/server/fsm.go),
  // while Cilium 1.20's GoBGP v4 dials after 1.5-2 s; BIRD's dial to a listening GoBGP lands after
  // 0.75-1 s, the nearer of the two (measured: README, "The two speakers").
  return new EmulatedSpeakers(host, manifests.map((d) => d.object), nodeLabels(host.model, files), services, { why: choice.why, listen: choice.listen ?? true });
}

interface SpeakerIssue {
  source: string;
  field: string;
  problem: string;
}

/**
 * The manifests and the cluster's objects checked by the release's own speaker against its CRDs,
 * as the API server would (`speaker check`): exit 2 naming the document and field. Without a built
 * speaker (the emulation of an unserved line) there is nothing to check against, and it says so.
 */
export async function checkObjects(choice: SpeakerChoice, objects: ManifestDoc[]): Promise<string | undefined> {
  const binary = choice.kind === 'cilium' ? choice.binary : choice.checker;
  if (!binary) return 'the manifests were not checked against Cilium\'s CRD schemas (no speaker of this line is built here)';
  const dir = mkdtempSync(join(tmpdir(), 'nrl-check-'));
  try {
    const file = join(dir, 'objects.json');
    writeFileSync(file, JSON.stringify({ objects }));
    const r = await execa(binary, ['check', '--objects', file], { reject: false, timeout: 60_000 });
    if (r.exitCode === 0) return undefined;
    let issues: SpeakerIssue[];
    try {
      issues = JSON.parse(String(r.stdout)) as SpeakerIssue[];
    } catch {
      throw new Error(`the speaker's manifest check failed: ${String(r.stderr || r.stdout).trim().slice(0, 500)}`);
    }
    throw new InputError(issues.map((i) => ({
      field: `${i.source}${i.field ? `: ${i.field}` : ''}`,
      problem: i.problem,
      fix: 'correct the manifest: this is what the API server of a cluster running this Cilium release would refuse',
    })), 'Cilium manifests');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
