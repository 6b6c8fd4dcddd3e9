// What the rendered OpenWRT UCI files say, read back through parseUci.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDhcp } from '../../lab/render/uci-dhcp.ts';
import { renderFirewall } from '../../lab/render/uci-firewall.ts';
import { renderNetwork } from '../../lab/render/uci-network.ts';
import { list, option, parseUci, type UciSection } from '../../lab/render/uci.ts';
import type { DatacentreModel, LabModel } from '../../lab/topology/model.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { loadFixture } from './support/topologies.ts';

const m = resolveTopology(referenceTopology());
const dc1 = m.datacentres[0]!;

function sections(text: string, type: string): UciSection[] {
  return parseUci(text).filter((s) => s.type === type);
}

function zoneNamed(text: string, name: string): UciSection {
  const z = sections(text, 'zone').find((s) => option(s, 'name') === name);
  assert.ok(z, `no zone ${name}`);
  return z;
}

function forwardings(text: string): string[] {
  return sections(text, 'forwarding').map((s) => `${option(s, 'src')}->${option(s, 'dest')}`);
}

test('firewall: pod traffic is forwarded peering<->lan, and lan reaches the wan', () => {
  const fw = renderFirewall(m, dc1);
  assert.deepEqual(forwardings(fw).sort(), ['lan->peering', 'lan->wan', 'peering->lan']);
});

test('firewall: only the wan masquerades, with masq_allow_invalid and mtu_fix', () => {
  const fw = renderFirewall(m, dc1);
  const wan = zoneNamed(fw, 'wan');
  assert.equal(option(wan, 'masq'), '1');
  assert.equal(option(wan, 'masq_allow_invalid'), '1');
  assert.equal(option(wan, 'mtu_fix'), '1');
  for (const z of ['lan', 'peering']) {
    assert.equal(option(zoneNamed(fw, z), 'masq'), undefined, `zone ${z} keeps pod addresses (no NAT)`);
  }
  assert.equal(option(zoneNamed(fw, 'peering'), 'input'), 'ACCEPT', 'BGP from the other routers arrives on the peering zone');
  assert.equal(option(zoneNamed(fw, 'lan'), 'input'), 'ACCEPT', 'BGP from the nodes arrives on the lan zone');
});

test('firewall: an extra zone gets its forwardings and nothing else changes', () => {
  const em = resolveTopology(loadFixture('every-key'));
  const east = renderFirewall(em, em.datacentres[0]!);
  const west = renderFirewall(em, em.datacentres[1]!);
  assert.equal(list(zoneNamed(east, 'mgmt'), 'network')[0], 'mgmt');
  assert.ok(forwardings(east).includes('mgmt->lan'));
  assert.ok(!sections(west, 'zone').some((s) => option(s, 'name') === 'mgmt'), 'the zone lives only in its own datacentre');
});

test('dhcp: dnsmasq answers pods (localservice 0), with static leases for this datacentre\'s nodes', () => {
  const dhcp = renderDhcp(m, dc1, dc1.routers[0]!);
  const [dnsmasq] = sections(dhcp, 'dnsmasq');
  assert.ok(dnsmasq);
  assert.equal(option(dnsmasq, 'localservice'), '0');
  const hosts = sections(dhcp, 'host').map((s) => [option(s, 'name'), option(s, 'ip')]);
  assert.deepEqual(hosts, [['controlplane-1', '10.0.0.10']]);
  const names = sections(dhcp, 'domain').map((s) => option(s, 'name'));
  assert.ok(names.includes('worker-1.lab'), 'names of the other datacentre resolve too');
});

test('network: lan bridge, dhcp wan, static peering with the router\'s addresses', () => {
  const check = (model: LabModel, dc: DatacentreModel, lanMask: string, peeringMask: string) => {
    const net = parseUci(renderNetwork(model, dc, dc.routers[0]!));
    const iface = (name: string) => net.find((s) => s.type === 'interface' && s.name === name)!;
    assert.equal(option(iface('lan'), 'ipaddr'), dc.routers[0]!.address);
    assert.equal(option(iface('lan'), 'netmask'), lanMask);
    assert.equal(option(iface('lan'), 'device'), 'br-lan');
    assert.equal(option(iface('wan'), 'proto'), 'dhcp');
    assert.equal(option(iface('peering'), 'ipaddr'), dc.routers[0]!.peeringAddress);
    assert.equal(option(iface('peering'), 'netmask'), peeringMask);
  };
  check(m, dc1, '255.255.255.0', '255.255.255.0');
  const em = resolveTopology(loadFixture('every-key'));
  check(em, em.datacentres[1]!, '255.255.254.0', '255.255.255.248');
});
