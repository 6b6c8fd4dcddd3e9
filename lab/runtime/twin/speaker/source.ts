// Where the speaker's Go source lives (speaker/ at the top of the repository) and what it is built
// from for a Cilium line. The CLI also runs bundled from dist/, so the folder is found by walking up.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ciliumLineOf } from '../../../versions/cilium.ts';
import { parseVersion } from '../../../versions/semver.ts';

export function speakerSourceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'speaker', 'core', 'go.mod'))) return join(dir, 'speaker');
    const up = dirname(dir);
    if (up === dir) throw new Error('the speaker\'s Go source (speaker/core/go.mod) is not above this module');
    dir = up;
  }
}

export interface SpeakerLine {
  /** e.g. "1.20" */
  line: string;
  /** The release the line's go.mod pins, e.g. "1.20.2". */
  pinned: string;
  /** The release to build: the pinned one, or a newer patch the nightly asks for. */
  release: string;
  /** speaker/lines/v<line> */
  dir: string;
}

/** The speaker line for a Cilium version, or why there is none (lab/versions/cilium.ts). */
export function speakerLineFor(ciliumVersion: string): SpeakerLine | { unserved: string } {
  const row = ciliumLineOf(ciliumVersion);
  if ('unserved' in row.speaker) return { unserved: `Cilium ${row.since}: ${row.speaker.unserved}` };
  const v = parseVersion(ciliumVersion);
  const line = row.speaker.release.split('.').slice(0, 2).join('.');
  const exact = v?.patch !== undefined && v.pre === undefined && `${v.major}.${v.minor}` === line ? `${v.major}.${v.minor}.${v.patch}` : undefined;
  return { line, pinned: row.speaker.release, release: exact ?? row.speaker.release, dir: join(speakerSourceRoot(), 'lines', `v${line}`) };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.(go|mod|sum)$/.test(name) ? [p] : [];
  });
}

/** A key of everything a line's binary is built from: its folder, core and shared, and the release. */
export function sourceKey(l: SpeakerLine): string {
  const root = speakerSourceRoot();
  const h = createHash('sha256').update(`release ${l.release}\n`);
  for (const f of [...filesUnder(join(root, 'core')), ...filesUnder(join(root, 'shared')), ...filesUnder(l.dir)]) {
    h.update(`${relative(root, f)}\n`).update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}
