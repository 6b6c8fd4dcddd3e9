// Resolves the newest stable Cilium, Talos and OpenWRT releases into the nightly matrix and writes
// `matrix={"include":[...]}` (the VM lab's cells) and `twin={"include":[...]}` (one twin cell per
// Cilium release) to $GITHUB_OUTPUT, and the VM matrix's JSON to stdout.
//
//   node --import tsx ci/resolve-releases.ts [--github-api URL] [--openwrt-index URL] [--timeout MS] [--output FILE]
//
// Defaults: $GITHUB_API_URL or https://api.github.com; $OPENWRT_RELEASES_URL or
// https://downloads.openwrt.org/releases/; $GITHUB_OUTPUT. $GITHUB_TOKEN, when set, authenticates.
// Exits 1 with the URL and status when a source fails.
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ReleaseSourceError } from './http.ts';
import { resolveMatrix, type ResolveConfig } from './resolve.ts';
import { twinMatrix } from './matrix.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'github-api': { type: 'string' },
      'openwrt-index': { type: 'string' },
      timeout: { type: 'string' },
      output: { type: 'string' },
    },
  });
  const timeoutMs = Number(values.timeout ?? process.env['RESOLVE_TIMEOUT_MS'] ?? 20000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    process.stderr.write(`resolve-releases: --timeout "${values.timeout}" is not a positive number of milliseconds\n`);
    return 2;
  }
  const cfg: ResolveConfig = {
    githubApi: values['github-api'] ?? process.env['GITHUB_API_URL'] ?? 'https://api.github.com',
    openwrtIndex: values['openwrt-index'] ?? process.env['OPENWRT_RELEASES_URL'] ?? 'https://downloads.openwrt.org/releases/',
    timeoutMs,
    token: process.env['GITHUB_TOKEN'] || undefined,
  };
  try {
    const matrix = await resolveMatrix(cfg);
    const json = JSON.stringify(matrix);
    process.stdout.write(`${json}\n`);
    const output = values.output ?? process.env['GITHUB_OUTPUT'];
    const twin = twinMatrix(matrix);
    if (output) appendFileSync(output, `matrix=${json}\ntwin=${JSON.stringify(twin)}\n`);
    for (const c of matrix.include) process.stderr.write(`  ${c.name.padEnd(20)} cilium ${c.cilium}, talos ${c.talos}, openwrt ${c.openwrt}\n`);
    for (const c of twin.include) process.stderr.write(`  twin ${c.name}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ReleaseSourceError) {
      process.stderr.write(`resolve-releases: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main();
