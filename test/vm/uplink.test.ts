// The VM lab's emulated internet and its slirp4netns uplink, for real: the wiring applyVmNetwork
// builds for the reference topology, a namespace in router-dc1's position on the WAN bridge (its
// WAN MAC, its DHCP client), and a server the test starts on the host's 127.0.0.1.
// Upstream facts (rootless-containers/slirp4netns v1.2.0, slirp4netns.1.md): 10.0.2.2 is the host's
// loopback, reachable by default, refused with --disable-host-loopback (the lab's default); the
// exit fd is polled for HUP (slirp4netns.c do_slirp).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, chmodSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadModel } from '../../lab/topology/load.ts';
import { WHOAMI_PORT, DISCARD_PORT } from '../../lab/runtime/lab.ts';
import { newRunId, nsName } from '../../lab/runtime/names.ts';
import { run } from '../../lab/runtime/exec.ts';
import { addNamespace, inNs, ipBatch, listNamespaces } from '../../lab/runtime/netns.ts';
import { destroyRun } from '../../lab/runtime/teardown.ts';
import { isRoot, missingTools, VM_TOOLS } from '../../lab/runtime/tools.ts';
import { hostAddresses, internetRuleset, startInternetServices, WAN_BRIDGE, wanMac } from '../../lab/runtime/vm/internet.ts';
import { applyVmNetwork, vmNetworkPlan } from '../../lab/runtime/vm/network.ts';
import { destroyVmRun, killRunUplink, uplinkPidsOfRun } from '../../lab/runtime/vm/teardown.ts';
import { SLIRP, startUplink, uplinkArgv, uplinkShell } from '../../lab/runtime/vm/uplink.ts';
import { rootSnapshot } from '../twin/support.ts';
import { tmp } from './support.ts';

const NEEDED = { slirp4netns: 'slirp4netns', dnsmasq: 'dnsmasq-base', nft: 'nftables', busybox: 'busybox-static', socat: 'socat', ip: 'iproute2' };

function unavailable(): string | undefined {
  const missing = missingTools(NEEDED).commands;
  const why = !isRoot() ? 'not root' : missing.length > 0 ? `missing ${missing.join(', ')} (run: node bin/lab.mjs doctor --install --vm)` : undefined;
  if (why && process.env['CI']) throw new Error(`the uplink test must run in CI, but: ${why}`);
  if (why) process.stderr.write(`# uplink tests skipped: ${why}\n`);
  return why ? `uplink tests skipped: ${why}` : undefined;
}

/** The root namespace as the safety rule names it: links, routes, rules, nftables and the forwarding sysctls. */
function rootState(): string {
  const sysctls = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter', 'net.ipv6.conf.all.disable_ipv6'];
  return `${rootSnapshot()}\n---\n${spawnSync('sysctl', sysctls, { encoding: 'utf8' }).stdout}`;
}

/** Async: the HTTP servers live in this process, so its event loop must keep turning. */
function inNsRun(ns: string, argv: string[], timeoutMs = 15_000, input?: string) {
  return run(inNs(ns, argv), { timeoutMs, ...(input === undefined ? {} : { input }) });
}

/** HTTP GET with socat (busybox-static's wget crashes under `ip netns exec` here); the body, or '' . */
async function httpGet(ns: string, host: string, port: number, timeoutS: number) {
  const r = await inNsRun(ns, ['socat', `-T${timeoutS}`, '-', `TCP:${host}:${port},connect-timeout=${timeoutS}`], (timeoutS + 5) * 1000, `GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
  const body = r.code === 0 && /^HTTP\/1\.[01] 200/.test(r.stdout) ? r.stdout.slice(r.stdout.indexOf('\r\n\r\n') + 4) : '';
  return { code: r.code, body, stderr: r.stderr };
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

const skip = unavailable();

describe('the VM lab\'s emulated internet and its slirp4netns uplink', { skip }, () => {
  const runId = newRunId();
  const model = loadModel(undefined, 'reference', {});
  const plan = vmNetworkPlan(model, runId);
  const dc = model.datacentres[0]!;
  const routerNs = nsName(runId, 'wanprobe');
  const dir = tmp();
  const token = `nrl-uplink-${runId}`;
  const seen: string[] = [];
  let server: Server;
  let port = 0;
  let rootBefore = '';

  const fetch = (timeoutS = 5) => httpGet(routerNs, SLIRP.host, port, timeoutS);

  before(async () => {
    rootBefore = rootState();
    server = createServer((req, res) => {
      seen.push(req.socket.remoteAddress ?? '?');
      res.end(token);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    // The test opens the host's loopback; the lab never does (uplinkArgv's default).
    await applyVmNetwork(plan, { logDir: dir, hostLoopback: true });
    startInternetServices(plan.internet, { logDir: dir, runDir: dir }, { whoamiPort: WHOAMI_PORT, discardPort: DISCARD_PORT });
    // router-dc1's WAN port: its MAC, on the wan bridge, like its QEMU tap.
    await addNamespace(routerNs);
    await ipBatch(routerNs, ['link set lo up', `link add eth1 address ${wanMac(dc.index)} type veth peer name rw0 netns ${plan.vmNs}`]);
    await ipBatch(plan.vmNs, [`link set rw0 master ${WAN_BRIDGE}`, 'link set rw0 up']);
    await ipBatch(routerNs, ['link set eth1 up']);
  });

  after(async () => {
    await destroyVmRun(runId);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('the uplink is attached inside the internet namespace only, and the host\'s namespace mounts survive it', () => {
    assert.match(spawnSync('ip', ['-n', plan.internet.ns, 'addr', 'show', 'tap0'], { encoding: 'utf8' }).stdout, /inet 10\.0\.2\.100\/24/);
    assert.equal(spawnSync('ip', ['link', 'show', 'tap0'], { encoding: 'utf8' }).status !== 0, true, 'no tap0 in the root namespace');
    // slirp4netns --enable-sandbox once unmounted every /run/netns mount of the host (uplink.ts).
    assert.ok(!uplinkArgv(plan.internet.ns).includes('--enable-sandbox'));
    for (const ns of [plan.vmNs, plan.ctlNs, plan.internet.ns]) {
      assert.match(spawnSync('findmnt', ['-n', '-o', 'FSTYPE', `/run/netns/${ns}`], { encoding: 'utf8' }).stdout, /nsfs/, `${ns} is still mounted`);
    }
    assert.equal(uplinkPidsOfRun(runId).length, 1, 'one slirp4netns, found by its command line');
  });

  it('DHCP on the WAN: router-dc1\'s MAC gets its WAN address, the internet\'s gateway and DNS', async () => {
    const script = join(dir, 'udhcpc.sh');
    const out = join(dir, 'lease');
    writeFileSync(script, `#!/bin/sh\nif [ "$1" = bound ]; then ip addr add "$ip/$mask" dev "$interface"; ip route add default via "$router"; echo "$ip $router $dns" > ${out}; fi\nexit 0\n`);
    chmodSync(script, 0o755);
    const r = await inNsRun(routerNs, ['busybox', 'udhcpc', '-i', 'eth1', '-n', '-q', '-f', '-t', '5', '-T', '1', '-s', script], 20_000);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(out, 'utf8').trim().split(' '), [dc.routers[0]!.wanAddress, model.internet.gateway, model.internet.gateway]);
  });

  it('from the router\'s position, HTTP to the host\'s 127.0.0.1 through the uplink (10.0.2.2)', async () => {
    const r = await fetch();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.body, token);
    assert.equal(seen.at(-1), '127.0.0.1', 'slirp connects from the host\'s own loopback');
  });

  it('the internet echo host answers with the router\'s WAN address (assertion 7\'s path)', async () => {
    const r = await inNsRun(routerNs, ['busybox', 'nc', '-w', '3', model.internet.server, String(WHOAMI_PORT)]);
    assert.equal(r.stdout.trim(), dc.routers[0]!.wanAddress);
  });

  it('the lab cannot reach the host\'s own addresses through the uplink; the same request from the internet namespace can', async (t) => {
    const [hostIp] = await hostAddresses();
    if (!hostIp) return t.skip('this host has no global IPv4 address');
    const probe = createServer((_, res) => res.end('host'));
    await new Promise<void>((r) => probe.listen(0, hostIp, () => r()));
    try {
      const p = (probe.address() as AddressInfo).port;
      const blocked = await httpGet(routerNs, hostIp, p, 3);
      assert.equal(blocked.body, '', 'forwarded lab traffic to the host\'s address is dropped');
      const counters = spawnSync('ip', ['netns', 'exec', plan.internet.ns, 'nft', 'list', 'chain', 'ip', 'nrl_uplink', 'forward'], { encoding: 'utf8' }).stdout;
      assert.match(counters, new RegExp(`${hostIp.replace(/\./g, '\\.')}[^\\n]*counter packets [1-9]`), 'and it was the filter that dropped it');
      const direct = await httpGet(plan.internet.ns, hostIp, p, 3);
      assert.equal(direct.body, 'host', 'negative control: the uplink itself reaches that address');
    } finally {
      await new Promise<void>((r) => probe.close(() => r()));
    }
  });

  it('with the lab\'s own setting (--disable-host-loopback) the host\'s loopback is refused', async () => {
    await killRunUplink(runId);
    assert.equal(await waitFor(() => spawnSync('ip', ['-n', plan.internet.ns, 'link', 'show', 'tap0']).status !== 0, 5000), true, 'the old tap is gone with its slirp4netns');
    startUplink(plan.internet.ns, join(dir, 'uplink-default.log'));
    assert.equal(await waitFor(() => /via 10\.0\.2\.2 dev tap0/.test(spawnSync('ip', ['-n', plan.internet.ns, 'route', 'show', 'default'], { encoding: 'utf8' }).stdout), 10_000), true);
    assert.ok(uplinkShell(plan.internet.ns).includes('--disable-host-loopback'));
    const before = seen.length;
    const r = await fetch(3);
    assert.equal(r.body, '');
    assert.equal(seen.length, before, 'the server saw nothing');
  });

  it('the uplink dies with the run\'s namespaces (the path `lab down --all` takes), and the root namespace is unchanged', async () => {
    assert.equal(uplinkPidsOfRun(runId).length, 1);
    // destroyRun knows nothing of slirp4netns: it ends the namespaces' processes, which closes the exit fd.
    assert.deepEqual(await destroyRun(runId), []);
    assert.equal(await waitFor(() => uplinkPidsOfRun(runId).length === 0, 5000), true, 'slirp4netns exited');
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(`nrl-${runId}-`)), []);
    assert.equal(existsSync(`/run/netns/${plan.internet.ns}`), false);
    assert.equal(rootState(), rootBefore);
  });
});

describe('the internet\'s filter and tools (pure)', () => {
  it('`lab doctor --install --vm` and the VM preflight know every tool of the emulated internet', () => {
    for (const [cmd, pkg] of Object.entries({ slirp4netns: 'slirp4netns', dnsmasq: 'dnsmasq-base', nft: 'nftables', socat: 'socat' })) assert.equal(VM_TOOLS[cmd], pkg, cmd);
  });
  it('drops private ranges and the host\'s addresses out of the uplink; opens 10.0.2.2 only when asked', () => {
    const lab = internetRuleset(['192.0.2.7'], false);
    assert.match(lab, /oifname "tap0" ip daddr \{ 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, 100\.64\.0\.0\/10, 169\.254\.0\.0\/16, 127\.0\.0\.0\/8, 192\.0\.2\.7 \} counter drop/);
    assert.match(lab, /oifname "tap0" masquerade/);
    assert.doesNotMatch(lab, /10\.0\.2\.2 accept/);
    assert.match(internetRuleset([], true), /oifname "tap0" ip daddr 10\.0\.2\.2 accept/);
  });
});
