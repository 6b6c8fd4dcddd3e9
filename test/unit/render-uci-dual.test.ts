// A dual-stack router's OpenWRT UCI files, read back through parseUci: IPv6 addresses on the static
// interfaces, OpenWRT's wan6, the wan6 network in the wan zone without IPv6 masquerading, and an AAAA
// name beside every A name; the twin's dnsmasq flags for them, answered by dnsmasq itself where installed.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { renderDhcp } from '../../lab/render/uci-dhcp.ts';
import { renderFirewall } from '../../lab/render/uci-firewall.ts';
import { renderNetwork } from '../../lab/render/uci-network.ts';
import { list, option, parseUci, type UciSection } from '../../lab/render/uci.ts';
import { dnsmasqArgs } from '../../lab/runtime/twin/dnsmasq.ts';
import type { LabModel } from '../../lab/topology/model.ts';
import { referenceTopology } from '../../lab/topology/reference.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { dualStack, loadFixture, VARIANTS, modelOf } from './support/topologies.ts';

const m = resolveTopology(dualStack(referenceTopology()));

function sections(text: string, type: string): UciSection[] {
  return parseUci(text).filter((s) => s.type === type);
}

function iface(text: string, name: string): UciSection {
  const s = parseUci(text).find((x) => x.type === 'interface' && x.name === name);
  assert.ok(s, `no interface ${name}`);
  return s;
}

function names(text: string): [string, string][] {
  return sections(text, 'domain').map((s) => [option(s, 'name')!, option(s, 'ip')!]);
}

test('network: lan and peering carry their IPv6 address with its prefix length; wan6 is a DHCPv6 client on the WAN port', () => {
  for (const dc of m.datacentres) {
    const net = renderNetwork(m, dc, dc.routers[0]!);
    assert.deepEqual(list(iface(net, 'lan'), 'ip6addr'), [`${dc.routers[0]!.address6}/64`]);
    assert.deepEqual(list(iface(net, 'peering'), 'ip6addr'), [`${dc.routers[0]!.peeringAddress6}/64`]);
    assert.equal(option(iface(net, 'lan'), 'ipaddr'), dc.routers[0]!.address, 'the IPv4 address stays');
    const wan6 = iface(net, 'wan6');
    assert.equal(option(wan6, 'proto'), 'dhcpv6');
    assert.equal(option(wan6, 'device'), option(iface(net, 'wan'), 'device'));
  }
  assert.deepEqual(list(iface(renderNetwork(m, m.datacentres[1]!, m.datacentres[1]!.routers[0]!), 'lan'), 'ip6addr'), ['2001:db8:10:1::1/64']);
  // Prefix lengths come from the networks: every-key's peering /29 has a /64 IPv6 twin by default.
  const ek = resolveTopology(dualStack(loadFixture('every-key')));
  assert.deepEqual(list(iface(renderNetwork(ek, ek.datacentres[0]!, ek.datacentres[0]!.routers[0]!), 'peering'), 'ip6addr'), ['2001:db8:172:16::6/64']);
  assert.deepEqual(list(iface(renderNetwork(ek, ek.datacentres[0]!, ek.datacentres[0]!.routers[0]!), 'lan'), 'ip6addr'), ['2001:db8:10::253/64']);
});

test('firewall: wan6 joins the wan zone; no zone masquerades IPv6', () => {
  const fw = renderFirewall(m, m.datacentres[0]!);
  const zone = (name: string) => sections(fw, 'zone').find((z) => option(z, 'name') === name)!;
  assert.deepEqual(list(zone('wan'), 'network'), ['wan', 'wan6']);
  assert.equal(option(zone('wan'), 'masq'), '1', 'IPv4 is still masqueraded at the edge');
  for (const z of sections(fw, 'zone')) assert.equal(option(z, 'masq6'), undefined, `zone ${option(z, 'name')}`);
  assert.deepEqual(list(zone('peering'), 'network'), ['peering']);
});

/** Every machine with an IPv6 address: routers, nodes, LAN hosts, the internet server. */
function machines6(model: LabModel): [string, string, string][] {
  return [
    ...model.datacentres.map((d) => [`${d.routers[0]!.name}.lab`, d.routers[0]!.address, d.routers[0]!.address6!] as [string, string, string]),
    ...model.datacentres.flatMap((d) => d.nodes.map((n) => [`${n.name}.lab`, n.address, n.address6!] as [string, string, string])),
    ...model.datacentres.map((d) => [`${d.lanHost.name}.lab`, d.lanHost.address, d.lanHost.address6!] as [string, string, string]),
    ['internet-server.lab', model.internet.server, model.internet.server6!],
  ];
}

test('dhcp: an AAAA name (a domain section with the IPv6 address) beside every A name', () => {
  const dhcp = renderDhcp(m, m.datacentres[0]!, m.datacentres[0]!.routers[0]!);
  const expected = machines6(m).flatMap(([name, v4, v6]) => [[name, v4], [name, v6]]);
  assert.deepEqual(names(dhcp), expected);
  assert.ok(expected.some(([n, a]) => n === 'worker-1.lab' && a === '2001:db8:10:1::10'), 'the other datacentre\'s node too');
  assert.ok(expected.some(([n, a]) => n === 'internet-server.lab' && a === '2001:db8:198:51::10'));
  assert.deepEqual(sections(dhcp, 'host').map((s) => option(s, 'ip')), ['10.0.0.10'], 'static DHCP leases stay IPv4');
});

test('the twin\'s dnsmasq flags: one --host-record per domain section, the AAAA ones included', () => {
  const args = dnsmasqArgs(renderDhcp(m, m.datacentres[0]!, m.datacentres[0]!.routers[0]!), m.datacentres[0]!.lan, { pidFile: '/p', leaseFile: '/l' });
  const records = args.filter((a) => a.startsWith('--host-record=')).map((a) => a.slice('--host-record='.length));
  assert.deepEqual(records, machines6(m).flatMap(([name, v4, v6]) => [`${name},${v4}`, `${name},${v6}`]));
});

test('negative control: an IPv4 lab renders no IPv6 address, no wan6 and no AAAA name', () => {
  for (const v of VARIANTS) {
    const model = modelOf(v);
    for (const dc of model.datacentres) {
      for (const text of [renderNetwork(model, dc, dc.routers[0]!), renderFirewall(model, dc), renderDhcp(model, dc, dc.routers[0]!)]) {
        assert.doesNotMatch(text, /ip6addr|wan6|dhcpv6|masq6|2001:db8/, `${v.name} ${dc.name}`);
      }
      assert.ok(names(renderDhcp(model, dc, dc.routers[0]!)).every(([, a]) => !a.includes(':')));
    }
  }
});

function dnsmasqOrSkip(t: TestContext): string | undefined {
  const found = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq', '/sbin/dnsmasq'].find((p) => existsSync(p))
    ?? (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'dnsmasq')).find((p) => existsSync(p));
  if (found) return found;
  const message = 'dnsmasq not installed: the AAAA names were NOT queried from dnsmasq itself (apt-get install dnsmasq-base)';
  t.diagnostic(message);
  t.skip(message);
  return undefined;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('dnsmasq itself answers A and AAAA for one name from the twin\'s two host records', async (t) => {
  const bin = dnsmasqOrSkip(t);
  if (!bin) return;
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const args = dnsmasqArgs(renderDhcp(m, m.datacentres[0]!, m.datacentres[0]!.routers[0]!), m.datacentres[0]!.lan, { pidFile: '/p', leaseFile: '/l' });
  // DNS only, on loopback: the host records from the translation, none of its DHCP flags. dnsmasq
  // takes the port over TCP too, which another process may hold: then again on another port.
  let port = 0;
  let stderr = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freeUdpPort();
    stderr = '';
    const child = spawn(bin, ['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
      '--listen-address=127.0.0.1', `--port=${port}`, '--log-facility=-', ...args.filter((a) => a.startsWith('--host-record='))], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    t.after(() => { child.kill(); });
    const exited = await new Promise<boolean>((res) => { child.once('exit', () => res(true)); setTimeout(() => res(false), 300); });
    if (!(exited && /Address already in use/.test(stderr))) break;
  }
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  let answers: [string[], string[]] | undefined;
  for (let i = 0; i < 50 && !answers; i++) {
    try {
      answers = [await r.resolve4('worker-1.lab'), await r.resolve6('worker-1.lab')];
    } catch {
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  assert.ok(answers, `dnsmasq (${version}) did not answer on 127.0.0.1:${port}: ${stderr}`);
  assert.deepEqual(answers, [['10.0.1.10'], ['2001:db8:10:1::10']], version);
  t.diagnostic(`${version}: worker-1.lab A ${answers[0].join()} AAAA ${answers[1].join()}`);
});
