// The rendered Talos patches checked by Talos's own config library (pkg/machinery, test/talos-config):
// generate a control plane and a worker config as `talosctl gen config` does, apply the common patch to
// both and the control-plane patch to the control plane only, validate in metal mode. For the oldest and
// the newest Talos line of lab/versions/talos.ts and every topology the tests render, dual-stack ones included.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { SHARED_DUID } from '../../lab/render/dhcpv6.ts';
import { KUBEPRISM_PORT, renderTalosPatches, SERVICE_SUBNET, SERVICE_SUBNET6, talosPatchDocs } from '../../lab/render/talos-patch.ts';
import { LAN_LINK_ALIAS, NODE_MAC_GLOB } from '../../lab/render/talos-network.ts';
import { generateTopology } from '../../lab/topology/generate.ts';
import { loadModel } from '../../lab/topology/load.ts';
import { isDualStack, type LabModel } from '../../lab/topology/model.ts';
import { OLDEST_TALOS, TALOS_LINES, talosLineOf } from '../../lab/versions/talos.ts';
import { repoRoot } from './support/paths.ts';
import { checkPatches, helpersOrSkip, TALOS_LIBRARY_LINES, type Helpers } from './support/talos-library.ts';
import { DUAL_VARIANTS, dualStack, fixtureNames, loadFixture, modelOf, VARIANTS } from './support/topologies.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';

const [OLDEST, NEWEST] = [TALOS_LIBRARY_LINES[0], TALOS_LIBRARY_LINES[TALOS_LIBRARY_LINES.length - 1]!];

/** Every topology the unit tests render: the variants (IPv4 and dual-stack), the topology fixtures, examples/, and the generated scale runs. */
function topologies(talos: string): { name: string; model: LabModel }[] {
  const out = [...VARIANTS, ...DUAL_VARIANTS].map((v) => ({ name: v.name, model: modelOf(v, { talosVersion: talos }) }));
  for (const f of fixtureNames()) out.push({ name: `fixture ${f}`, model: resolveTopology(loadFixture(f), { talosVersion: talos }) });
  const examples = path.join(repoRoot, 'examples');
  for (const f of readdirSync(examples).filter((x) => x.endsWith('.yaml')).sort()) {
    out.push({ name: `examples/${f}`, model: loadModel(readFileSync(path.join(examples, f), 'utf8'), f, { talosVersion: talos }) });
  }
  for (const g of [{ datacentres: 10, nodesPerDc: 10 }, { datacentres: 4, nodesPerDc: 1, reflection: true }, { datacentres: 10, nodesPerDc: 10, dualStack: true }]) {
    const t = generateTopology(g);
    out.push({ name: `generated ${t.name}${g.reflection ? ' reflected' : ''}${g.dualStack ? ' dual-stack' : ''}`, model: resolveTopology(t, { talosVersion: talos }) });
  }
  return out;
}

/** What Talos reads from the rendered patches about DHCP, per line (see lab/render/talos-network.ts). */
function expectedDhcp(patch: 'v1alpha1' | 'multi-doc', dual: boolean) {
  if (!dual) return { dhcp: [], defaultDHCP4: true, aliases: [] };
  if (patch === 'v1alpha1') {
    return { dhcp: [{ link: `hardwareAddr=${NODE_MAC_GLOB}`, ipv4: true, ipv6: true, duid: SHARED_DUID }], defaultDHCP4: true, aliases: [] };
  }
  return {
    dhcp: [
      { link: LAN_LINK_ALIAS, ipv4: true, ipv6: false, clientIdentifier: 'mac' },
      { link: LAN_LINK_ALIAS, ipv4: false, ipv6: true, clientIdentifier: 'mac' },
    ],
    // Any DHCP document turns the default DHCPv4 off, which is why DHCPv4Config is rendered.
    defaultDHCP4: false,
    aliases: [{ name: LAN_LINK_ALIAS, match: `glob("${NODE_MAC_GLOB}", mac(link.permanent_addr))` }],
  };
}

let helpers: Helpers | undefined;
after(() => {
  if (helpers) console.log(`# talos-config-check: built both helpers in ${helpers.buildSeconds.toFixed(1)} s (go build; cold = module download + compile)`);
});

test('the helpers cover the oldest and the newest Talos line of the version table', () => {
  assert.equal(talosLineOf(OLDEST.talos)!.since, OLDEST_TALOS);
  assert.equal(talosLineOf(NEWEST.talos)!.since, TALOS_LINES[TALOS_LINES.length - 1]!.since);
  for (const l of TALOS_LIBRARY_LINES) {
    const mod = readFileSync(path.join(repoRoot, 'test', 'talos-config', l.dir, 'go.mod'), 'utf8');
    assert.match(mod, new RegExp(`^require github\\.com/siderolabs/talos/pkg/machinery ${l.machinery.replace(/\./g, '\\.')}$`, 'm'), `${l.dir} pins machinery ${l.machinery}`);
  }
});

for (const line of TALOS_LIBRARY_LINES) {
  test(`Talos ${line.talos} (pkg/machinery ${line.machinery}): every rendered topology's patches generate valid control plane and worker configs`, async (t) => {
    const h = (helpers = await helpersOrSkip(t));
    if (!h) return;
    const row = talosLineOf(line.talos)!;
    // Talos sees only the patch bytes, so topologies whose patches are identical share one run.
    const runs = new Map<string, ReturnType<typeof checkPatches>>();
    for (const { name, model } of topologies(line.talos)) {
      const p = renderTalosPatches(model);
      const key = JSON.stringify(p);
      if (!runs.has(key)) runs.set(key, checkPatches(h, line, { common: [p.common], controlPlane: [p.controlPlane] }));
      const { code, result, stderr } = await runs.get(key)!;
      const why = `${name}: ${result.error ?? result.machines.map((m) => `${m.machine}: ${m.error ?? 'valid'}`).join('; ')}\n${stderr}`;
      assert.equal(code, 0, why);
      assert.equal(result.machinery, line.machinery);
      // The table's Kubernetes (kubectl's version) is what this machinery deploys by default.
      assert.equal(result.defaultKubernetesVersion, row.kubernetes);
      assert.deepEqual(result.machines.map((m) => [m.machine, m.valid]), [['controlplane', true], ['worker', true]], why);
      for (const m of result.machines) {
        // Cilium's values point at localhost:7445: KubePrism must listen there on every machine.
        assert.equal(m.kubePrismPort, KUBEPRISM_PORT, `${name}: ${m.machine} KubePrism`);
        // kube-proxy is a control plane's bootstrap manifest; from 1.14 its document may not reach a worker at all.
        if (m.machine === 'controlplane' || row.patch === 'v1alpha1') assert.equal(m.kubeProxy, false, `${name}: ${m.machine} kube-proxy`);
        assert.equal(m.cni, 'none', `${name}: ${m.machine} CNI`);
        // Dual-stack: both families, IPv4 first, as rendered.
        const dual = isDualStack(model);
        assert.deepEqual(m.podCIDRs, dual ? [model.cluster.podCIDR, model.cluster.podCIDR6] : [model.cluster.podCIDR], `${name}: ${m.machine} pod CIDRs`);
        assert.deepEqual(m.serviceCIDRs, dual ? [SERVICE_SUBNET, SERVICE_SUBNET6] : [SERVICE_SUBNET], `${name}: ${m.machine} service CIDRs`);
        // Dual-stack: DHCPv4 and DHCPv6 on the LAN link, as Talos's network controllers read the config;
        // an IPv4 lab names no link and keeps Talos's default DHCPv4 on every physical link.
        assert.deepEqual({ dhcp: m.dhcp, defaultDHCP4: m.defaultDHCP4, aliases: m.linkAliases ?? [] }, expectedDhcp(row.patch, dual), `${name}: ${m.machine} DHCP`);
      }
      if (row.patch === 'multi-doc') {
        const [cp, worker] = result.machines.map((m) => m.kinds ?? []);
        assert.ok(cp!.includes('KubeProxyConfig') && !cp!.includes('KubeFlannelCNIConfig'), `${name}: control plane kinds ${cp!.join(', ')}`);
        assert.ok(!worker!.includes('KubeProxyConfig') && !worker!.includes('KubeFlannelCNIConfig'), `${name}: worker kinds ${worker!.join(', ')}`);
      }
    }
    const all = topologies(line.talos);
    assert.ok(all.filter((x) => isDualStack(x.model)).length >= DUAL_VARIANTS.length + 2, 'the dual-stack variants, examples/dual-stack.yaml and a generated dual-stack lab are among them');
    t.diagnostic(`${all.length} topologies, ${runs.size} distinct patch pairs checked by pkg/machinery ${line.machinery}`);
  });
}

test('negative control: the old single 1.14 patch (KubeProxyConfig for every machine) fails the worker with Talos\'s own message', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  const docs = talosPatchDocs(resolveTopology(loadFixture('three-dc'), { talosVersion: NEWEST.talos }));
  // The patch as it was rendered before the split: every document in one file, applied to every machine.
  const single = [...docs.controlPlane, ...docs.common].map((d) => stringify(d)).join('---\n');
  const { code, result } = await checkPatches(h, NEWEST, { common: [single], controlPlane: [] });
  assert.equal(code, 1);
  const [cp, worker] = result.machines;
  assert.equal(cp!.valid, true, cp!.error);
  assert.equal(worker!.valid, false);
  // pkg/machinery/config/container/validate.go; a delete selector for a document the worker lacks is
  // silently skipped (configpatcher/strategic.go), so only KubeProxyConfig is named.
  assert.match(worker!.error!, /the following document kinds are only allowed on control plane machines: \[KubeProxyConfig\]/);
});

test('negative control: Talos 1.5 without the patch\'s KubePrism has nothing on localhost:7445', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  const docs = talosPatchDocs(resolveTopology(loadFixture('three-dc'), { talosVersion: OLDEST.talos }));
  const common = structuredClone(docs.common[0]) as { machine: Record<string, unknown> };
  assert.ok(common.machine['features'], 'the 1.5 patch enables KubePrism');
  delete common.machine['features'];
  const { code, result } = await checkPatches(h, OLDEST, { common: [stringify(common)], controlPlane: docs.controlPlane.map((d) => stringify(d)) });
  assert.equal(code, 0, 'still a valid config: KubePrism is just off');
  assert.deepEqual(result.machines.map((m) => m.kubePrismPort), [0, 0]);
});

test('negative control: the 1.14 documents are refused by Talos 1.5 (the kinds do not exist there)', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  const p = renderTalosPatches(resolveTopology(loadFixture('three-dc'), { talosVersion: NEWEST.talos }));
  const { code, result } = await checkPatches(h, OLDEST, { common: [p.common], controlPlane: [p.controlPlane] });
  assert.equal(code, 1);
  assert.match(result.error ?? '', /--config-patch: "KubeNetworkConfig" "v1alpha1": not registered/, result.error);
});

test('negative control: a dual-stack pod subnet list with an IPv4-only service subnet is refused by Talos 1.14', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  const docs = talosPatchDocs(resolveTopology(dualStack(loadFixture('three-dc')), { talosVersion: NEWEST.talos }));
  const common = docs.common.map((d) => structuredClone(d) as Record<string, unknown>);
  const network = common.find((d) => d['kind'] === 'KubeNetworkConfig')!;
  network['serviceSubnets'] = [SERVICE_SUBNET];
  const { code, result } = await checkPatches(h, NEWEST, { common: common.map((d) => stringify(d)), controlPlane: docs.controlPlane.map((d) => stringify(d)) });
  assert.equal(code, 1);
  // pkg/machinery/config/types/k8s/network.go (Validate).
  assert.match(result.machines[0]!.error ?? result.error ?? '', /the number of pod subnets must match the number of service subnets/);
  // And an IPv6 service range wider than /108 (more than 20 host bits).
  network['serviceSubnets'] = [SERVICE_SUBNET, '2001:db8:96::/104'];
  const wide = await checkPatches(h, NEWEST, { common: common.map((d) => stringify(d)), controlPlane: docs.controlPlane.map((d) => stringify(d)) });
  assert.equal(wide.code, 1);
  assert.match(wide.result.machines[0]!.error ?? wide.result.error ?? '', /2001:db8:96::\/104 is too large, it must be at least \/108/);
});

/** The dual-stack reference's 1.14 common documents, to break one at a time. */
function dualDocs14(): Record<string, unknown>[] {
  return talosPatchDocs(resolveTopology(dualStack(loadFixture('three-dc')), { talosVersion: NEWEST.talos })).common.map((d) => structuredClone(d) as Record<string, unknown>);
}

async function check14(h: Helpers, common: Record<string, unknown>[]) {
  const docs = talosPatchDocs(resolveTopology(dualStack(loadFixture('three-dc')), { talosVersion: NEWEST.talos }));
  return checkPatches(h, NEWEST, { common: common.map((d) => stringify(d)), controlPlane: docs.controlPlane.map((d) => stringify(d)) });
}

test('negative control: without DHCPv4Config, Talos 1.14 runs no DHCPv4 at all once DHCPv6Config is there', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  const common = dualDocs14().filter((d) => d['kind'] !== 'DHCPv4Config');
  const { code, result } = await check14(h, common);
  assert.equal(code, 0, 'still a valid config');
  for (const m of result.machines) {
    assert.equal(m.defaultDHCP4, false, `${m.machine}: default DHCPv4 is off`);
    assert.ok(!m.dhcp.some((d) => d.ipv4), `${m.machine}: no link asks for DHCPv4: ${JSON.stringify(m.dhcp)}`);
  }
});

test('negative controls: Talos 1.14 refuses a malformed DHCPv6Config or LinkAliasConfig with its own message', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  // types/network/dhcp6.go Validate.
  const duid = dualDocs14();
  duid.find((d) => d['kind'] === 'DHCPv6Config')!['duidRaw'] = '00:02:00:00:7e:d9:6e:72:6c';
  const a = await check14(h, duid);
  assert.equal(a.code, 1);
  assert.match(a.result.machines[0]!.error ?? a.result.error ?? '', /duidRaw can only be set if clientIdentifier is 'duid'/);
  const unnamed = dualDocs14();
  delete unnamed.find((d) => d['kind'] === 'DHCPv6Config')!['name'];
  const b = await check14(h, unnamed);
  assert.equal(b.code, 1);
  assert.match(b.result.machines[0]!.error ?? b.result.error ?? '', /name must be specified/);
  // types/network/link_alias.go Validate: the selector is parsed as CEL.
  const cel = dualDocs14();
  (cel.find((d) => d['kind'] === 'LinkAliasConfig')!['selector'] as Record<string, string>)['match'] = `glob("${NODE_MAC_GLOB}", mac(link.permanent_addr)`;
  const c = await check14(h, cel);
  assert.equal(c.code, 1);
  assert.match(c.result.machines[0]!.error ?? c.result.error ?? '', /link selector is invalid/);
});

test('negative control: Talos 1.5 refuses a LAN device with both an interface name and a selector', async (t) => {
  const h = (helpers = await helpersOrSkip(t));
  if (!h) return;
  const docs = talosPatchDocs(resolveTopology(dualStack(loadFixture('three-dc')), { talosVersion: OLDEST.talos }));
  const common = structuredClone(docs.common[0]) as { machine: { network: { interfaces: Record<string, unknown>[] } } };
  common.machine.network.interfaces[0]!['interface'] = 'eth0';
  const { code, result } = await checkPatches(h, OLDEST, { common: [stringify(common)], controlPlane: docs.controlPlane.map((d) => stringify(d)) });
  assert.equal(code, 1);
  // pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go (Device validation).
  assert.match(result.machines[0]!.error ?? result.error ?? '', /networking\.os\.device\.interface.*deviceSelector.*mutually exclusive/);
});
