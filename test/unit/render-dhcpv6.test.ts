// How a dual-stack VM lab's nodes get their IPv6 address: odhcpd's options in each router's
// /etc/config/dhcp (read back through parseUci) and the address odhcpd would hand each node, computed
// with a port of its in6_from_prefix_and_iid; the Talos documents that ask for DHCPv4 and DHCPv6 on the
// LAN link. What Talos itself makes of them: talos-library.test.ts. odhcpd cannot run here (not in Debian).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostIdOf, iaidOf, nodeMac, odhcpdAddress, SHARED_DUID } from '../../lab/render/dhcpv6.ts';
import { macFor } from '../../lab/render/ports.ts';
import { talosPatchDocs } from '../../lab/render/talos-patch.ts';
import { LAN_LINK_ALIAS, NODE_MAC_GLOB } from '../../lab/render/talos-network.ts';
import { renderDhcp } from '../../lab/render/uci-dhcp.ts';
import { list, option, parseUci, type UciSection } from '../../lab/render/uci.ts';
import { dnsmasqArgs } from '../../lab/runtime/twin/dnsmasq.ts';
import type { LabModel } from '../../lab/topology/model.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { DUAL_VARIANTS, dualStack, modelOf, VARIANTS } from './support/topologies.ts';

const ODHCPD_KEYS = ['dhcpv6', 'ra', 'ra_flags', 'ra_slaac', 'ra_default', 'hostid', 'duid'];
const TALOS = { v1alpha1: '1.5.5', newestV1alpha1: '1.13.x', multiDoc: 'v1.14.2' } as const;

function sectionsOf(text: string, type: string): UciSection[] {
  return parseUci(text).filter((s) => s.type === type);
}

/** odhcpd's hostid when a host has none: the IPv4 address's last octet, its decimal digits as nibbles (config.c). */
function odhcpdDefaultHostId(ipv4: string): string {
  const octet = Number(ipv4.split('.')[3]);
  return (((Math.floor(octet / 100)) << 8) | (Math.floor((octet % 100) / 10) << 4) | (octet % 10)).toString(16);
}

/** odhcpd reads hostid with strtoull(.., 16): hex digits up to the first other character. */
function strtoull16(text: string): string {
  return BigInt(`0x${/^[0-9a-f]*/i.exec(text)![0] || '0'}`).toString(16);
}

function dualModels(talos: string): { name: string; model: LabModel }[] {
  return DUAL_VARIANTS.map((v) => ({ name: `${v.name}, Talos ${talos}`, model: modelOf(v, { talosVersion: talos }) }));
}

test('dhcp (dual-stack): odhcpd serves DHCPv6 and Router Advertisements on the LAN, dnsmasq keeps DHCPv4', () => {
  for (const { name, model } of dualModels(TALOS.multiDoc)) {
    for (const dc of model.datacentres) {
      const dhcp = renderDhcp(model, dc, dc.routers[0]!);
      const lan = sectionsOf(dhcp, 'dhcp').find((s) => s.name === 'lan')!;
      assert.equal(option(lan, 'dhcpv6'), 'server', name);
      assert.equal(option(lan, 'ra'), 'server', name);
      assert.deepEqual(list(lan, 'ra_flags'), ['managed-config'], `${name}: the RA sends clients to DHCPv6`);
      assert.equal(option(lan, 'ra_slaac'), '0', `${name}: no SLAAC address beside the DHCPv6 one`);
      assert.equal(option(lan, 'ra_default'), '2', `${name}: the router is announced as default router`);
      assert.deepEqual([option(lan, 'start'), option(lan, 'limit'), option(lan, 'leasetime')], ['100', '150', '12h'], `${name}: the DHCPv4 pool stays`);
      const main = sectionsOf(dhcp, 'odhcpd');
      assert.equal(main.length, 1, `${name}: one odhcpd section, so OpenWRT's first-boot defaults leave the lan section alone`);
      assert.equal(main[0]!.name, 'odhcpd');
      assert.equal(option(main[0]!, 'maindhcp'), '0', `${name}: dnsmasq stays the DHCPv4 server`);
      for (const s of sectionsOf(dhcp, 'dhcp').filter((x) => x.name !== 'lan')) {
        for (const key of ODHCPD_KEYS) assert.equal(option(s, key), undefined, `${name}: ${s.name} serves nothing`);
      }
    }
  }
});

test('dhcp (dual-stack): every node\'s static lease makes odhcpd hand out exactly its address6', () => {
  let checked = 0;
  for (const talos of Object.values(TALOS)) {
    for (const { name, model } of dualModels(talos)) {
      for (const dc of model.datacentres) {
        const hosts = sectionsOf(renderDhcp(model, dc, dc.routers[0]!), 'host');
        assert.equal(hosts.length, dc.nodes.length, name);
        dc.nodes.forEach((n, j) => {
          const h = hosts[j]!;
          assert.deepEqual([option(h, 'name'), option(h, 'mac'), option(h, 'ip')], [n.name, macFor(dc.index, 10 + j), n.address], `${name}: ${n.name} keeps its DHCPv4 lease`);
          const hostid = option(h, 'hostid')!;
          assert.match(hostid, /^[0-9a-f]{1,16}$/, `${name}: ${n.name} hostid is plain hex, as strtoull reads it`);
          assert.equal(odhcpdAddress(dc.lan6!, dc.routers[0]!.address6!, hostid), n.address6, `${name}: ${n.name}`);
          checked++;
        });
      }
    }
  }
  assert.ok(checked >= 3 * DUAL_VARIANTS.length * 2, `${checked} leases`);
});

test('negative controls: without the rendered hostid, or with the address\'s text as hostid, odhcpd hands out another address', () => {
  // A node past .255 of its LAN: odhcpd's own default reads only the IPv4 address's last octet.
  const t = dualStack(referenceTopology());
  t.datacentres[0]!.lan = '10.0.0.0/23';
  t.datacentres[1]!.lan = '10.0.2.0/24';
  t.datacentres[0]!.nodes[0]!.address = '10.0.1.10';
  const m = resolveTopology(t);
  const dc = m.datacentres[0]!;
  const n = dc.nodes[0]!;
  assert.equal(n.address6, '2001:db8:10::266', 'the model mirrors host number 266');
  const h = sectionsOf(renderDhcp(m, dc, dc.routers[0]!), 'host')[0]!;
  assert.equal(option(h, 'hostid'), '266');
  assert.equal(odhcpdAddress(dc.lan6!, dc.routers[0]!.address6!, odhcpdDefaultHostId(n.address)), '2001:db8:10::10', 'odhcpd\'s default: the wrong address');
  // For the default addresses odhcpd's default would have agreed: the rendered hostid is what makes the rest exact.
  const ref = resolveTopology(dualStack(referenceTopology()));
  const refNode = ref.datacentres[1]!.nodes[0]!;
  assert.equal(odhcpdAddress(ref.datacentres[1]!.lan6!, ref.datacentres[1]!.routers[0]!.address6!, odhcpdDefaultHostId(refNode.address)), refNode.address6);

  // An explicit address6 with two groups: written as text, strtoull stops at the colon.
  const e = dualStack(referenceTopology());
  e.datacentres[1]!.nodes[0]!.address6 = '2001:db8:10:1::abcd:1';
  const em = resolveTopology(e);
  const edc = em.datacentres[1]!;
  const eh = sectionsOf(renderDhcp(em, edc, edc.routers[0]!), 'host')[0]!;
  assert.equal(option(eh, 'hostid'), 'abcd0001');
  assert.equal(odhcpdAddress(edc.lan6!, edc.routers[0]!.address6!, option(eh, 'hostid')!), '2001:db8:10:1::abcd:1');
  assert.equal(odhcpdAddress(edc.lan6!, edc.routers[0]!.address6!, strtoull16('abcd:1')), '2001:db8:10:1::abcd');
});

test('odhcpdAddress: the interface identifier replaces min(128 - prefix, 64) bits; no DHCPv6 address past /96', () => {
  assert.equal(hostIdOf('2001:db8:10:1::10'), '10');
  assert.equal(odhcpdAddress('2001:db8:10:1::/64', '2001:db8:10:1::1', '10'), '2001:db8:10:1::10');
  assert.equal(odhcpdAddress('2001:db8:10:1::/80', '2001:db8:10:1::1', 'abcd000000000010'), '2001:db8:10:1::10', 'only the low 48 bits on a /80');
  // Shorter than /64: the bits between the prefix and /64 are the router's (odhcpd copies its own address).
  assert.equal(odhcpdAddress('2001:db8:10::/56', '2001:db8:10:7::1', '10'), '2001:db8:10:7::10');
  assert.equal(odhcpdAddress('2001:db8:10::/120', '2001:db8:10::1', '10'), undefined);
});

test('dhcp (dual-stack): the host matches what the node\'s Talos line sends: MAC (1.14) or the shared DUID with the node\'s IAID', () => {
  for (const [talos, byDuid] of [[TALOS.v1alpha1, true], [TALOS.newestV1alpha1, true], [TALOS.multiDoc, false]] as const) {
    for (const { name, model } of dualModels(talos)) {
      for (const dc of model.datacentres) {
        sectionsOf(renderDhcp(model, dc, dc.routers[0]!), 'host').forEach((h, j) => {
          const mac = nodeMac(dc, j);
          assert.equal(option(h, 'mac'), mac, name);
          // The IAID Talos sends is the MAC's last four bytes (insomniacslk/dhcp NewSolicit).
          assert.equal(option(h, 'duid'), byDuid ? `${SHARED_DUID}%${mac.split(':').slice(2).join('')}` : undefined, `${name}: ${option(h, 'name')}`);
        });
      }
    }
  }
  assert.equal(iaidOf('52:54:00:10:01:0a'), '0010010a');
  // The shared DUID is a DUID-EN (type 2) of enterprise 32473, the documentation number (RFC 5612).
  assert.equal(SHARED_DUID.slice(0, 4), '0002');
  assert.equal(Number.parseInt(SHARED_DUID.slice(4, 12), 16), 32473);
});

test('IPv4 labs: the dhcp file has no odhcpd section and no DHCPv6 option (the goldens hold the bytes)', () => {
  for (const v of VARIANTS) {
    const model = modelOf(v);
    for (const dc of model.datacentres) {
      const parsed = parseUci(renderDhcp(model, dc, dc.routers[0]!));
      assert.ok(!parsed.some((s) => s.type === 'odhcpd'), v.name);
      for (const s of parsed) for (const key of ODHCPD_KEYS) assert.equal(option(s, key), undefined, `${v.name}: ${s.type} ${key}`);
    }
  }
  // Control: the check sees the options where they are.
  const dualModel = modelOf(DUAL_VARIANTS[0]!);
  const dual = parseUci(renderDhcp(dualModel, dualModel.datacentres[0]!, dualModel.datacentres[0]!.routers[0]!));
  assert.ok(dual.some((s) => s.type === 'odhcpd') && dual.some((s) => option(s, 'hostid') !== undefined));
});

test('the twin\'s dnsmasq reads the same flags with or without the odhcpd options', () => {
  const model = modelOf(DUAL_VARIANTS[0]!);
  const paths = { pidFile: '/p', leaseFile: '/l' };
  for (const dc of model.datacentres) {
    const text = renderDhcp(model, dc, dc.routers[0]!);
    const stripped = text.split('\n').filter((l) => !ODHCPD_KEYS.some((k) => new RegExp(`^\\t(option|list) ${k} `).test(l))).join('\n')
      .replace(/config odhcpd 'odhcpd'\n\toption maindhcp '0'\n\n/, '');
    assert.notEqual(stripped, text);
    assert.deepEqual(dnsmasqArgs(text, dc.lan, paths), dnsmasqArgs(stripped, dc.lan, paths), dc.name);
  }
  // Control: the flags do follow the file (another datacentre, another lease).
  const [a, b] = model.datacentres.map((dc) => dnsmasqArgs(renderDhcp(model, dc, dc.routers[0]!), dc.lan, paths));
  assert.notDeepEqual(a, b);
});

/** Glob as Talos 1.5's device selector (ryanuber/go-glob) and 1.14's CEL glob() read it: `*` is any run. */
function glob(pattern: string, text: string): boolean {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(text);
}

test('Talos: both lines ask for DHCPv4 and DHCPv6 on the link whose MAC is a lab node\'s, by no interface name', () => {
  const three = DUAL_VARIANTS.find((v) => v.name.startsWith('dual-stack three-dc'))!;
  const model = modelOf(three, { talosVersion: TALOS.v1alpha1 });
  for (const dc of model.datacentres) dc.nodes.forEach((_, j) => assert.ok(glob(NODE_MAC_GLOB, nodeMac(dc, j)), nodeMac(dc, j)));
  assert.ok(!glob(NODE_MAC_GLOB, '52:54:00:12:34:56'), 'control: QEMU\'s default MAC is not a lab node\'s');

  const legacy = talosPatchDocs(model).common[0] as { machine: { network: { interfaces: Record<string, unknown>[] } } };
  assert.deepEqual(legacy.machine.network.interfaces, [{ deviceSelector: { hardwareAddr: NODE_MAC_GLOB }, dhcp: true, dhcpOptions: { ipv4: true, ipv6: true, duidv6: SHARED_DUID } }]);
  const docs = talosPatchDocs(modelOf(three, { talosVersion: TALOS.multiDoc })).common as Record<string, unknown>[];
  const kinds = (k: string) => docs.filter((d) => d['kind'] === k);
  assert.deepEqual(kinds('LinkAliasConfig').map((d) => d['name']), [LAN_LINK_ALIAS]);
  assert.deepEqual([...kinds('DHCPv4Config'), ...kinds('DHCPv6Config')].map((d) => d['name']), [LAN_LINK_ALIAS, LAN_LINK_ALIAS]);
  assert.equal(kinds('DHCPv6Config')[0]!['clientIdentifier'], undefined, 'the default, mac: a DUID-LL odhcpd matches by MAC');

  // IPv4 labs render none of it.
  for (const talos of [TALOS.v1alpha1, TALOS.multiDoc]) {
    const v4 = talosPatchDocs(modelOf(VARIANTS[0]!, { talosVersion: talos }));
    assert.ok(!JSON.stringify(v4).includes('DHCPv6') && !JSON.stringify(v4).includes('dhcpOptions'), talos);
  }
});
