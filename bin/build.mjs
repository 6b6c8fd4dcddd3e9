#!/usr/bin/env node
// `npm ci` runs this (the `prepare` script): compiles the CLI to dist/ with esbuild, one chunk per
// command module, so `lab` starts without compiling TypeScript. bin/lab.mjs uses dist/ only while
// it is newer than every source under lab/; otherwise it runs the sources through tsx.
import { build } from 'esbuild';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { rmSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));

// The topology validator as ajv standalone code (same schema, same options as from source), so the
// compiled CLI neither loads nor runs ajv's compiler at every start.
const { TOPOLOGY_JSON_SCHEMA } = await tsImport('../lab/topology/schema.ts', import.meta.url);
const { AJV_OPTIONS } = await tsImport('../lab/topology/shape-validator.ts', import.meta.url);
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
const validatorCode = `${standalone.default(ajv, ajv.compile(TOPOLOGY_JSON_SCHEMA))}\nexport const validateShape = validate;\n`;
const precompiled = {
  name: 'precompiled-topology-validator',
  setup(b) {
    b.onLoad({ filter: /[\\/]lab[\\/]topology[\\/]shape-validator\.ts$/ }, () => ({ contents: validatorCode, loader: 'js' }));
  },
};

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['lab/cli/main.ts'],
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true, // dynamic imports (one per command) become their own chunks
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // node_modules bundled too: loading them as CommonJS through the ESM loader (the module lexer,
  // format detection, one file read per module) cost about 0.3 s at every start of `lab e2e`.
  // elkjs is a 1.5 MB prebuilt bundle and OpenTelemetry loads only when spans are exported: both
  // stay external, loaded when needed.
  external: ['elkjs', '@opentelemetry/*'],
  // Bundled CommonJS calls require() for Node's built-ins; ESM output has none of its own.
  banner: { js: "import { createRequire as __nrlCreateRequire } from 'node:module'; const require = __nrlCreateRequire(import.meta.url);" },
  sourcemap: true,
  plugins: [precompiled],
  logLevel: 'warning',
});
