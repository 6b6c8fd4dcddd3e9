// Cilium's own BGP control plane on the twin's nodes, against the emulation: the routes every
// router holds with either speaker (prefix, next hops, AS path, origin, communities, local
// preference), on the reference, examples/three-dc.yaml and every pitfall; Cilium's own lab
// manifests as a user would pass them; the oldest served line.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PITFALLS } from '../../lab/pitfalls/index.ts';
import { CLUSTER_FILES, renderAll, type RenderedFiles } from '../../lab/render/index.ts';
import { newRunId } from '../../lab/runtime/names.ts';
import { parseBirdRoutes, type BirdRoute } from '../../lab/runtime/parsers.ts';
import { birdSocket } from '../../lab/runtime/twin/sockets.ts';
import { chooseSpeaker, type SpeakerChoice } from '../../lab/runtime/twin/speaker/choose.ts';
import { TwinLab } from '../../lab/runtime/twin/twin-lab.ts';
import { loadModel, parseTopologyYaml } from '../../lab/topology/load.ts';
import { allRouters, type LabModel } from '../../lab/topology/model.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { OLDEST_CILIUM } from '../../lab/versions/cilium.ts';
import { parseCiliumBgpPeers } from '../../lab/runtime/vm/kube.ts';
import { diagnoses, failedIds, LAB, lab, labNamespaces, REPO, tmp, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

/** A router's BGP routes, in an order and form two runs can be compared in. */
type Table = Record<string, string[]>;

function describeRoute(r: BirdRoute): string {
  return `${r.prefix} via ${[...r.nextHops].sort().join(',')} from ${r.protocol}${r.best ? ' (best)' : ''} as_path [${r.asPath ?? ''}] origin ${r.origin ?? '?'} local_pref ${r.localPref ?? '-'} communities [${r.communities.join(' ')}]`;
}

/**
 * Brings the lab up with a speaker, waits until every router's BGP routes have not changed for
 * 4 s (a lab that cannot converge, a pitfall, settles too), reads them, tears down.
 */
async function routerTables(model: LabModel, files: RenderedFiles, speaker: SpeakerChoice): Promise<Table> {
  const runId = newRunId();
  const runDir = `/run/nrl-${runId}`;
  const twin = new TwinLab(model, files, { runId, artifacts: join(tmp(), runId), runDir, speaker });
  try {
    await twin.up();
    const read = async (): Promise<Table> => Object.fromEntries(await Promise.all(allRouters(model).map(async (router) => {
      const r = await twin.exec(router.name, ['birdc', '-s', birdSocket(runDir, router.key), 'show', 'route', 'all']);
      return [router.name, parseBirdRoutes(r.stdout).map(describeRoute).sort()] as const;
    })));
    let last = '';
    let since = Date.now();
    const start = Date.now();
    for (;;) {
      const t = await read();
      const key = JSON.stringify(t);
      if (key !== last) [last, since] = [key, Date.now()];
      // Past the first dials (BIRD to a listening emulation after 0.75-1 s, Cilium 1.20's GoBGP after
      // 1.5-2 s) and 3 quiet seconds: a lab that converges has by then, one that cannot has settled.
      if ((Date.now() - since >= 3000 && Date.now() - start >= 4000) || Date.now() - start > 45_000) return t;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await twin.down();
    assert.deepEqual(labNamespaces(runId), []);
  }
}

/** The reference with the PodCIDR advertisement carrying a standard community (a user's manifest would). */
function withCommunity(): { model: LabModel; files: RenderedFiles } {
  const model = loadModel(undefined, 'reference');
  const files = renderAll(model);
  const bgp = files.get(CLUSTER_FILES.ciliumBgp)!;
  const edited = bgp.replace('    - advertisementType: PodCIDR\n', '    - advertisementType: PodCIDR\n      attributes:\n        communities:\n          standard: ["65000:99"]\n');
  assert.notEqual(edited, bgp);
  files.set(CLUSTER_FILES.ciliumBgp, edited);
  return { model, files };
}

/**
 * Differences between the speakers that remain, each with its reason (the README lists them): a
 * case names the only differences it may show; any other fails the test.
 */
const KNOWN: Record<string, { reason: string; allowed: (line: string) => boolean }> = {
  'advertisement attributes': {
    reason: 'the emulation reads no advertisement attributes (communities, local preference): Cilium attaches them, GoBGP announces without',
    allowed: (l) => /^(Cilium only: 10\.244\.\d+\.0\/24 .* communities \[\(65000,99\)\]|emulation only: 10\.244\.\d+\.0\/24 .* communities \[\])$/.test(l),
  },
  'IPv6 routes beside refused IPv4 ones': {
    reason: 'with v4-over-v6 and no extended next hop on the routers, BIRD refuses the IPv4 routes of both speakers; Cilium\'s GoBGP still delivers its IPv6 routes over the session, the emulated gobgpd (measured) delivers none',
    allowed: (l) => /^Cilium only: 2001:db8:/.test(l),
  },
};

const CASES: { name: string; model: () => { model: LabModel; files: RenderedFiles }; known?: string }[] = [
  { name: 'a PodCIDR advertisement with a community', model: withCommunity, known: 'advertisement attributes' },
  { name: 'the reference', model: () => { const m = loadModel(undefined, 'reference'); return { model: m, files: renderAll(m) }; } },
  { name: 'examples/three-dc.yaml', model: () => { const m = loadModel(readFileSync(join(REPO, 'examples', 'three-dc.yaml'), 'utf8'), 'three-dc'); return { model: m, files: renderAll(m) }; } },
  // Dual-stack pitfalls (those that break one family) on the dual-stack example, those of several
  // routers on the two-router example, the others on the reference.
  ...PITFALLS.map((p) => ({ name: `pitfall ${p.name}`, model: () => p.apply(p.severalRouters ? example('two-routers') : p.family ? example('dual-stack') : referenceTopology(), {}), ...(p.name === 'v4-over-v6-session' ? { known: 'IPv6 routes beside refused IPv4 ones' } : {}) })),
];

function example(name: string): Topology {
  const file = join(REPO, 'examples', `${name}.yaml`);
  return parseTopologyYaml(readFileSync(file, 'utf8'), file) as Topology;
}

describe('the two speakers', { skip }, () => {
  let cilium: SpeakerChoice | undefined;

  for (const c of CASES) {
    it(`${c.name}: every router holds the same BGP routes with Cilium's own speaker and with the emulation${c.known ? `, but for ${c.known}` : ''}`, async () => {
      const { model, files } = c.model();
      cilium ??= await chooseSpeaker(model, 'cilium');
      // Side by side: two small labs of their own namespaces.
      const [own, emulated] = await Promise.all([routerTables(model, files, cilium), routerTables(model, files, { kind: 'emulated', why: 'compared' })]);
      assert.ok(Object.values(own).some((routes) => routes.length > 0), 'the routers learned something (else the comparison proves nothing)');
      for (const router of Object.keys(own)) {
        const only = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
        const diff = [...only(own[router]!, emulated[router]!).map((r) => `Cilium only: ${r}`), ...only(emulated[router]!, own[router]!).map((r) => `emulation only: ${r}`)];
        const known = c.known ? KNOWN[c.known]! : undefined;
        assert.deepEqual(diff.filter((d) => !known?.allowed(d)), [], `${c.name}: ${router} holds different routes`);
        // A known difference must still show, or its entry (and the README's line) is stale.
        if (known) assert.ok(diff.length > 0, `${c.name}: ${router}: the known difference (${known.reason}) no longer shows`);
      }
    });
  }

  it('negative control: an emulation announcing ORIGIN incomplete (as gobgp\'s default) is told apart', () => {
    const a = parseBirdRoutes('Table master4:\n10.244.1.0/24        unicast [node_worker_1 05:34:20.076] * (100) [AS65001i]\n\tvia 10.0.1.10 on br-lan\n\tType: BGP univ\n\tBGP.origin: IGP\n\tBGP.as_path: 65001\n');
    const b = parseBirdRoutes('Table master4:\n10.244.1.0/24        unicast [node_worker_1 05:34:20.076] * (100) [AS65001?]\n\tvia 10.0.1.10 on br-lan\n\tType: BGP univ\n\tBGP.origin: Incomplete\n\tBGP.as_path: 65001\n');
    assert.notEqual(describeRoute(a[0]!), describeRoute(b[0]!));
  });
});

describe('Cilium\'s own speaker: inputs and lines', { skip }, () => {
  it('Cilium\'s own lab manifests (contrib/containerlab/service, 1.20.2), as a user passes them: checked, fed, the rest named', () => {
    // Cilium's source comes with its Go module (the speaker's build downloaded it).
    const dir = (JSON.parse(execFileSync('go', ['mod', 'download', '-json', 'github.com/cilium/cilium@v1.20.2'], { encoding: 'utf8' })) as { Dir: string }).Dir;
    const lab1 = join(dir, 'contrib', 'containerlab', 'service');
    const file = join(tmp(), 'containerlab-service.yaml');
    writeFileSync(file, ['bgp.yaml', 'lb-ip.yaml', 'service.yaml'].map((f) => readFileSync(join(lab1, f), 'utf8')).join('\n---\n'));
    const r = lab(['e2e', '--plain', '--json', '--cilium-bgp', file]);
    assert.equal(r.code, 1, `checked and run (exit 1: its nodeSelector bgp=65001 selects no node of this lab): ${r.stderr}`);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(labNamespaces(report.runId), []);
    assert.ok(report.notes.some((n) => /^Namespace tenant-blue, tenant-red: not used by the twin/.test(n)), report.notes.join('\n'));
    assert.ok(report.notes.some((n) => /^Deployment curl-blue, curl-red: not used by the twin/.test(n)), report.notes.join('\n'));
    assert.ok(failedIds(report).includes(1));
    assert.match(diagnoses(report, 1), /no BGP session is configured on worker-1: no Cilium BGP resource selects it/);
  });

  it('where no Go can be had, the emulated speaker runs and the report says why; --speaker cilium refuses (exit 3)', () => {
    const env = { ...process.env, NRL_GO: 'none', NRL_CACHE_DIR: tmp() }; // no Go, and no speaker built yet
    const auto = spawnSync(process.execPath, [LAB, 'e2e', '--plain', '--json'], { cwd: REPO, encoding: 'utf8', timeout: 120_000, env });
    assert.equal(auto.status, 0, auto.stderr);
    const report = JSON.parse(auto.stdout) as JsonReport;
    assert.match(report.fidelity ?? '', /nodes: GoBGP configured from this project's reading .*no Go toolchain on this machine/);
    assert.deepEqual(labNamespaces(report.runId), []);
    const strict = spawnSync(process.execPath, [LAB, 'e2e', '--plain', '--speaker', 'cilium'], { cwd: REPO, encoding: 'utf8', timeout: 60_000, env });
    assert.equal(strict.status, 3, strict.stderr);
    assert.match(strict.stderr, /--speaker cilium: Cilium's speaker 1\.20\.2 is unavailable: no Go toolchain/);
    assert.equal(strict.stdout, '', 'nothing ran');
  });

  it(`the oldest served line (${OLDEST_CILIUM}): Cilium's own BGP control plane v1 passes the reference`, () => {
    const r = lab(['e2e', '--plain', '--json', '--speaker', 'cilium', '--cilium-version', OLDEST_CILIUM], 900_000);
    const report = JSON.parse(r.stdout || '{}') as JsonReport;
    assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
    assert.match(report.fidelity ?? '', /Cilium 1\.14\.19's own BGP control plane/);
    assert.deepEqual(failedIds(report), []);
    assert.deepEqual(labNamespaces(report.runId), []);
  });

  it(`the oldest line's own CLI output (1.14's \`cilium bgp peers\`), read by the VM lab's parser`, () => {
    const env = { ...process.env, LAB_STATE_DIR: tmp() }; // this test's kept lab only
    const cli = (args: string[]) => spawnSync(process.execPath, [LAB, ...args], { cwd: REPO, encoding: 'utf8', timeout: 300_000, env });
    const up = cli(['up', '--speaker', 'cilium', '--cilium-version', OLDEST_CILIUM]);
    assert.equal(up.status, 0, up.stderr);
    const runId = /lab ([0-9a-f]{6}) is up/.exec(up.stdout)![1]!;
    try {
      const peers = cli(['exec', 'worker-1', '--', 'cilium', 'bgp', 'peers']);
      assert.equal(peers.status, 0, peers.stderr);
      assert.deepEqual(parseCiliumBgpPeers(peers.stdout, 'worker-1'), [{ machine: 'worker-1', peerAddress: '10.0.1.1', peerAsn: 65000, kind: 'ebgp', state: 'Established', established: true }], peers.stdout);
      const routes = cli(['exec', 'worker-1', '--', 'cilium', 'bgp', 'routes', 'advertised', 'ipv4', 'unicast']);
      assert.equal(routes.status, 0, routes.stderr);
      assert.match(routes.stdout, /10\.244\.1\.0\/24/);
      assert.match(routes.stdout, /10\.250\.0\.1\/32/, 'the Local service\'s address, from the node with its backend');
    } finally {
      assert.equal(cli(['down', '--run', runId]).status, 0);
    }
    assert.deepEqual(labNamespaces(runId), []);
  });
});
