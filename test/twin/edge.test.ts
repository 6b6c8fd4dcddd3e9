// Assertions 7-9 (egress, DNS, firewall zones) and their negative controls, plus `lab compare`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runE2e } from '../../lab/e2e.ts';
import { renderAll, routerPath, type RenderedFiles } from '../../lab/render/index.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import type { Report } from '../../lab/report/model.ts';
import { lab, labNamespaces, tmp, twinUnavailable } from './support.ts';

const skip = twinUnavailable();

async function e2e(t: Topology, edit: (files: RenderedFiles, dcs: string[]) => void = () => undefined): Promise<Report> {
  const model = resolveTopology(t);
  const files = renderAll(model);
  edit(files, model.datacentres.map((d) => d.name));
  const report = await runE2e({ model, files, artifactsRoot: tmp() });
  assert.deepEqual(labNamespaces(report.runId), []);
  return report;
}

const failed = (r: Report) => r.assertions.filter((a) => !a.ok).map((a) => a.id);
const why = (r: Report, id: number) => r.assertions.find((a) => a.id === id)!.results.filter((x) => !x.ok).map((x) => x.diagnosis).join('\n');

function withMgmt(forwardTo: string[]): Topology {
  const t = referenceTopology();
  t.firewall = { extraZones: [{ name: 'mgmt', datacentre: 'dc1', subnet: '192.168.50.0/24', forwardTo }] };
  return t;
}

describe('edge assertions', { skip }, () => {
  it('7 fails when the wan zone does not masquerade: the internet sees the pod', async () => {
    const r = await e2e(referenceTopology(), (files, dcs) => {
      for (const dc of dcs) files.set(routerPath(dc, 'firewall'), files.get(routerPath(dc, 'firewall'))!.replace("\toption masq '1'\n", ''));
    });
    assert.deepEqual(failed(r), [7]);
    assert.match(why(r, 7), /the internet saw the pod's own address 10\.244\.0\.10: the wan zone does not masquerade/);
  });

  it('9 holds with an extra zone allowed into lan, and fails when lan may enter it or wan may enter lan', async () => {
    const good = await e2e(withMgmt(['lan']));
    assert.deepEqual(failed(good), []);
    assert.ok(good.assertions.find((a) => a.id === 9)!.results.some((x) => x.subject.startsWith('mgmt -> lan') && x.ok));
    const leaky = await e2e(withMgmt(['lan']), (files) => {
      files.set(routerPath('dc1', 'firewall'), files.get(routerPath('dc1', 'firewall'))! +
        "config forwarding\n\toption src 'lan'\n\toption dest 'mgmt'\n\nconfig forwarding\n\toption src 'wan'\n\toption dest 'lan'\n");
    });
    assert.deepEqual(failed(leaky), [9]);
    const subjects = leaky.assertions.find((a) => a.id === 9)!.results.filter((x) => !x.ok).map((x) => x.subject);
    assert.ok(subjects.includes('lan -> mgmt (controlplane-1-pod -> mgmt-dc1)'), subjects.join(', '));
    assert.ok(subjects.includes('wan -> lan (internet -> controlplane-1-pod)'), subjects.join(', '));
    assert.match(why(leaky, 9), /a forwarding wan->lan or a wan forward policy of ACCEPT/);
  });

  it('lab compare shows native and tunnel side by side', () => {
    const r = lab(['compare', '--plain', '--artifacts', tmp()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /largest packet with DF\s+1500 B\s+1450 B/);
    assert.match(r.stdout, /remote LAN host saw\s+10\.244\.0\.10 \(controlplane-1-pod\)\s+10\.0\.0\.10 \(controlplane-1\)/);
    assert.match(r.stdout, /path\s+controlplane-1 > router-dc1 > router-dc2 > worker-1 > worker-1-pod\s+controlplane-1 > worker-1 > worker-1-pod/);
    // Inbound: native with Local keeps the client's address; the tunnel default (Cluster, snat) does not.
    assert.match(r.stdout, /backend saw inbound \(db-dc1 -> web\)\s+10\.0\.0\.254 \(db-dc1\)\s+10\.0\.0\.10 \(controlplane-1\)/);
    assert.match(r.stdout, /assertions holding\s+12\/12\s+6\/12 \(fail: 2, 4, 5, 6, 7, 11\)/);
    const wire = /wire bytes per 1 MiB sent\s+([\d.]+) MiB .*?\s+([\d.]+) MiB/.exec(r.stdout);
    assert.ok(wire, r.stdout);
    assert.ok(Number(wire[2]) > Number(wire[1]), 'encapsulation costs bytes on the wire');
  });
});
