// BIRD's own parser: `bird -p -c FILE` reads the config and exits, 0 when BIRD would accept it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';

const INSTALL_HINT = 'install it with `node bin/lab.mjs doctor --install` or `apt-get install bird2` (CI installs it; these tests do not skip)';

function findBird(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs.filter(Boolean).map((d) => path.join(d, 'bird')).find((p) => existsSync(p));
}

/** The bird binary: on PATH, or in the sbin folders a non-root PATH often lacks. */
export function birdBinary(): string {
  const found = findBird();
  if (!found) assert.fail(`bird (BIRD 2) is not installed: ${INSTALL_HINT}`);
  return found;
}

/**
 * The bird binary, or undefined after marking the test skipped: without bird a visible skip, in CI
 * (CI=true) a failure, so the parse check cannot vanish there silently.
 */
export function birdOrSkip(t: TestContext): string | undefined {
  const found = findBird();
  if (found) return found;
  const message = `bird (BIRD 2) is not installed: the rendered bird.conf files were NOT parsed by BIRD; ${INSTALL_HINT}`;
  if (process.env['CI'] === 'true') assert.fail(`${message}; CI=true, so this is a failure, not a skip`);
  t.diagnostic(message);
  t.skip(message);
  return undefined;
}

export interface BirdParse {
  ok: boolean;
  status: number | null;
  stderr: string;
}

export function birdParse(file: string, bird: string = birdBinary()): BirdParse {
  const r = spawnSync(bird, ['-p', '-c', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) assert.fail(`could not run bird: ${r.error.message}; ${INSTALL_HINT}`);
  return { ok: r.status === 0, status: r.status, stderr: r.stderr };
}
