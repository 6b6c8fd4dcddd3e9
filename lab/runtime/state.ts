// Labs kept running by `lab up`: one JSON file per run in the state folder, so `lab status`,
// `lab exec` and `lab down` find them from another process.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './names.ts';

/** What a kept twin records of its nodes' speakers, so `lab exec` and `lab status` find them later. */
export interface SpeakerRecord {
  kind: 'cilium' | 'emulated';
  /** Cilium's speaker: the binary and the release it was built against. */
  binary?: string;
  release?: string;
  why?: string;
}

export interface KeptLab {
  runId: string;
  name: string;
  /** The topology text (absent: the reference) and overrides, to rebuild the model. */
  topologyText?: string;
  options: { ciliumVersion?: string; talosVersion?: string; openwrtVersion?: string };
  ciliumBgpText?: string;
  namespaces: string[];
  artifacts: string;
  runDir: string;
  startedAt: string;
  /** machine name -> namespace */
  machines: Record<string, string>;
  /** The nodes' speaker (absent in labs kept before speakers were chosen: the emulation). */
  speaker?: SpeakerRecord;
}

export function saveKept(lab: KeptLab): string {
  mkdirSync(stateDir(), { recursive: true });
  const file = join(stateDir(), `${lab.runId}.json`);
  writeFileSync(file, JSON.stringify(lab, null, 2) + '\n');
  return file;
}

export function listKept(): KeptLab[] {
  let files: string[];
  try {
    files = readdirSync(stateDir()).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(stateDir(), f), 'utf8')) as KeptLab];
    } catch {
      return [];
    }
  });
}

export function forgetKept(runId: string): void {
  rmSync(join(stateDir(), `${runId}.json`), { force: true });
}
