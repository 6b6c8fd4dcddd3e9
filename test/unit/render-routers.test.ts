// Several routers per datacentre: addresses, every render that changes, keepalived's own parser on
// the rendered keepalived.conf, and the Cilium peers of every router.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import { ciliumBgpDocs } from '../../lab/render/cilium-bgp.ts';
import { masterDownMs } from '../../lab/render/keepalived.ts';
import { parseUci } from '../../lab/render/uci.ts';
import { allRouters } from '../../lab/topology/model.ts';
import { resolveTopology } from '../../lab/topology/resolve.ts';
import { loadFixture, twoRouters, withReflection, withRouters } from './support/topologies.ts';

test('two routers: the LAN\'s first host is the VRRP gateway, the routers take the next, peering and WAN hosts run on', () => {
  const m = resolveTopology(twoRouters());
  assert.deepEqual(m.datacentres.map((d) => [d.gateway, d.vrrp?.routerId, ...d.routers.map((r) => [r.name, r.key, r.address, r.peeringAddress, r.wanAddress])]), [
    ['10.0.0.1', 51, ['router-dc1-1', 'dc1-1', '10.0.0.2', '172.16.0.1', '203.0.113.10'], ['router-dc1-2', 'dc1-2', '10.0.0.3', '172.16.0.2', '203.0.113.11']],
    ['10.0.1.1', 52, ['router-dc2-1', 'dc2-1', '10.0.1.2', '172.16.0.3', '203.0.113.12'], ['router-dc2-2', 'dc2-2', '10.0.1.3', '172.16.0.4', '203.0.113.13']],
  ]);
  // Negative control: one router keeps the reference's names and addresses, no VRRP.
  const one = resolveTopology(withRouters(twoRouters(), 1));
  assert.deepEqual(one.datacentres.map((d) => [d.gateway, d.vrrp, d.routers.map((r) => [r.name, r.key, r.address])]), [
    ['10.0.0.1', undefined, [['router-dc1', 'dc1', '10.0.0.1']]], ['10.0.1.1', undefined, [['router-dc2', 'dc2', '10.0.1.1']]],
  ]);
});

test('two routers: every node peers with both routers of its datacentre, in both BGP APIs', () => {
  const m = resolveTopology(twoRouters());
  const v2 = ciliumBgpDocs(m) as { kind: string; metadata: { name: string }; spec: { bgpInstances?: { peers: { name: string; peerAddress: string }[] }[] } }[];
  assert.deepEqual(v2.filter((d) => d.kind === 'CiliumBGPClusterConfig').map((d) => [d.metadata.name, d.spec.bgpInstances![0]!.peers.map((p) => `${p.name}=${p.peerAddress}`)]), [
    ['dc1', ['router-dc1-1=10.0.0.2', 'router-dc1-2=10.0.0.3']], ['dc2', ['router-dc2-1=10.0.1.2', 'router-dc2-2=10.0.1.3']],
  ]);
  const policy = ciliumBgpDocs(resolveTopology(twoRouters(), { ciliumVersion: '1.15.19' })) as { spec: { virtualRouters: { neighbors: { peerAddress: string }[] }[] } }[];
  assert.deepEqual(policy.map((d) => d.spec.virtualRouters[0]!.neighbors.map((n) => n.peerAddress)), [['10.0.0.2/32', '10.0.0.3/32'], ['10.0.1.2/32', '10.0.1.3/32']]);
});

test('two routers: each router\'s bird.conf has a session to every node of its LAN and to every other router, and merges equal-cost paths', () => {
  const m = resolveTopology(twoRouters());
  const files = renderAll(m);
  for (const r of allRouters(m)) {
    const conf = files.get(routerPath(r.key, 'bird.conf'))!;
    assert.match(conf, new RegExp(`router id ${r.address.replace(/\./g, '\\.')};`));
    assert.match(conf, /protocol kernel \{\n\tscan time 20;\n\tmerge paths on;/);
    const ibgp = [...conf.matchAll(/^protocol bgp (router_\S+) \{/gm)].map((x) => x[1]);
    assert.deepEqual(ibgp, allRouters(m).filter((x) => x !== r).map((x) => `router_${x.key.replace('-', '_')}`));
    assert.match(conf, new RegExp(`local ${r.address.replace(/\./g, '\\.')} as 65000;`));
  }
  // Negative control: one router per datacentre and no pool merges nothing.
  const one = resolveTopology(withRouters(twoRouters(), 1));
  delete (one as { loadBalancer?: unknown }).loadBalancer;
  one.services = [];
  assert.doesNotMatch(renderAll(one).get(routerPath('dc1', 'bird.conf'))!, /merge paths/);
});

test('with reflection and several routers, add-path: tx on the reflector, rx on its clients', () => {
  const m = resolveTopology(withRouters(withReflection(loadFixture('three-dc')), 2));
  const files = renderAll(m);
  const reflector = files.get(routerPath('dc1-1', 'bird.conf'))!;
  const client = files.get(routerPath('dc2-1', 'bird.conf'))!;
  assert.equal(reflector.match(/add paths tx;/g)?.length, allRouters(m).length - 1);
  assert.equal(client.match(/add paths rx;/g)?.length, 1);
  // Negative control: reflection with one router per datacentre needs no add-path.
  assert.doesNotMatch(renderAll(resolveTopology(withReflection(loadFixture('three-dc')))).get(routerPath('dc1', 'bird.conf'))!, /add paths/);
});

test('two routers: DHCP hands out the VRRP gateway, the second router leases only the nodes\' static addresses', () => {
  const m = resolveTopology(twoRouters());
  const files = renderAll(m);
  const lan = (key: string) => parseUci(files.get(routerPath(key, 'dhcp'))!).find((s) => s.type === 'dhcp' && s.name === 'lan')!;
  const opt = (s: ReturnType<typeof lan>, k: string) => s.options.find(([name]) => name === k)?.[1];
  assert.deepEqual(opt(lan('dc1-1'), 'dhcp_option'), ['3,10.0.0.1', '6,10.0.0.1']);
  assert.equal(opt(lan('dc1-1'), 'dynamicdhcp'), undefined);
  assert.equal(opt(lan('dc1-2'), 'dynamicdhcp'), '0');
  assert.equal(opt(lan('dc1-2'), 'dhcp_option') !== undefined, true);
});

test('keepalived 2.2.7 accepts every rendered keepalived.conf (keepalived -t, in a namespace of its own with a br-lan)', (t) => {
  const which = spawnSync('sh', ['-c', 'command -v keepalived && command -v unshare'], { encoding: 'utf8' });
  if (which.status !== 0) {
    if (process.env['CI'] === 'true') assert.fail('keepalived is not installed in CI');
    t.skip('keepalived is not installed: `node bin/lab.mjs doctor --install`');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-keepalived-'));
  try {
    const check = (text: string) => {
      const file = path.join(dir, 'keepalived.conf');
      writeFileSync(file, text);
      // -t checks the configuration and exits; the interface must exist, so a throwaway namespace has one.
      return spawnSync('unshare', ['-n', 'sh', '-c', `ip link add br-lan type bridge && keepalived -t -f ${file}`], { encoding: 'utf8' });
    };
    const m = resolveTopology(twoRouters());
    const files = renderAll(m);
    for (const r of allRouters(m)) {
      const res = check(files.get(routerPath(r.key, 'keepalived.conf'))!);
      assert.equal(res.status, 0, `${r.name}: keepalived -t exited ${res.status}: ${res.stderr}`);
      assert.equal(res.stderr.trim(), '', res.stderr);
    }
    // Negative control: an out-of-range router id is refused.
    const bad = check(files.get(routerPath('dc1-1', 'keepalived.conf'))!.replace('virtual_router_id 51', 'virtual_router_id 300'));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /outside range/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the VRRP master-down interval: three advertisements plus the highest backup\'s skew', () => {
  const m = resolveTopology(twoRouters());
  // priority 190: (256 - 190) / 256 = 0.258 s of skew at advert_int 1.
  assert.equal(masterDownMs(m.datacentres[0]!), 3258);
  const slow = twoRouters();
  slow.routers.vrrp = { advertInterval: 2 };
  assert.equal(masterDownMs(resolveTopology(slow).datacentres[0]!), 6516);
  assert.equal(masterDownMs(resolveTopology(withRouters(twoRouters(), 1)).datacentres[0]!), 0);
});

test('graceful restart with two routers: BIRD full GR, never long-lived (its hold timer\'s expiry must drop a dead router\'s paths)', () => {
  // BIRD treats a hold timer's expiry as the peer's restart only when long-lived graceful restart is
  // negotiated (bgp_hold_timeout, proto/bgp/bgp.c, v2.0.12 to v2.19.2); it defaults to "aware", not
  // "able", so the routers drop a dead router's paths at the hold time and the other router carries on.
  const t = twoRouters();
  t.bgp = { ...t.bgp, gracefulRestart: { enabled: true, restartTime: 120 } };
  const files = renderAll(resolveTopology(t));
  for (const r of ['dc1-1', 'dc1-2', 'dc2-1', 'dc2-2']) {
    const conf = files.get(routerPath(r, 'bird.conf'))!;
    assert.match(conf, /graceful restart on;\n\s*graceful restart time 120;/, r);
    assert.doesNotMatch(conf, /long lived/, r);
  }
  // Negative control: without it, no graceful restart line at all.
  assert.doesNotMatch(renderAll(resolveTopology(twoRouters())).get(routerPath('dc1-1', 'bird.conf'))!, /graceful restart/);
});
