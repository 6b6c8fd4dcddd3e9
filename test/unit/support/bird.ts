// BIRD's own parser: `bird -p -c FILE` reads the config and exits, 0 when BIRD would accept it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const INSTALL_HINT = 'install it with `node bin/lab.mjs doctor --install` or `apt-get install bird2` (CI installs it; these tests do not skip)';

/** The bird binary: on PATH, or in the sbin folders a non-root PATH often lacks. */
export function birdBinary(): string {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const found = dirs.filter(Boolean).map((d) => path.join(d, 'bird')).find((p) => existsSync(p));
  if (!found) assert.fail(`bird (BIRD 2) is not installed: ${INSTALL_HINT}`);
  return found;
}

export interface BirdParse {
  ok: boolean;
  status: number | null;
  stderr: string;
}

export function birdParse(file: string): BirdParse {
  const r = spawnSync(birdBinary(), ['-p', '-c', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) assert.fail(`could not run bird: ${r.error.message}; ${INSTALL_HINT}`);
  return { ok: r.status === 0, status: r.status, stderr: r.stderr };
}
