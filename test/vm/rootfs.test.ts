// Rootfs injection for real: an ext4 image made by mkfs.ext4, the rendered router files written with
// `debugfs -w` (no mount), read back with debugfs; and the uci-defaults script per release line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import { loadModel } from '../../lab/topology/load.ts';
import { debugfsScript, injectFiles, openwrtPackages, readBack, routerFiles, STAGED_BIRD_CONF, uciDefaultsScript } from '../../lab/runtime/vm/rootfs.ts';
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
    assert.match(await readBack(img, '/etc/uci-defaults/90-nrl-bird'), /apk update && apk add bird2 bird2c/);
    const stat = spawnSync('debugfs', ['-R', 'stat /etc/uci-defaults/90-nrl-bird', img], { encoding: 'utf8' }).stdout;
    assert.match(stat, /Mode:\s+0755/);
    assert.match(spawnSync('debugfs', ['-R', 'stat /etc/dropbear/authorized_keys', img], { encoding: 'utf8' }).stdout, /Mode:\s+0600/);
    const fsck = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
    assert.equal(fsck.status, 0, `the image is still a clean ext4: ${fsck.stdout}`);
  });
});

describe('uci-defaults script and debugfs commands (pure)', () => {
  it('uses opkg before 25.12 and apk from 25.12, for bird2 and bird2c', () => {
    assert.deepEqual(openwrtPackages('23.05.6'), { manager: 'opkg', packages: ['bird2', 'bird2c'] });
    assert.deepEqual(openwrtPackages('24.10.8'), { manager: 'opkg', packages: ['bird2', 'bird2c'] });
    assert.deepEqual(openwrtPackages('25.12.5'), { manager: 'apk', packages: ['bird2', 'bird2c'] });
    assert.match(uciDefaultsScript('24.10.8'), /opkg update && opkg install bird2 bird2c/);
    const s = uciDefaultsScript('25.12.5', { waitSeconds: 5 });
    assert.match(s, /apk update && apk add bird2 bird2c/);
    assert.match(s, /cp \/etc\/nrl\/bird.conf \/etc\/bird.conf/);
    assert.match(s, /\/etc\/init.d\/bird restart/);
    assert.match(s, /exit 0\n$/, 'exits 0 so OpenWRT deletes it after the first boot');
    assert.equal(spawnSync('sh', ['-n'], { input: s }).status, 0, 'valid shell');
  });

  it('debugfs commands create parents, replace, and set mode and owner', () => {
    assert.equal(debugfsScript([{ path: '/etc/config/network', source: '/tmp/x/network' }]),
      'mkdir /etc\nmkdir /etc/config\nrm /etc/config/network\nwrite /tmp/x/network /etc/config/network\nsif /etc/config/network mode 0100644\nsif /etc/config/network uid 0\nsif /etc/config/network gid 0\n');
  });
});
