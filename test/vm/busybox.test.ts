// links() and routes() on routers and probe pods read BusyBox `ip`. Upstream fact (busybox
// networking/ip.c usage: OPTIONS := -f[amily] inet|inet6|link | -o[neline]): there is no -d, so the
// link kind comes from sysfs DEVTYPE. Tested with the host's real busybox (every applet of the
// script resolved to busybox) in a lab namespace holding a bridge, a VXLAN device and a veth pair.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../lab/runtime/exec.ts';
import { newRunId, nsName } from '../../lab/runtime/names.ts';
import { addNamespace, destroyNamespaces, inNs, ipBatch } from '../../lab/runtime/netns.ts';
import { isRoot, which } from '../../lab/runtime/tools.ts';
import { LINKS_SCRIPT, linksArgv, parseLinkText, parseRouteText } from '../../lab/runtime/vm/busybox.ts';
import { tmp } from './support.ts';

function unavailable(): string | undefined {
  const why = !isRoot() ? 'not root' : !which('busybox') ? 'missing busybox (apt-get install busybox-static)' : undefined;
  if (why && process.env['CI']) throw new Error(`the busybox test must run in CI, but: ${why}`);
  if (why) process.stderr.write(`# busybox tests skipped: ${why}\n`);
  return why;
}

describe('BusyBox ip, for real', { skip: unavailable() }, () => {
  const ns = nsName(newRunId(), 'bbip');
  const bin = join(tmp(), 'bin');
  /**
   * A command with PATH holding only busybox applets, as on OpenWRT and in the busybox probe image,
   * with a sysfs of its own: on this project's machines `ip netns exec` has at times shown the root
   * namespace's /sys/class/net (a stale sysfs); a guest or pod always has its own.
   */
  const bb = (argv: string[]) => run(inNs(ns, ['unshare', '--mount', 'sh', '-c', 'mount -t sysfs sysfs /sys && exec "$@"', 'sh', 'env', `PATH=${bin}`, ...argv]), { timeoutMs: 10_000 });

  before(async () => {
    mkdirSync(bin, { recursive: true });
    await run([which('busybox')!, '--install', '-s', bin]);
    await addNamespace(ns);
    await ipBatch(ns, ['link set lo up', 'link add br0 type bridge', 'link set br0 up', 'link add vx0 type vxlan id 5 dstport 8472 local 127.0.0.1',
      'link add v0 mtu 1450 type veth peer name v1', 'addr add 10.9.0.1/24 dev br0', 'route add 10.8.0.0/16 via 10.9.0.2 dev br0',
      'route add 10.250.0.1/32 via 10.9.0.2 dev br0', 'route add 10.250.0.2/32 proto bird nexthop via 10.9.0.2 dev br0 nexthop via 10.9.0.3 dev br0']);
  });
  after(async () => {
    await destroyNamespaces([ns]);
  });

  it('busybox ip refuses -d (what the old links() ran)', async () => {
    const r = await bb(['ip', '-d', 'link', 'show']);
    assert.notEqual(r.code, 0);
    assert.deepEqual(parseLinkText(r.stdout), [], 'and so the old command saw no link at all');
  });

  it('ip -o link plus sysfs DEVTYPE: every link, its MTU, state and kind', async () => {
    assert.deepEqual(linksArgv(), ['sh', '-c', LINKS_SCRIPT]);
    const r = await bb(linksArgv());
    assert.equal(r.code, 0, r.stderr);
    const links = parseLinkText(r.stdout);
    const by = new Map(links.map((l) => [l.name, l]));
    assert.deepEqual(by.get('br0'), { name: 'br0', mtu: 1500, up: true, kind: 'bridge' });
    assert.deepEqual(by.get('vx0'), { name: 'vx0', mtu: 1500, up: false, kind: 'vxlan' });
    assert.deepEqual(by.get('v0'), { name: 'v0', mtu: 1450, up: false }, 'veth sets no DEVTYPE: no kind, but the link is there');
    assert.equal(by.get('lo')?.up, true);
    assert.equal(links.length, 5);
  });

  it('ip route show: host routes as /32; a multipath route without its next hops (why routers read iproute2)', async () => {
    const r = await bb(['ip', 'route', 'show']);
    assert.deepEqual(parseRouteText(r.stdout), [
      { dst: '10.8.0.0/16', gateway: '10.9.0.2', dev: 'br0' },
      { dst: '10.9.0.0/24', dev: 'br0' }, // busybox prints no "proto kernel"
      { dst: '10.250.0.1/32', gateway: '10.9.0.2', dev: 'br0' }, // printed as "10.250.0.1 via ..."
      { dst: '10.250.0.2/32' }, // BusyBox drops the nexthop lines (and proto bird)
    ]);
  });

  it('iproute2 text of the same table keeps both next hops (negative control of the line above)', async () => {
    const r = await run(inNs(ns, ['ip', 'route', 'show']), { timeoutMs: 10_000 });
    const ecmp = parseRouteText(r.stdout).find((x) => x.dst === '10.250.0.2/32');
    assert.deepEqual(ecmp, { dst: '10.250.0.2/32', protocol: 'bird', nexthops: ['10.9.0.2', '10.9.0.3'], dev: 'br0' });
  });
});

describe('BusyBox ip text (pure)', () => {
  it('multi-line output without devtype lines still yields the links', () => {
    assert.deepEqual(parseLinkText('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\n    link/loopback 00:00:00:00:00:00\n5: eth0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue\n    link/ether 0a:58:0a:f4:00:0a brd ff:ff:ff:ff:ff:ff\n'), [
      { name: 'lo', mtu: 65536, up: true }, { name: 'eth0', mtu: 1500, up: true },
    ]);
  });
  it('a devtype line names only its own device', () => {
    assert.deepEqual(parseLinkText('2: cilium_vxlan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue\\    link/ether aa\n3: eth0: <UP> mtu 1500\ndevtype cilium_vxlan vxlan\ndevtype eth0 \n'), [
      { name: 'cilium_vxlan', mtu: 1500, up: true, kind: 'vxlan' }, { name: 'eth0', mtu: 1500, up: true },
    ]);
  });
});
