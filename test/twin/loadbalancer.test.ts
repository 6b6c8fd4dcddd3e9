// LoadBalancer Services on the twin for real: the reference's service green, equal-cost next hops
// with connections on both, Cluster+snat losing the client's address for the right reason, DSR
// keeping it, and the two pitfalls (and a missing `merge paths`) failing what they must.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runE2e } from '../../lab/e2e.ts';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { diagnoses, failedIds, lab, labNamespaces, tablesUnlikeExpected, tmp, topologyFile, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();

function e2e(args: string[]): { code: number | null; report: JsonReport } {
  const r = lab(['e2e', '--plain', '--json', ...args]);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(labNamespaces(report.runId), [], 'teardown');
  return { code: r.code, report };
}

function results(r: JsonReport, id: number) {
  return r.assertions.find((a) => a.id === id)!.results;
}

function twoBackendsOnOneLan(t: Topology): void {
  t.datacentres[1]!.nodes.push({ name: 'worker-2', role: 'worker' });
  t.services = [{ name: 'web', port: 80, trafficPolicy: 'Local', backends: ['worker-1', 'worker-2'] }];
}

describe('LoadBalancer services on the twin', { skip }, () => {
  it('the reference: web (Local, backend on worker-1) routed via worker-1 only, both LAN hosts keep their address, 12 of 12', () => {
    const { code, report } = e2e([]);
    assert.equal(code, 0, JSON.stringify(report.assertions.filter((a) => !a.ok)));
    assert.equal(report.assertions.length, 12);
    const routes = results(report, 10);
    assert.deepEqual(routes.map((x) => [x.subject, x.seen]), [['router-dc1: web 10.250.0.1', 'via 172.16.0.2'], ['router-dc2: web 10.250.0.1', 'via 10.0.1.10']]);
    const inbound = results(report, 11);
    assert.deepEqual(inbound.map((x) => x.seen), ['web-worker-1 saw 10.0.0.254 (2x)', 'web-worker-1 saw 10.0.1.254 (2x)']);
    assert.deepEqual(tablesUnlikeExpected(report, resolveTopology(referenceTopology())), [], 'every table is the one the expected diagram draws, the service /32s and the backend included');
  });

  it('two backends on one LAN: two equal-cost next hops on that router, and connections land on both', () => {
    const { code, report } = e2e(['-t', topologyFile(twoBackendsOnOneLan)]);
    assert.equal(code, 0, JSON.stringify(report.assertions.filter((a) => !a.ok)));
    const dc2 = results(report, 10).find((x) => x.subject.startsWith('router-dc2'))!;
    assert.equal(dc2.seen, 'via 10.0.1.10 and 10.0.1.11');
    const t = referenceTopology();
    twoBackendsOnOneLan(t);
    assert.deepEqual(tablesUnlikeExpected(report, resolveTopology(t)), [], 'the expected diagram has the equal-cost route too');
    const fromDc1 = results(report, 11).find((x) => x.subject.startsWith('db-dc1'))!;
    assert.match(fromDc1.seen, /web-worker-1 saw 10\.0\.0\.254/);
    assert.match(fromDc1.seen, /web-worker-2 saw 10\.0\.0\.254/);
  });

  it('negative control: without `merge paths` the router installs one of the two next hops, and assertion 10 says so', async () => {
    const t = referenceTopology();
    twoBackendsOnOneLan(t);
    const model = resolveTopology(t);
    const files = renderAll(model);
    for (const dc of model.datacentres) {
      const path = routerPath(dc.name, 'bird.conf');
      const text = files.get(path)!;
      assert.match(text, /\tmerge paths on;\n/);
      files.set(path, text.replace('\tmerge paths on;\n', ''));
    }
    const report = await runE2e({ model, files, artifactsRoot: tmp(), only: [10] });
    assert.deepEqual(labNamespaces(report.runId), [], 'teardown');
    const dc2 = report.assertions.find((a) => a.id === 10)!.results.find((x) => x.subject.startsWith('router-dc2'))!;
    assert.equal(dc2.ok, false);
    assert.match(dc2.seen, /^via 10\.0\.1\.1[01]$/);
    assert.match(dc2.diagnosis ?? '', /merge paths on/);
  });

  it('policy Cluster in snat mode fails 11: the dc1 client lands on controlplane-1, which forwards with its own address', () => {
    const { code, report } = e2e(['-t', topologyFile((t) => { t.services![0]!.trafficPolicy = 'Cluster'; })]);
    assert.equal(code, 1);
    assert.deepEqual(failedIds(report), [11]);
    assert.deepEqual(results(report, 10).map((x) => x.seen), ['via 10.0.0.10', 'via 10.0.1.10'], 'every node announces it');
    const [fromDc1, fromDc2] = results(report, 11);
    assert.equal(fromDc1!.ok, false);
    assert.equal(fromDc1!.seen, 'web-worker-1 saw 10.0.0.10 (2x)');
    assert.match(fromDc1!.diagnosis!, /landed on node controlplane-1, which has no backend of web.*with its own address \(10\.0\.0\.10\).*trafficPolicy: Local.*loadBalancer\.mode: dsr/);
    assert.equal(fromDc2!.ok, true, 'worker-1 has the backend itself');
  });

  it('policy Cluster in dsr mode holds 11: the backend answers the dc1 client directly with the service address', () => {
    const { code, report } = e2e(['-t', topologyFile((t) => { t.services![0]!.trafficPolicy = 'Cluster'; t.loadBalancer!.mode = 'dsr'; })]);
    assert.equal(code, 0, JSON.stringify(report.assertions.filter((a) => !a.ok)));
    assert.deepEqual(results(report, 10).map((x) => x.seen), ['via 10.0.0.10', 'via 10.0.1.10'], 'every node announces it, as with snat');
    assert.equal(results(report, 11)[0]!.seen, 'web-worker-1 saw 10.0.0.254 (2x)');
  });

  it('lb-import-filter fails 10 and 11: the routers refuse the service /32s', () => {
    const { code, report } = e2e(['--pitfall', 'lb-import-filter']);
    assert.equal(code, 1);
    assert.deepEqual(failedIds(report), [10, 11]);
    assert.match(diagnoses(report, 10), /import filter from nodes accepts only the pod CIDRs/);
    // Negative control of the tables check: the routers lack the service /32 the expected diagram draws.
    assert.deepEqual(tablesUnlikeExpected(report, resolveTopology(referenceTopology())).map((d) => d.split(':')[0]), ['router-dc1', 'router-dc2']);
    assert.match(diagnoses(report, 11), /no answer from 10\.250\.0\.1:80/);
    assert.ok(report.notes.some((n) => n.startsWith('pitfall lb-import-filter:') && n.includes('(as expected)')), report.notes.join('\n'));
  });

  it('etp-cluster-snat, as a pitfall, breaks exactly 11 and says which node and both fixes', () => {
    const { code, report } = e2e(['--pitfall', 'etp-cluster-snat']);
    assert.equal(code, 1);
    assert.deepEqual(failedIds(report), [11]);
    assert.match(diagnoses(report, 11), /node controlplane-1.*trafficPolicy: Local.*loadBalancer\.mode: dsr/);
  });
});
