// The download cache against a local HTTP server on 127.0.0.1 (no traffic leaves loopback): a good
// file is verified, cached and reused; a bad checksum is refused and deleted; an interrupted
// download leaves nothing half-written; without --download only the cache answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cached, ChecksumError, fetchArtifact, parseSums } from '../../lab/runtime/vm/images.ts';
import type { Artifact } from '../../lab/runtime/vm/pins.ts';
import { tmp } from './support.ts';

const GOOD = Buffer.from('an OpenWRT kernel, pretend\n'.repeat(1000));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('image cache (loopback HTTP)', () => {
  let server: Server;
  let base = '';
  const hits: Record<string, number> = {};
  before(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      hits[url] = (hits[url] ?? 0) + 1;
      if (url === '/good.bin' || url === '/tampered.bin') return void res.end(GOOD);
      if (url === '/sha256sums') return void res.end(`${sha(GOOD)} *good.bin\n${'0'.repeat(64)} *tampered.bin\n`);
      if (url === '/cut.bin') {
        // Promises the whole file, sends half, then drops the connection.
        res.writeHead(200, { 'content-length': String(GOOD.length) });
        res.write(GOOD.subarray(0, GOOD.length / 2));
        setTimeout(() => res.destroy(), 50);
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const art = (file: string, verify: Artifact['verify']): Artifact => ({ file, url: `${base}/${file}`, verify, what: file });

  it('verifies a good file against the sums file, caches it and reuses it without the network', async () => {
    const dir = tmp();
    const a = art('good.bin', { kind: 'sums-file', url: `${base}/sha256sums`, name: 'good.bin' });
    const p = await fetchArtifact(a, { dir, download: true });
    assert.deepEqual(readFileSync(p), GOOD);
    assert.equal(readFileSync(`${p}.sha256`, 'utf8').trim(), sha(GOOD));
    const again = await fetchArtifact(a, { dir, download: false });
    assert.equal(again, p);
    assert.equal(hits['/good.bin'], 1, 'the second use came from the cache');
    assert.equal(await cached(a, dir), p);
  });

  it('refuses and deletes a download whose checksum does not match', async () => {
    const dir = tmp();
    const a = art('tampered.bin', { kind: 'sums-file', url: `${base}/sha256sums`, name: 'tampered.bin' });
    await assert.rejects(fetchArtifact(a, { dir, download: true }), (e: Error) => e instanceof ChecksumError && /does not match/.test(e.message));
    assert.deepEqual(readdirSync(dir), [], 'nothing of it stays in the cache');
    const pinned = art('good.bin', { kind: 'sha256', sha256: 'f'.repeat(64) });
    await assert.rejects(fetchArtifact(pinned, { dir, download: true }), ChecksumError);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('leaves nothing half-written when the transfer is cut', async () => {
    const dir = tmp();
    const a = art('cut.bin', { kind: 'sha256', sha256: sha(GOOD) });
    await assert.rejects(fetchArtifact(a, { dir, download: true, timeoutMs: 5000 }));
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync(join(dir, 'cut.bin')), false);
  });

  it('without --download, a missing file is an error naming the cache, and no request is made', async () => {
    const dir = tmp();
    const before = hits['/good.bin'] ?? 0;
    const a = art('good.bin', { kind: 'sha256', sha256: sha(GOOD) });
    await assert.rejects(fetchArtifact(a, { dir, download: false }), /not in the cache/);
    assert.equal(hits['/good.bin'] ?? 0, before);
  });

  it('a corrupted cached file is not reused', async () => {
    const dir = tmp();
    const a = art('good.bin', { kind: 'tofu', why: 'test' });
    const p = await fetchArtifact(a, { dir, download: true });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(p, 'flipped bits');
    assert.equal(await cached(a, dir), undefined);
  });

  it('parses sha256sum files, hash-only files and binary markers', () => {
    const h = 'a'.repeat(64);
    assert.equal(parseSums(`${h} *openwrt-25.12.5-x86-64-generic-kernel.bin\n`, 'openwrt-25.12.5-x86-64-generic-kernel.bin'), h);
    assert.equal(parseSums(`${h}  helm-v3.19.0-linux-amd64.tar.gz\n`, 'helm-v3.19.0-linux-amd64.tar.gz'), h);
    assert.equal(parseSums(`${h}\n`, 'kubectl'), h);
    assert.equal(parseSums(`${h}  other\n${'b'.repeat(64)}  more\n`, 'kubectl'), undefined);
  });
});
