// `lab e2e --runtime vm` on a machine without working KVM, images or internet: exit 3 well within
// two minutes, a message naming each missing piece, and nothing left behind. The cache is an empty
// temporary folder and --download is not passed, so no request leaves the machine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmp, vmUnavailable } from './support.ts';

const REPO = resolve(import.meta.dirname, '..', '..');

function namespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('nrl-'));
}

describe('lab e2e --runtime vm (this machine)', { skip: vmUnavailable('qemu') }, () => {
  it('exits 3 within two minutes naming working KVM, the images and the internet, creating nothing', { timeout: 130_000 }, () => {
    const cache = tmp();
    const artifacts = join(tmp(), 'artifacts');
    const before = new Set(namespaces());
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'lab.mjs'), 'e2e', '--runtime', 'vm', '--plain', '--artifacts', artifacts],
      { cwd: REPO, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LAB_CACHE_DIR: cache } });
    const ms = Date.now() - t0;
    process.stderr.write(`# lab e2e --runtime vm: exit ${r.status} in ${ms} ms\n${r.stderr.split('\n').map((l) => `# ${l}`).join('\n')}\n`);
    if (process.env['NRL_EXPECT_KVM'] === '1') return; // a host with working KVM answers differently
    assert.equal(r.status, 3, r.stderr);
    assert.ok(ms < 120_000);
    assert.match(r.stderr, /working KVM: /);
    assert.match(r.stderr, /images: 8 of 8 not in the cache/);
    assert.match(r.stderr, /OpenWRT 25\.12\.5 kernel.*Talos v1\.14\.2 kernel.*talosctl.*kubectl.*helm.*Cilium chart/s);
    assert.match(r.stderr, /internet: needed to download them; not tried \(rerun with --download/);
    assert.deepEqual(namespaces().filter((n) => !before.has(n)), [], 'no namespace created');
    assert.equal(spawnSync('ls', [artifacts]).status !== 0, true, 'no artifacts folder: nothing ran');
    assert.equal(spawnSync('ls', ['-A', cache], { encoding: 'utf8' }).stdout, '', 'nothing downloaded');
  });

  it('refuses an unknown runtime as bad input (exit 2)', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'lab.mjs'), 'e2e', '--runtime', 'cloud'], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--runtime twin or --runtime vm/);
  });
});
