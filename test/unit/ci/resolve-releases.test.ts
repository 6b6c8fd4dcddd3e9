// The nightly's release resolver on recorded-shape responses served from 127.0.0.1: the newest
// stable release by version (not date), pre-releases and drafts ignored, a new release adds a cell,
// and a failing source is a clear error naming the URL and status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestStableRelease, type GithubRelease } from '../../../ci/github-releases.ts';
import { buildMatrix, PINNED, TWIN_TOPOLOGIES, twinMatrix } from '../../../ci/matrix.ts';
import { FAULT_KINDS } from '../../../lab/runtime/lab.ts';
import { listedFolders, newestOpenwrtVersion } from '../../../ci/openwrt-releases.ts';
import { resolveMatrix } from '../../../ci/resolve.ts';
import { compareSemver, parseSemver } from '../../../ci/semver.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const fixture = (name: string) => readFileSync(path.join(here, 'fixtures', name), 'utf8');

interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (for the timeout). */
  hang?: boolean;
}

/** A loopback server whose answers each test sets; records the paths asked for. */
class FakeSources {
  routes = new Map<string, Route>();
  asked: string[] = [];
  private server: Server | undefined;
  private hanging = new Set<import('node:http').ServerResponse>();
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.asked.push(req.url ?? '');
      const route = this.routes.get((req.url ?? '').replace(/\?.*$/, ''));
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      if (route.hang) {
        this.hanging.add(res);
        return;
      }
      res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers }).end(route.body ?? '');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  reset(routes: Record<string, Route>): void {
    this.routes = new Map(Object.entries(routes));
    this.asked = [];
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const sources = new FakeSources();
before(() => sources.start());
after(() => sources.stop());

const work = mkdtempSync(path.join(tmpdir(), 'resolve-releases-'));
after(() => rmSync(work, { recursive: true, force: true }));

function goodRoutes(cilium = 'cilium-releases.json'): Record<string, Route> {
  return {
    '/repos/cilium/cilium/releases': { body: fixture(cilium) },
    '/repos/siderolabs/talos/releases': { body: fixture('talos-releases.json') },
    '/releases/': { body: fixture('openwrt-releases.html'), headers: { 'content-type': 'text/html' } },
  };
}

function config() {
  return { githubApi: sources.base, openwrtIndex: `${sources.base}/releases/`, timeoutMs: 2000, token: undefined };
}

/** Runs the CLI against the loopback sources only. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const k of ['GITHUB_OUTPUT', 'GITHUB_API_URL', 'OPENWRT_RELEASES_URL', 'GITHUB_TOKEN', 'RESOLVE_TIMEOUT_MS']) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'ci/resolve-releases.ts', '--github-api', sources.base, '--openwrt-index', `${sources.base}/releases/`, ...args],
      { cwd: repoRoot, env, timeout: 30000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

describe('picking releases', () => {
  test('semver order: a release after its pre-releases, patch numbers as numbers', () => {
    const v = (s: string) => parseSemver(s)!;
    assert.ok(compareSemver(v('v1.20.10'), v('v1.20.9')) > 0);
    assert.ok(compareSemver(v('1.21.0'), v('1.21.0-pre.2')) > 0);
    assert.ok(compareSemver(v('1.21.0-pre.2'), v('1.20.99')) > 0);
    assert.equal(parseSemver('faillogs'), undefined);
  });

  test('GitHub: the newest stable by version, not by date; drafts and pre-releases skipped', () => {
    const releases = JSON.parse(fixture('cilium-releases.json')) as GithubRelease[];
    assert.equal(releases[0]!.tag_name, 'v1.21.0', 'the fixture starts with a draft');
    assert.equal(releases[1]!.tag_name, 'v1.18.9', 'then a backport newer by date');
    assert.equal(newestStableRelease(releases)?.tag_name, 'v1.20.2');
    assert.equal(newestStableRelease(JSON.parse(fixture('talos-releases.json')) as GithubRelease[])?.tag_name, 'v1.14.2');
    assert.equal(newestStableRelease([{ tag_name: 'v2.0.0', draft: false, prerelease: true }]), undefined);
  });

  test('OpenWRT: version folders only; -rc, faillogs and packages-* ignored', () => {
    const html = fixture('openwrt-releases.html');
    const folders = listedFolders(html);
    for (const f of ['26.03.0-rc2', 'faillogs', 'packages-25.12', '25.12.5']) assert.ok(folders.includes(f), `listing has ${f}`);
    assert.ok(!folders.includes('..'));
    assert.equal(newestOpenwrtVersion(html), '25.12.5');
    assert.equal(newestOpenwrtVersion('<a href="snapshots/">snapshots</a> <a href="24.10.0-rc1/">x</a>'), undefined);
  });

  test('the matrix: pinned, each newer product alone, and all newest together', () => {
    assert.deepEqual(buildMatrix(PINNED), { include: [{ name: 'pinned', ...PINNED }] });
    const m = buildMatrix({ cilium: 'v1.21.0', talos: '1.15.0', openwrt: PINNED.openwrt }, { cilium: '1.20.2', talos: 'v1.14.2', openwrt: '25.12.5' });
    assert.deepEqual(m.include.map((c) => c.name), ['pinned', 'cilium 1.21.0', 'talos v1.15.0', 'all newest']);
    assert.deepEqual(m.include[1], { name: 'cilium 1.21.0', cilium: '1.21.0', talos: 'v1.14.2', openwrt: '25.12.5' });
    assert.deepEqual(m.include[3], { name: 'all newest', cilium: '1.21.0', talos: 'v1.15.0', openwrt: '25.12.5' });
  });

  test('the twin\'s cells: one per Cilium release of the matrix, the pinned one named', () => {
    const m = buildMatrix({ cilium: 'v1.21.0', talos: '1.15.0', openwrt: PINNED.openwrt }, { cilium: '1.20.2', talos: 'v1.14.2', openwrt: '25.12.5' });
    assert.deepEqual(twinMatrix(m, { cilium: '1.20.2', talos: 'v1.14.2', openwrt: '25.12.5' }), { include: [
      { name: 'cilium 1.20.2 (pinned)', cilium: '1.20.2', topology: 'examples/reference.yaml' },
      { name: 'cilium 1.20.2 (pinned), dual-stack', cilium: '1.20.2', topology: 'examples/dual-stack.yaml' },
      { name: 'cilium 1.20.2 (pinned), two routers, router-down', cilium: '1.20.2', topology: 'examples/two-routers.yaml', fault: 'router-down' },
      { name: 'cilium 1.20.2 (pinned), graceful restart, speaker-restart', cilium: '1.20.2', topology: 'examples/graceful-restart.yaml', fault: 'speaker-restart' },
      { name: 'cilium 1.21.0', cilium: '1.21.0', topology: 'examples/reference.yaml' },
      { name: 'cilium 1.21.0, dual-stack', cilium: '1.21.0', topology: 'examples/dual-stack.yaml' },
      { name: 'cilium 1.21.0, two routers, router-down', cilium: '1.21.0', topology: 'examples/two-routers.yaml', fault: 'router-down' },
      { name: 'cilium 1.21.0, graceful restart, speaker-restart', cilium: '1.21.0', topology: 'examples/graceful-restart.yaml', fault: 'speaker-restart' },
    ] });
    assert.deepEqual(twinMatrix(buildMatrix(PINNED)).include.map((c) => c.cilium), TWIN_TOPOLOGIES.map(() => PINNED.cilium), 'nothing new: the pinned release alone, every cell');
    for (const t of TWIN_TOPOLOGIES) assert.ok(existsSync(path.join(repoRoot, t.topology)), t.topology);
    // Every fault a cell names is one the CLI knows.
    for (const t of TWIN_TOPOLOGIES) if (t.fault) assert.ok((FAULT_KINDS as string[]).includes(t.fault), t.fault);
  });
});

describe('resolving from loopback sources', () => {
  test('the recorded answers resolve to the pinned versions: one cell', async () => {
    sources.reset(goodRoutes());
    const m = await resolveMatrix(config());
    assert.deepEqual(m.include.map((c) => c.name), ['pinned']);
    assert.deepEqual(m.include[0], { name: 'pinned', cilium: PINNED.cilium, talos: PINNED.talos, openwrt: PINNED.openwrt });
    assert.ok(sources.asked.some((p) => p.startsWith('/repos/cilium/cilium/releases?per_page=100')), sources.asked.join(', '));
  });

  test('a new release appears: it gets its own cell, through the CLI, into $GITHUB_OUTPUT', async () => {
    sources.reset(goodRoutes('cilium-releases-new.json'));
    const output = path.join(work, 'github-output');
    const r = await runCli(['--output', output]);
    assert.equal(r.code, 0, r.stderr);
    const matrix = JSON.parse(r.stdout) as ReturnType<typeof buildMatrix>;
    assert.deepEqual(matrix.include.map((c) => `${c.name}: ${c.cilium} ${c.talos} ${c.openwrt}`), [
      `pinned: ${PINNED.cilium} ${PINNED.talos} ${PINNED.openwrt}`,
      `cilium 1.20.3: 1.20.3 ${PINNED.talos} ${PINNED.openwrt}`,
    ]);
    const [line, twin] = readFileSync(output, 'utf8').trim().split('\n');
    assert.ok(line!.startsWith('matrix={"include":['), line);
    assert.deepEqual(JSON.parse(line!.slice('matrix='.length)), matrix);
    assert.ok(twin!.startsWith('twin='), twin);
    assert.deepEqual((JSON.parse(twin!.slice('twin='.length)) as ReturnType<typeof twinMatrix>).include.map((c) => c.cilium), [...TWIN_TOPOLOGIES.map(() => PINNED.cilium), ...TWIN_TOPOLOGIES.map(() => '1.20.3')]);
  });

  test('only pre-releases newer than the pinned version: ignored', async () => {
    const routes = goodRoutes();
    const onlyPre = JSON.parse(fixture('cilium-releases.json')) as GithubRelease[];
    assert.ok(onlyPre.some((r) => r.prerelease && compareSemver(parseSemver(r.tag_name)!, parseSemver(PINNED.cilium)!) > 0));
    sources.reset(routes);
    const m = await resolveMatrix(config());
    assert.ok(!m.include.some((c) => c.cilium.includes('pre') || c.cilium.startsWith('1.21')), JSON.stringify(m));
  });

  test('the API fails: exit 1 naming the URL and the status', async () => {
    sources.reset({ ...goodRoutes(), '/repos/siderolabs/talos/releases': { status: 502, body: '{"message":"Server Error"}' } });
    const r = await runCli([]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${sources.base}/repos/siderolabs/talos/releases\\?per_page=100: HTTP 502`));
    assert.equal(r.stdout, '');
  });

  test('rate limited: the 403 says so and how to raise it', async () => {
    sources.reset({ ...goodRoutes(), '/repos/cilium/cilium/releases': { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000000' }, body: '{"message":"API rate limit exceeded"}' } });
    const r = await runCli([]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cilium\/cilium\/releases\?per_page=100: HTTP 403: rate limit exhausted until 2027-01-15T08:00:00\.000Z; set GITHUB_TOKEN/);
  });

  test('malformed JSON and a wrong shape are errors, not an empty matrix', async () => {
    sources.reset({ ...goodRoutes(), '/repos/cilium/cilium/releases': { body: '[{"tag_name": "v1.20.2", ' } });
    await assert.rejects(resolveMatrix(config()), /cilium\/cilium\/releases\?per_page=100: HTTP 200: malformed JSON/);
    sources.reset({ ...goodRoutes(), '/repos/cilium/cilium/releases': { body: '{"message":"Moved"}' } });
    await assert.rejects(resolveMatrix(config()), /expected a JSON array of releases/);
    sources.reset({ ...goodRoutes(), '/releases/': { body: '<html>maintenance</html>' } });
    await assert.rejects(resolveMatrix(config()), /\/releases\/: HTTP 200: no stable release folder/);
  });

  test('a source that never answers times out with the URL', async () => {
    sources.reset({ ...goodRoutes(), '/releases/': { hang: true } });
    const r = await runCli(['--timeout', '300']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${sources.base}/releases/: no answer within 300 ms`));
  });
});
