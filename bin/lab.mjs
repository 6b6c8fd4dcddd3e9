#!/usr/bin/env node
// Runs the CLI compiled to dist/ (bin/build.mjs, run by `npm ci`) when it is newer than every
// source under lab/; otherwise the TypeScript sources through tsx, so an edit is live at once.
import { readdirSync, statSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/main.js`;

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function fresh() {
  try {
    return statSync(built).mtimeMs > newestSource(`${root}lab`);
  } catch {
    return false; // not built
  }
}

if (process.env.LAB_FROM_SOURCE !== '1' && fresh()) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../lab/cli/main.ts');
}
