// Dual-stack on the twin with Cilium's own BGP control plane: the reference (examples/dual-stack.yaml,
// a session per family) and a generated topology of three datacentres (IPv6 over the IPv4 sessions)
// hold in both families; each IPv6 check is shown to fail on the mistake it exists for, IPv4 holding.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { runE2e } from '../../lab/e2e.ts';
import { CLUSTER_FILES, renderAll, routerPath, type RenderedFiles } from '../../lab/render/index.ts';
import type { Report } from '../../lab/report/model.ts';
import { parseTopologyYaml } from '../../lab/topology/load.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import type { Topology } from '../../lab/topology/schema.ts';
import { NEWEST_CILIUM } from '../../lab/versions/cilium.ts';
import { failedIds, lab, labNamespaces, REPO, rootSnapshot, tablesUnlikeExpected, tmp, twinUnavailable, type JsonReport } from './support.ts';

const skip = twinUnavailable();
const DUAL = join(REPO, 'examples', 'dual-stack.yaml');
const OWN_SPEAKER = new RegExp(`Cilium ${NEWEST_CILIUM.replace(/\./g, '\\.')}'s own BGP control plane`);
/** Every assertion that carries addresses runs in both families; 1 does too with a session per family. */
const BOTH_FAMILIES = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** The families an assertion's checks ran in (checks of no family, e.g. "no overlay device", left out). */
function families(r: JsonReport | Report, id: number): (4 | 6)[] {
  return [...new Set(r.assertions.find((a) => a.id === id)!.results.flatMap((x) => (x.family ? [x.family] : [])))].sort();
}

async function e2e(edit: (files: RenderedFiles, dcs: string[]) => void): Promise<Report> {
  const model = resolveTopology(parseTopologyYaml(readFileSync(DUAL, 'utf8'), DUAL));
  const files = renderAll(model);
  edit(files, model.datacentres.map((d) => d.name));
  const report = await runE2e({ model, files, artifactsRoot: tmp() });
  assert.deepEqual(labNamespaces(report.runId), []);
  return report;
}

const failed = (r: Report) => r.assertions.filter((a) => !a.ok).map((a) => a.id);
const failures = (r: Report, id: number) => r.assertions.find((a) => a.id === id)!.results.filter((x) => !x.ok);
const why = (r: Report, id: number) => failures(r, id).map((x) => x.diagnosis).join('\n');
/** Every failed check is IPv6: the IPv4 half of the lab held. */
const onlyIpv6Failed = (r: Report) => r.assertions.every((a) => a.results.every((x) => x.ok || x.family === 6));

describe('twin dual-stack', { skip }, () => {
  it('examples/dual-stack.yaml: every assertion holds in both families, a session per family, the host untouched', () => {
    const before = rootSnapshot();
    const r = lab(['e2e', '--plain', '--json', '-t', DUAL]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(failedIds(report), []);
    assert.match(report.fidelity ?? '', OWN_SPEAKER);
    assert.match(r.stderr + r.stdout, /dual-stack|"dualStack":"per-family"/);
    for (const id of [1, ...BOTH_FAMILIES]) assert.deepEqual(families(report, id), [4, 6], `assertion ${id} runs in IPv4 and IPv6`);
    const sessions = report.assertions.find((a) => a.id === 1)!.results;
    // per family: (1 iBGP peer + 1 node) x 2 routers, seen from both ends for the nodes: 6 per family
    assert.equal(sessions.filter((s) => s.family === 6).length, 6);
    assert.ok(sessions.some((s) => s.subject.startsWith('worker-1 -> router-dc2 (2001:db8:10:1::1, ebgp)')), sessions.map((s) => s.subject).join('\n'));
    const egress6 = report.assertions.find((a) => a.id === 7)!.results.find((x) => x.family === 6 && x.subject.endsWith('-> internet (IPv6)'))!;
    assert.match(egress6.seen, /^2001:db8:244:/, 'the internet saw the pod\'s own IPv6 address');
    // Every machine's IPv4 and IPv6 tables are the ones the topology implies (what `lab diagram` draws).
    assert.deepEqual(tablesUnlikeExpected(report, resolveTopology(parseTopologyYaml(readFileSync(DUAL, 'utf8'), DUAL))), []);
    assert.deepEqual(labNamespaces(report.runId), []);
    assert.equal(rootSnapshot(), before);
  });

  it('a generated topology of three datacentres, two nodes each, IPv6 over the IPv4 sessions: every assertion holds in both families', () => {
    const dir = tmp();
    const file = join(dir, 'g.yaml');
    assert.equal(lab(['generate', '--datacentres', '3', '--nodes-per-dc', '2', '--dual-stack', '-o', file]).code, 0);
    const t = parse(readFileSync(file, 'utf8')) as Topology;
    writeFileSync(file, stringify({ ...t, bgp: { ...t.bgp, sessions: 'mp-over-v4' } }));
    const r = lab(['e2e', '--plain', '--json', '-t', file], 240_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(failedIds(report), []);
    assert.match(report.fidelity ?? '', OWN_SPEAKER);
    for (const id of BOTH_FAMILIES.filter((id) => id !== 10 && id !== 11)) assert.deepEqual(families(report, id), [4, 6], `assertion ${id}`);
    // One session per node and router pair carries both families: no IPv6 session at all.
    assert.ok(report.assertions.find((a) => a.id === 1)!.results.every((s) => !s.subject.includes('2001:')));
    assert.deepEqual(tablesUnlikeExpected(report, resolveTopology(parse(readFileSync(file, 'utf8')) as Topology)), []);
    // Same-LAN pods take the direct route in IPv6 too (autoDirectNodeRoutes).
    const paths = report.assertions.find((a) => a.id === 4)!.results.filter((x) => x.family === 6);
    assert.ok(paths.some((x) => x.seen.split(' > ').length === 3), paths.map((x) => x.seen).join('\n'));
    assert.deepEqual(labNamespaces(report.runId), []);
  });

  it('IPv4 over the nodes\' IPv6 sessions (v4-over-v6): extended next hop negotiated with Cilium, IPv4 routes via the node\'s IPv6 address, everything holds', () => {
    const file = join(tmp(), 'v4-over-v6.yaml');
    const t = parse(readFileSync(DUAL, 'utf8')) as Topology;
    writeFileSync(file, stringify({ ...t, bgp: { ...t.bgp, sessions: 'v4-over-v6' } }));
    const r = lab(['e2e', '--plain', '--json', '-t', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(failedIds(report), []);
    assert.match(report.fidelity ?? '', OWN_SPEAKER);
    // The nodes' sessions are IPv6 only; the routers' iBGP both families.
    const sessions = report.assertions.find((a) => a.id === 1)!.results;
    assert.ok(sessions.filter((s) => s.subject.includes('ebgp')).every((s) => s.family === 6), sessions.map((s) => s.subject).join('\n'));
    assert.ok(sessions.some((s) => s.subject.includes('ibgp') && s.family === 4));
    const local4 = report.assertions.find((a) => a.id === 2)!.results.find((x) => x.subject === 'router-dc2: 10.244.1.0/24 (worker-1) (IPv4)')!;
    assert.equal(local4.seen, 'via 2001:db8:10:1::10 dev br-lan', 'an IPv4 route through the node\'s IPv6 address (RFC 8950)');
    assert.deepEqual(tablesUnlikeExpected(report, resolveTopology(parse(readFileSync(file, 'utf8')) as Topology)), []);
    assert.deepEqual(labNamespaces(report.runId), []);
  });

  it('lab compare shows both families side by side: IPv6 untranslated natively, the node\'s address under Cilium\'s defaults', () => {
    const r = lab(['compare', '--plain', '-t', DUAL, '--artifacts', tmp()], 240_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /internet saw \(IPv6\)\s+2001:db8:244::10 \(controlplane-1-pod\)/);
    assert.match(r.stdout, /remote LAN host saw \(IPv6\)\s+2001:db8:244::10 \(controlplane-1-pod\)\s+2001:db8:10::10 \(controlplane-1\)/);
    assert.match(r.stdout, /largest packet with DF \(IPv6\)\s+1500 B\s+1450 B/);
    assert.match(r.stdout, /path \(IPv6\)\s+controlplane-1 > router-dc1 > router-dc2 > worker-1 > worker-1-pod\s+controlplane-1 > worker-1 > worker-1-pod/);
  });

  it('negative control for 7 in IPv6: masq6 on the wan zone hides the pod behind the router, IPv4 unchanged', async () => {
    const r = await e2e((files, dcs) => {
      for (const dc of dcs) files.set(routerPath(dc, 'firewall'), files.get(routerPath(dc, 'firewall'))!.replace("\toption masq '1'\n", "\toption masq '1'\n\toption masq6 '1'\n"));
    });
    assert.deepEqual(failed(r), [7]);
    assert.ok(onlyIpv6Failed(r));
    assert.match(why(r, 7), /the wan zone masquerades IPv6 \(masq6 '1'\)/);
  });

  it('negative control for 9 in IPv6: a wan->lan forwarding lets the internet reach pods, with no NAT in the way', async () => {
    const r = await e2e((files) => {
      files.set(routerPath('dc1', 'firewall'), `${files.get(routerPath('dc1', 'firewall'))!}\nconfig forwarding\n\toption src 'wan'\n\toption dest 'lan'\n`);
    });
    assert.deepEqual(failed(r), [9]);
    const subjects = failures(r, 9).map((x) => x.subject);
    assert.ok(subjects.includes('wan -> lan (internet -> controlplane-1-pod) (IPv6)'), subjects.join('\n'));
    assert.match(why(r, 9), /IPv6 pods are routed, not translated/);
  });

  it('negative control for 5 and 7 in IPv6: Cilium masquerading IPv6 on the nodes shows as the node\'s address', async () => {
    const r = await e2e((files, dcs) => {
      const values = parse(files.get(CLUSTER_FILES.ciliumValues)!) as Record<string, unknown>;
      values['enableIPv6Masquerade'] = true;
      values['ipv6NativeRoutingCIDR'] = '2001:db8:10::/64'; // narrowed to dc1's LAN, as node-masquerade does for IPv4
      files.set(CLUSTER_FILES.ciliumValues, stringify(values));
      void dcs;
    });
    assert.ok(failed(r).includes(5) && failed(r).includes(7), `failed: ${failed(r)}`);
    assert.ok(onlyIpv6Failed(r));
    assert.match(why(r, 5), /the server saw node \S+ \(2001:db8:10:/);
    assert.match(why(r, 5), /enableIPv6Masquerade/);
  });

  it('negative control for 8 in IPv6: without the AAAA names, the router answers A only', async () => {
    const r = await e2e((files, dcs) => {
      for (const dc of dcs) {
        const dhcp = files.get(routerPath(dc, 'dhcp'))!;
        const without = dhcp.replace(/config domain\n\toption name '[^']+'\n\toption ip '[0-9a-f:]+:[0-9a-f:]*'\n\n?/g, '');
        assert.notEqual(without, dhcp, 'the rendered dhcp has IPv6 names');
        files.set(routerPath(dc, 'dhcp'), without);
      }
    });
    assert.deepEqual(failed(r), [8]);
    assert.ok(onlyIpv6Failed(r));
  });
});
