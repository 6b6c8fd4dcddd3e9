// Rootfs injection for real: an ext4 image made by mkfs.ext4, the rendered router files written with
// `debugfs -w` (no mount), read back with debugfs; and the uci-defaults script per release line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import { loadModel } from '../../lab/topology/load.ts';
import { debugfsScript, injectFiles, installLoop, openwrtPackages, readBack, routerFiles, STAGED_BIRD_CONF, uciDefaultsScript } from '../../lab/runtime/vm/rootfs.ts';
import { routerRestartCommand } from '../../lab/runtime/vm/vm-lab.ts';
import { tmp, vmUnavailable } from './support.ts';

describe('rootfs injection (mkfs.ext4 + debugfs)', { skip: vmUnavailable('debugfs') }, () => {
  it('writes the rendered UCI files, bird.conf and the uci-defaults script into the image', async () => {
    const dir = tmp();
    const img = join(dir, 'rootfs.ext4');
    const mk = spawnSync('mkfs.ext4', ['-q', '-F', img, '16M'], { encoding: 'utf8' });
    assert.equal(mk.status, 0, mk.stderr);
    spawnSync('debugfs', ['-w', '-R', 'mkdir /etc', img]);
    spawnSync('debugfs', ['-w', '-R', 'mkdir /etc/config', img]);
    writeFileSync(join(dir, 'old'), 'config interface lan\n');
    spawnSync('debugfs', ['-w', '-R', `write ${join(dir, 'old')} /etc/config/network`, img]);
    const model = loadModel(undefined, 'reference', {});
    const files = renderAll(model);
    const w = (n: string, t: string) => { writeFileSync(join(dir, n), t); return join(dir, n); };
    const dc = model.datacentres[0]!.name;
    const inject = routerFiles({
      network: w('network', files.get(routerPath(dc, 'network'))!), firewall: w('firewall', files.get(routerPath(dc, 'firewall'))!),
      dhcp: w('dhcp', files.get(routerPath(dc, 'dhcp'))!), bird: w('bird.conf', files.get(routerPath(dc, 'bird.conf'))!),
      uciDefaults: w('uci', uciDefaultsScript(model.versions.openwrt)), authorizedKey: w('key', 'ssh-ed25519 AAAA test\n'),
    });
    await injectFiles(img, inject, dir);
    assert.equal(await readBack(img, '/etc/config/network'), files.get(routerPath(dc, 'network')), 'the existing file was replaced');
    assert.equal(await readBack(img, '/etc/config/firewall'), files.get(routerPath(dc, 'firewall')));
    assert.equal(await readBack(img, STAGED_BIRD_CONF), files.get(routerPath(dc, 'bird.conf')));
    assert.match(await readBack(img, '/etc/uci-defaults/90-nrl-bird'), /apk add bird2 bird2c ip-full >>/);
    const stat = spawnSync('debugfs', ['-R', 'stat /etc/uci-defaults/90-nrl-bird', img], { encoding: 'utf8' }).stdout;
    assert.match(stat, /Mode:\s+0755/);
    assert.match(spawnSync('debugfs', ['-R', 'stat /etc/dropbear/authorized_keys', img], { encoding: 'utf8' }).stdout, /Mode:\s+0600/);
    const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
    assert.equal(fsck.status, 0, `the image is still a clean ext4: ${fsck.stdout}`);
  });
});

describe('uci-defaults script (pure)', () => {
  it('uses opkg before 25.12 and apk from 25.12, for bird2 and bird2c', () => {
    assert.deepEqual(openwrtPackages('23.05.6'), { manager: 'opkg', packages: ['bird2', 'bird2c'] });
    assert.deepEqual(openwrtPackages('24.10.8'), { manager: 'opkg', packages: ['bird2', 'bird2c'] });
    assert.deepEqual(openwrtPackages('25.12.5'), { manager: 'apk', packages: ['bird2', 'bird2c'] });
    assert.match(uciDefaultsScript('24.10.8'), /opkg update >>\S+ 2>&1\n\s+opkg install bird2 bird2c /);
    const s = uciDefaultsScript('25.12.5', { waitSeconds: 5 });
    assert.match(s, /apk update >>\S+ 2>&1\n\s+apk add bird2 bird2c /);
    assert.doesNotMatch(s, /update &&/, 'a failed list refresh alone must not stop the install');
    // iproute2 for the routers' routes() and links() (BusyBox ip prints no ECMP next hops).
    assert.match(s, /apk add bird2 bird2c ip-full /);
    assert.match(uciDefaultsScript('23.05.6'), /opkg install bird2 bird2c ip-full /);
    assert.match(s, /cp \/etc\/nrl\/bird.conf \/etc\/bird.conf/);
    assert.match(s, /\/etc\/init.d\/bird restart/);
    assert.match(s, /exit 0\n$/, 'exits 0 so OpenWRT deletes it after the first boot');
    assert.equal(spawnSync('sh', ['-n'], { input: s }).status, 0, 'valid shell');
  });
});

describe('several routers per datacentre (pure)', () => {
  it('a router with VRRP partners installs keepalived, puts its rendered files in place after the install and starts it; one router gets none of it', () => {
    const s = uciDefaultsScript('25.12.5', { keepalived: true });
    assert.match(s, /apk add bird2 bird2c keepalived ip-full /);
    assert.match(s, /cp \/etc\/nrl\/keepalived \/etc\/config\/keepalived\n\s+mkdir -p \/etc\/keepalived\n\s+cp \/etc\/nrl\/keepalived.conf \/etc\/keepalived\/keepalived.conf\n\s+\/etc\/init.d\/keepalived enable\n\s+\/etc\/init.d\/keepalived restart\n/);
    assert.ok(s.indexOf('keepalived restart') > s.indexOf('firewall restart') && s.indexOf('keepalived restart') < s.indexOf('NRL-ROUTER-READY'), 'ready only once keepalived runs');
    assert.match(uciDefaultsScript('24.10.8', { keepalived: true }), /opkg install bird2 bird2c keepalived ip-full /);
    assert.equal(spawnSync('sh', ['-n'], { input: s }).status, 0, 'valid shell');
    // Negative control: one router per datacentre.
    assert.doesNotMatch(uciDefaultsScript('25.12.5'), /keepalived/);
    const files = routerFiles({ network: 'n', firewall: 'f', dhcp: 'd', bird: 'b', uciDefaults: 'u', keepalived: { uci: 'k', conf: 'kc' } });
    assert.deepEqual(files.filter((f) => f.path.startsWith('/etc/nrl/')).map((f) => [f.path, f.source]), [[STAGED_BIRD_CONF, 'b'], ['/etc/nrl/keepalived', 'k'], ['/etc/nrl/keepalived.conf', 'kc']]);
    assert.ok(!routerFiles({ network: 'n', firewall: 'f', dhcp: 'd', bird: 'b', uciDefaults: 'u' }).some((f) => f.path.includes('keepalived')));
  });

  it('the rendered keepalived files are what OpenWRT\'s package reads: globals enabled with alt_config_file naming the staged keepalived.conf', () => {
    const two = loadModel(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'two-routers.yaml'), 'utf8'), 'two-routers.yaml', {});
    const files = renderAll(two);
    for (const key of ['dc1-1', 'dc1-2', 'dc2-1', 'dc2-2']) {
      assert.match(files.get(routerPath(key, 'keepalived'))!, /config globals 'globals'\n\toption enabled '1'\n\toption alt_config_file '\/etc\/keepalived\/keepalived.conf'/);
      assert.match(files.get(routerPath(key, 'keepalived.conf'))!, /virtual_ipaddress \{\n\t\t10\.0\.\d\.1\/24 dev br-lan/);
    }
  });

  it('router-restart under graceful restart starts BIRD by hand with -R (OpenWRT\'s init script never passes it)', () => {
    assert.equal(routerRestartCommand(true), '/etc/init.d/bird stop; /usr/sbin/bird -R -c /etc/bird.conf -P /var/run/bird.pid');
    assert.equal(routerRestartCommand(false), '/etc/init.d/bird restart');
  });
});

// The install loop run for real by BusyBox ash (the routers' /bin/sh), with a stand-in package
// manager on PATH (opkg and apk are not installable here) that fails a given number of times.
describe('uci-defaults install loop under BusyBox ash, and debugfs commands', { skip: vmUnavailable('busybox') }, () => {
  const runLoop = (manager: 'opkg' | 'apk', failInstall: number, failUpdate: boolean, tries: number) => {
    const dir = tmp();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const count = join(dir, 'installs');
    writeFileSync(count, '');
    // `update` fails when asked (opkg returns the number of lists it could not fetch); the install
    // fails its first `failInstall` calls.
    writeFileSync(join(bin, manager), `#!/bin/sh
case "$1" in update) ${failUpdate ? 'exit 3' : 'exit 0'} ;; esac
echo x >>${count}
[ $(wc -l <${count}) -gt ${failInstall} ]
`);
    chmodSync(join(bin, manager), 0o755);
    const log = join(dir, 'install.log');
    const script = `${installLoop(manager, ['bird2', 'bird2c'], { tries, pauseSeconds: 0, log })}\nnrl_install; echo "rc=$?"\n`;
    const r = spawnSync('busybox', ['sh', '-c', script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
    return { out: r.stdout.trim(), installs: readFileSync(count, 'utf8').split('\n').filter(Boolean).length, log: readFileSync(log, 'utf8') };
  };

  it('retries a failed install and succeeds once the package manager does', () => {
    const r = runLoop('opkg', 2, false, 5);
    assert.equal(r.out, 'rc=0');
    assert.equal(r.installs, 3);
    assert.match(r.log, /attempt 3/);
  });

  it('installs even when the list refresh reports a failed feed', () => {
    const r = runLoop('apk', 0, true, 5);
    assert.equal(r.out, 'rc=0');
    assert.equal(r.installs, 1);
  });

  it('gives up after the last try (negative control)', () => {
    const r = runLoop('opkg', 99, true, 3);
    assert.equal(r.out, 'rc=1');
    assert.equal(r.installs, 3);
  });

  it('debugfs commands create parents, replace, and set mode and owner', () => {
    assert.equal(debugfsScript([{ path: '/etc/config/network', source: '/tmp/x/network' }]),
      'mkdir /etc\nmkdir /etc/config\nrm /etc/config/network\nwrite /tmp/x/network /etc/config/network\nsif /etc/config/network mode 0100644\nsif /etc/config/network uid 0\nsif /etc/config/network gid 0\n');
  });
});
