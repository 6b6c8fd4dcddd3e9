// Scale: ten datacentres of ten nodes (100 speakers, 10 BIRD routers) with direct routes between
// nodes of one LAN, route reflection instead of a full iBGP mesh, and a topology past the old
// ceiling: more neighbour entries than the host's gc_thresh3 (1024 by default), which every
// namespace shares. The twin adds them permanent (exempt from that count), so nothing overflows.
// These test the twin's own scale, so they run the emulated speaker (about 5 MiB a node, against
// 36 MiB for Cilium's own); `npm run bench` measures 100 nodes of Cilium's own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { topologyNeeds } from '../../lab/runtime/limits.ts';
import { loadModel } from '../../lab/topology/load.ts';
import { LAB, lab, labNamespaces, REPO, tmp, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

function generated(args: string[]): string {
  const file = join(tmp(), 'topology.yaml');
  const g = lab(['generate', ...args, '-o', file]);
  assert.equal(g.code, 0, g.stderr);
  return file;
}

/** table_fulls of the shared IPv4 neighbour table: allocations refused at gc_thresh3 ("neighbor table overflow"). */
function tableFulls(): number {
  const row = readFileSync('/proc/net/stat/arp_cache', 'utf8').split('\n')[1]!.trim().split(/\s+/);
  return Number.parseInt(row[12]!, 16);
}

describe('scale', { skip }, () => {
  it('past the old ceiling: 12 x 12 needs over 1024 neighbour entries, all permanent, and passes', () => {
    const file = generated(['--datacentres', '12', '--nodes-per-dc', '12']);
    const needs = topologyNeeds(loadModel(readFileSync(file, 'utf8'), file));
    assert.ok(needs.permanentNeighbours > 1024, `the topology must need more entries than gc_thresh3's default: ${needs.permanentNeighbours}`);
    const fullsBefore = tableFulls();
    const up = lab(['up', '--speaker', 'emulated', '-t', file], 180_000);
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    const runId = /lab ([0-9a-f]{6}) is up/.exec(up.stdout)?.[1];
    assert.ok(runId, up.stdout);
    try {
      assert.match(up.stdout, /converged in/);
      let permanent = 0;
      const learned: string[] = [];
      for (const ns of labNamespaces(runId)) {
        const rows = spawnSync('ip', ['-n', ns, 'neigh', 'show'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
        permanent += rows.filter((r) => / PERMANENT\s*$/.test(r)).length;
        learned.push(...rows.filter((r) => !/ PERMANENT\s*$/.test(r)).map((r) => `${ns}: ${r}`));
      }
      assert.ok(permanent >= needs.permanentNeighbours, `${permanent} permanent entries, the plan has ${needs.permanentNeighbours}`);
      assert.ok(learned.length < 50, `entries learned by ARP (counted against gc_thresh3): ${learned.length}, e.g. ${learned.slice(0, 3).join('; ')}`);
      // The report of 313 machines is larger than spawnSync's default 1 MiB buffer.
      const e2e = spawnSync(process.execPath, [LAB, 'e2e', '--plain', '--json', '-t', file], { cwd: REPO, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20 });
      const report = JSON.parse(e2e.stdout) as JsonReport;
      assert.equal(e2e.status, 0, `${report.assertions.filter((a) => !a.ok).map((a) => a.id).join(', ')} failed; ${e2e.stderr.slice(-1000)}`);
      assert.deepEqual(labNamespaces(report.runId), []);
      assert.equal(tableFulls(), fullsBefore, 'the shared neighbour table refused entries (neighbor table overflow)');
    } finally {
      lab(['down', '--run', runId]);
    }
    assert.deepEqual(labNamespaces(runId), []);
  });

  it('10 datacentres x 10 nodes converge and pass; same-LAN traffic skips the router', () => {
    const r = lab(['e2e', '--plain', '--json', '--speaker', 'emulated', '-t', generated(['--datacentres', '10', '--nodes-per-dc', '10'])], 300_000);
    const report = JSON.parse(r.stdout) as JsonReport & { machines: unknown[] };
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.equal(report.machines.length, 1 + 10 * (1 + 1 + 10 + 10));
    const sessions = report.assertions.find((a) => a.id === 1)!.results;
    assert.equal(sessions.length, 10 * 9 + 100 * 2, 'full iBGP mesh plus both ends of every node session');
    const paths = report.assertions.find((a) => a.id === 4)!.results;
    const sameLan = paths.filter((p) => /^node-(\d+)-\d+-pod -> node-\1-\d+-pod$/.test(p.subject));
    assert.equal(sameLan.length, 10, 'one same-LAN pair per datacentre');
    for (const p of sameLan) assert.equal(p.seen.split(' > ').length, 3, `${p.subject} goes node > node > pod, not via the router: ${p.seen}`);
    assert.equal(report.assertions.find((a) => a.id === 3)!.results.length, 90 * 2, 'one pod pair per ordered pair of datacentres');
    assert.deepEqual(labNamespaces(report.runId), []);
  });

  it('route reflection: sessions only with the reflector, traffic between clients goes direct', () => {
    const r = lab(['e2e', '--plain', '--json', '-t', generated(['--datacentres', '4', '--nodes-per-dc', '1', '--route-reflection'])], 120_000);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const ibgp = report.assertions.find((a) => a.id === 1)!.results.filter((x) => x.subject.includes('ibgp'));
    assert.equal(ibgp.length, 6, 'three clients, each with the reflector, both ends');
    assert.ok(!ibgp.some((x) => /router-dc2 -> router-dc3/.test(x.subject)));
    const path = report.assertions.find((a) => a.id === 4)!.results.find((x) => x.subject === 'node-2-1-pod -> node-3-1-pod');
    assert.equal(path?.seen, 'node-2-1 > router-dc2 > router-dc3 > node-3-1 > node-3-1-pod', 'no detour through the reflector');
    assert.deepEqual(labNamespaces(report.runId), []);
  });
});
