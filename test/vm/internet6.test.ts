// The VM lab's emulated internet in a dual-stack lab, for real: the wiring applyVmNetwork builds for
// examples/dual-stack.yaml, a namespace in router-dc2's place on the WAN bridge running a DHCPv6
// client as OpenWRT's wan6 does (odhcp6c there, dhcpcd here), the LAN hosts' IPv6 side. What the
// routers' OpenWRT does with it cannot run here; what it is offered can.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadModel } from '../../lab/topology/load.ts';
import { WHOAMI_PORT, DISCARD_PORT, parseWhoAmI } from '../../lab/runtime/lab.ts';
import { newRunId, nsName } from '../../lab/runtime/names.ts';
import { run } from '../../lab/runtime/exec.ts';
import { addNamespace, inNs, ipBatch } from '../../lab/runtime/netns.ts';
import { isRoot, missingTools } from '../../lab/runtime/tools.ts';
import { internetDnsmasqArgv, startInternetServices, WAN_BRIDGE, wanMac } from '../../lab/runtime/vm/internet.ts';
import { applyVmNetwork, hostBatch, vmNetworkPlan } from '../../lab/runtime/vm/network.ts';
import { destroyVmRun } from '../../lab/runtime/vm/teardown.ts';
import { rootSnapshot } from '../twin/support.ts';
import { tmp } from './support.ts';
import { repoRoot } from '../unit/support/paths.ts';

const NEEDED = { slirp4netns: 'slirp4netns', dnsmasq: 'dnsmasq-base', nft: 'nftables', socat: 'socat', ip: 'iproute2', dhcpcd: 'dhcpcd-base' };

function unavailable(): string | undefined {
  const missing = missingTools(NEEDED).commands;
  const why = !isRoot() ? 'not root' : missing.length > 0 ? `missing ${missing.join(', ')} (run: node bin/lab.mjs doctor --install --vm)` : undefined;
  if (why && process.env['CI']) throw new Error(`the dual-stack internet test must run in CI, but: ${why}`);
  if (why) process.stderr.write(`# dual-stack internet tests skipped: ${why}\n`);
  return why ? `dual-stack internet tests skipped: ${why}` : undefined;
}

const DUAL = join(repoRoot, 'examples', 'dual-stack.yaml');
const model = loadModel(readFileSync(DUAL, 'utf8'), DUAL);
const skip = unavailable();

describe('the VM lab\'s emulated internet, dual-stack', { skip }, () => {
  const runId = newRunId();
  const plan = vmNetworkPlan(model, runId);
  const dc = model.datacentres[1]!;
  const routerNs = nsName(runId, 'wan6probe');
  const dir = tmp();
  let rootBefore = '';

  before(async () => {
    rootBefore = rootSnapshot();
    await applyVmNetwork(plan, { logDir: dir });
    startInternetServices(plan.internet, { logDir: dir, runDir: dir }, { whoamiPort: WHOAMI_PORT, discardPort: DISCARD_PORT });
    await addNamespace(routerNs);
    await ipBatch(routerNs, ['link set lo up', `link add eth1 address ${wanMac(dc.index)} type veth peer name rw6 netns ${plan.vmNs}`]);
    await ipBatch(plan.vmNs, [`link set rw6 master ${WAN_BRIDGE}`, 'link set rw6 up']);
    await ipBatch(routerNs, ['link set eth1 up']);
  });

  after(async () => {
    await destroyVmRun(runId);
  });

  it('wan6: the router\'s MAC gets its IPv6 WAN address over DHCPv6, and its default route from the internet\'s router advertisements', async () => {
    // accept_ra 2: take advertisements even where forwarding is on, as odhcp6c does for its interface.
    await run(inNs(routerNs, ['sysctl', '-q', '-w', 'net.ipv6.conf.eth1.accept_ra=2']));
    const r = await run(inNs(routerNs, ['dhcpcd', '-6', '-B', '-1', '-t', '20', '-f', '/dev/null', '--nohook', 'resolv.conf', 'eth1']), { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const addrs = spawnSync('ip', ['-n', routerNs, '-6', 'addr', 'show', 'dev', 'eth1', 'scope', 'global'], { encoding: 'utf8' }).stdout;
    assert.match(addrs, new RegExp(`inet6 ${dc.routers[0]!.wanAddress6!.replace(/:/g, ':')}/128`));
    assert.match(spawnSync('ip', ['-n', routerNs, '-6', 'route', 'show', 'default'], { encoding: 'utf8' }).stdout, /default via fe80::\S+ dev eth1 proto ra/);
  });

  it('the internet\'s echo host answers over IPv6 with the router\'s own WAN address: nothing translates IPv6 on the way', async () => {
    const r = await run(inNs(routerNs, ['socat', '-T', '3', '-', `TCP6:[${model.internet.server6!}]:${WHOAMI_PORT},connect-timeout=3`]), { timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseWhoAmI(r.stdout)?.seenSource, dc.routers[0]!.wanAddress6, r.stdout);
  });

  it('the internet routes the lab\'s IPv6 prefixes to each router\'s WAN, as an upstream routes an allocation', () => {
    const routes = spawnSync('ip', ['-n', plan.internet.ns, '-6', 'route', 'show'], { encoding: 'utf8' }).stdout;
    for (const d of model.datacentres) {
      assert.match(routes, new RegExp(`${d.lan6!.replace(/[.:/]/g, (c) => `\\${c}`)} via ${d.routers[0]!.wanAddress6!}`));
      for (const n of d.nodes) assert.match(routes, new RegExp(`${n.podCIDR6!.replace(/[.:/]/g, (c) => `\\${c}`)} via ${d.routers[0]!.wanAddress6!}`));
    }
    assert.doesNotMatch(routes, /^default/m, 'no IPv6 way out: the uplink is IPv4 only');
  });

  it('LAN hosts carry their IPv6 address and a default route to their router', () => {
    for (const d of model.datacentres) {
      const ns = nsName(runId, d.lanHost.name);
      assert.match(spawnSync('ip', ['-n', ns, '-6', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout, new RegExp(`inet6 ${d.lanHost.address6!}/64`));
      assert.match(spawnSync('ip', ['-n', ns, '-6', 'route', 'show', 'default'], { encoding: 'utf8' }).stdout, new RegExp(`default via ${d.routers[0]!.address6!}`));
    }
  });

  it('the root namespace is as it was', async () => {
    await destroyVmRun(runId);
    assert.equal(rootSnapshot(), rootBefore);
  });
});

describe('the dual-stack internet, pure', () => {
  it('dnsmasq: one line per router with both addresses, a static IPv6 range and router advertisements; none of it in an IPv4 lab', () => {
    const plan = vmNetworkPlan(model, 'abc123');
    const argv = internetDnsmasqArgv(plan.internet, { pidFile: '/p', leaseFile: '/l' });
    assert.ok(argv.includes(`--dhcp-host=${wanMac(1)},${model.datacentres[1]!.routers[0]!.wanAddress},[${model.datacentres[1]!.routers[0]!.wanAddress6}],router-dc2`), argv.join(' '));
    assert.ok(argv.includes('--dhcp-range=2001:db8:203:113::,static,64,1h'));
    assert.ok(argv.includes('--enable-ra'));
    const v4 = vmNetworkPlan(loadModel(undefined, 'reference'), 'abc123');
    assert.ok(!internetDnsmasqArgv(v4.internet, { pidFile: '/p', leaseFile: '/l' }).some((a) => a.includes('2001:') || a === '--enable-ra'));
    assert.deepEqual(hostBatch(v4.hosts[0]!), ['addr add 10.0.0.254/24 dev eth0', 'link set eth0 up', 'route add default via 10.0.0.1']);
  });
});
