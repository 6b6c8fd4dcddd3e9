// Each rendered Talos patch (the common one and the control-plane one) validates, document by document,
// against the schema of its own Talos line (TALOS_LINES[].schema under ../shared/schemas/talos), and the
// line boundary matters. What Talos itself says of the patches: test/unit/talos-library.test.ts.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { renderTalosPatches, talosLine } from '../../lab/render/talos-patch.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { TALOS_LINES } from '../../lab/versions/talos.ts';
import { schemasOrSkip } from './support/paths.ts';
import { SCHEMA_KIND_ALIASES, TalosSchema } from './support/talos-schema.ts';
import { DUAL_VARIANTS, VARIANTS } from './support/topologies.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const schemas = new Map<string, TalosSchema>();
function schemaFor(t: TestContext, folder: string): TalosSchema | undefined {
  const root = schemasOrSkip(t);
  if (!root) return undefined;
  let s = schemas.get(folder);
  if (!s) schemas.set(folder, (s = new TalosSchema(root, folder)));
  return s;
}

/** Every document of both patches, common first. */
function patchDocs(talos: string): Doc[] {
  const p = renderTalosPatches(resolveTopology(referenceTopology(), { talosVersion: talos }));
  return [p.common, p.controlPlane].flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as Doc));
}

const V1_11 = TALOS_LINES.find((l) => l.patch === 'v1alpha1')!.schema;
const V1_14 = TALOS_LINES.find((l) => l.patch === 'multi-doc')!.schema;

const VERSIONS: [string, string, string][] = [
  ['1.5.0', 'v1alpha1', 'v1.11.6'],
  ['1.6.0', 'v1alpha1', 'v1.11.6'],
  ['1.11.6', 'v1alpha1', 'v1.11.6'],
  ['1.13.x', 'v1alpha1', 'v1.11.6'],
  ['1.14.0', 'multi-doc', 'v1.14.0-rc.1'],
  ['1.14.x', 'multi-doc', 'v1.14.0-rc.1'],
  ['v1.14.2', 'multi-doc', 'v1.14.0-rc.1'],
];

for (const [talos, style, folder] of VERSIONS) {
  test(`Talos ${talos}: every document of the ${style} patch validates against talos/${folder}`, (t) => {
    for (const v of VARIANTS) {
      const m = resolveTopology(v.topology(), { talosVersion: talos });
      const line = talosLine(m);
      assert.equal(line.patch, style);
      assert.equal(line.schema, folder);
      const schema = schemaFor(t, line.schema);
      if (!schema) return;
      for (const [file, text] of Object.entries(renderTalosPatches(m))) {
        const docs = parseAllDocuments(text);
        assert.ok(docs.length >= 1, `${v.name}: ${file} has a document`);
        for (const [i, d] of docs.entries()) {
          assert.deepEqual(d.errors, [], `${v.name}: ${file} YAML document ${i}`);
          assert.deepEqual(schema.errors(d.toJS()), [], `${v.name}: ${file} document ${i} (${String((d.toJS() as Doc)['kind'] ?? 'v1alpha1 config')})`);
        }
      }
    }
  });
}

test('schema quirk: 1.14.0-rc.1 names the install kind UnattendedInstall; the patch keeps the kind Talos accepts', (t) => {
  const schema = schemaFor(t, V1_14);
  if (!schema) return;
  assert.ok(!schema.kinds.has('UnattendedInstallConfig') && schema.kinds.has('UnattendedInstall'),
    'if the schema now says UnattendedInstallConfig, drop SCHEMA_KIND_ALIASES in test/unit/support/talos-schema.ts');
  assert.equal(SCHEMA_KIND_ALIASES['UnattendedInstallConfig'], 'UnattendedInstall');
  const kinds = patchDocs('1.14.0').map((d) => d['kind']);
  assert.ok(kinds.includes('UnattendedInstallConfig'));
  assert.ok(!kinds.includes('UnattendedInstall'), 'Talos rejects the schema\'s spelling');
});

test('negative control: the v1alpha1 patch fields fail the 1.14 schema (they are gone there)', (t) => {
  const schema = schemaFor(t, V1_14);
  if (!schema) return;
  const [legacy, legacyControlPlane, ...rest] = patchDocs('1.13.x');
  assert.equal(rest.length, 0);
  const errors = schema.errors(legacy).join('\n');
  assert.match(schema.errors(legacyControlPlane).join('\n'), /additionalProperty":"controllerManager"/, '1.14 refuses cluster.controllerManager');
  for (const gone of ['"install"', '"network"', '"proxy"']) assert.match(errors, new RegExp(`additionalProperty":${gone}`), `1.14 refuses ${gone}`);
});

test('negative control: the 1.14 documents fail the 1.11 schema (their kinds do not exist there)', (t) => {
  const schema = schemaFor(t, V1_11);
  if (!schema) return;
  for (const d of patchDocs('1.14.0')) assert.match(schema.errors(d).join('\n'), /is not a document kind/, String(d['kind']));
});

test('negative controls: unknown keys, wrong types and bad delete patches fail their own line', (t) => {
  const old = schemaFor(t, V1_11);
  const cur = schemaFor(t, V1_14);
  if (!old || !cur) return;
  const legacy = patchDocs('1.11.6')[0]!;
  const fails = (s: TalosSchema, what: string, doc: Doc, expect: RegExp) => {
    const errors = s.errors(doc);
    assert.ok(errors.some((e) => expect.test(e)), `${what}: expected ${expect} in\n${errors.join('\n') || '(valid)'}`);
  };
  const prism = structuredClone(patchDocs('1.5.0')[0]!);
  assert.deepEqual(old.errors(prism), []);
  prism['machine'].features.kubePrism.port = '7445';
  fails(old, 'machine.features.kubePrism.port as a string', prism, /kubePrism\/port must be integer/);
  const misspelt = structuredClone(legacy);
  misspelt['machine'].instal = misspelt['machine'].install;
  delete misspelt['machine'].install;
  fails(old, 'machine.instal', misspelt, /additionalProperty":"instal"/);
  const wrongType = structuredClone(legacy);
  wrongType['cluster'].proxy.disabled = 'yes';
  fails(old, 'cluster.proxy.disabled as a string', wrongType, /proxy\/disabled must be boolean/);
  const badCni = structuredClone(legacy);
  badCni['cluster'].network.cni.name = 'cilium';
  fails(old, 'cni name outside the enum', badCni, /cni\/name must be equal to one of the allowed values/);

  const docs = patchDocs('1.14.0');
  const net = structuredClone(docs.find((d) => d['kind'] === 'KubeNetworkConfig')!);
  net['cni'] = { name: 'none' };
  fails(cur, 'KubeNetworkConfig.cni (no such field)', net, /additionalProperty":"cni"/);
  const subnet = structuredClone(docs.find((d) => d['kind'] === 'KubeNetworkConfig')!);
  subnet['podSubnets'] = ['10.244.0.0'];
  fails(cur, 'pod subnet without a prefix length', subnet, /podSubnets\/0 must match pattern/);
  const proxy = structuredClone(docs.find((d) => d['kind'] === 'KubeProxyConfig')!);
  delete proxy['image'];
  fails(cur, 'KubeProxyConfig without image (why the patch carries one)', proxy, /must have required property 'image'/);
  const install = structuredClone(docs.find((d) => d['kind'] === 'UnattendedInstallConfig')!);
  install['provisioning'].disk = '/dev/vda';
  fails(cur, 'UnattendedInstallConfig.provisioning.disk (no such field)', install, /additionalProperty":"disk"/);
  fails(cur, 'delete patch of an unknown kind', { apiVersion: 'v1alpha1', kind: 'KubeFlannelConfig', $patch: 'delete' }, /not a document kind/);
  fails(cur, 'delete patch with other keys', { apiVersion: 'v1alpha1', kind: 'KubeFlannelCNIConfig', $patch: 'delete', backendType: 'vxlan' }, /carries other keys/);
  fails(cur, 'delete patch with a wrong apiVersion', { apiVersion: 'v1', kind: 'KubeFlannelCNIConfig', $patch: 'delete' }, /apiVersion v1 is not one of/);
});

test('dual-stack: the LAN DHCP documents validate against their line\'s schema, and malformed ones do not', (t) => {
  const old = schemaFor(t, V1_11);
  const cur = schemaFor(t, V1_14);
  if (!old || !cur) return;
  const docsOf = (talos: string, v: (typeof DUAL_VARIANTS)[number]) => {
    const p = renderTalosPatches(resolveTopology(v.topology(), { talosVersion: talos }));
    return [p.common, p.controlPlane].flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as Doc));
  };
  for (const v of DUAL_VARIANTS) {
    const lines: [string, TalosSchema][] = [['1.5.0', old], ['1.13.x', old], ['1.14.0', cur]];
    for (const [talos, schema] of lines) {
      for (const d of docsOf(talos, v)) assert.deepEqual(schema.errors(d), [], `${v.name}, Talos ${talos}: ${String(d['kind'] ?? 'v1alpha1 config')}`);
    }
  }
  const legacy = docsOf('1.5.0', DUAL_VARIANTS[0]!)[0]!;
  assert.ok(legacy['machine'].network.interfaces[0].dhcpOptions.ipv6, 'the v1alpha1 patch asks for DHCPv6');
  legacy['machine'].network.interfaces[0].dhcpOptions.ipv6 = 'yes';
  assert.ok(old.errors(legacy).some((e) => /dhcpOptions\/ipv6 must be boolean/.test(e)), old.errors(legacy).join('\n'));
  const dhcp6 = structuredClone(docsOf('1.14.0', DUAL_VARIANTS[0]!).find((d) => d['kind'] === 'DHCPv6Config')!);
  dhcp6['ipv6'] = true;
  assert.ok(cur.errors(dhcp6).some((e) => /additionalProperty":"ipv6"/.test(e)), cur.errors(dhcp6).join('\n'));
});
