// Scale: ten datacentres of ten nodes (100 GoBGP speakers, 10 BIRD routers) with direct routes
// between nodes of one LAN, and route reflection instead of a full iBGP mesh.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lab, labNamespaces, tmp, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

function generated(args: string[]): string {
  const file = join(tmp(), 'topology.yaml');
  const g = lab(['generate', ...args, '-o', file]);
  assert.equal(g.code, 0, g.stderr);
  return file;
}

describe('scale', { skip }, () => {
  it('10 datacentres x 10 nodes converge and pass; same-LAN traffic skips the router', () => {
    const r = lab(['e2e', '--plain', '--json', '-t', generated(['--datacentres', '10', '--nodes-per-dc', '10'])], 300_000);
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
