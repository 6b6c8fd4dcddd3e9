// The download cache: every artifact is fetched into a temporary file beside its final name,
// hashed while it streams, and renamed into place only when its sha256 matches; a mismatch deletes
// it and throws, an interrupted transfer leaves nothing behind. A verified file keeps its hash in a
// `<file>.sha256` sidecar, and every reuse re-hashes the file against it.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Artifact } from './pins.ts';

export class ChecksumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumError';
  }
}

export function cacheDir(): string {
  if (process.env['LAB_CACHE_DIR']) return process.env['LAB_CACHE_DIR'];
  const xdg = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(xdg, 'native-routing-lab');
}

/** The sha256 for `name` in a sha256sum-style file; a file holding only a hash answers for any name. */
export function parseSums(text: string, name: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length === 1 && /^[0-9a-f]{64}$/i.test(lines[0]!)) return lines[0]!.toLowerCase();
  for (const l of lines) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/i.exec(l);
    if (m && (m[2] === name || m[2]!.endsWith(`/${name}`))) return m[1]!.toLowerCase();
  }
  return undefined;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

export interface FetchOptions {
  dir?: string;
  /** Allowed to use the network; otherwise only the cache answers. */
  download: boolean;
  timeoutMs?: number;
  log?: (line: string) => void;
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return r.text();
}

/** The hash a download must have, or undefined for trust-on-first-use. */
async function expectedHash(a: Artifact, timeoutMs: number): Promise<string | undefined> {
  if (a.verify.kind === 'sha256') return a.verify.sha256.toLowerCase();
  if (a.verify.kind === 'tofu') return undefined;
  const sums = await fetchText(a.verify.url, timeoutMs);
  const h = parseSums(sums, a.verify.name);
  if (!h) throw new ChecksumError(`${a.what}: ${a.verify.url} lists no sha256 for ${a.verify.name}`);
  return h;
}

/** The cached, verified file of an artifact, or undefined (does not touch the network). */
export async function cached(a: Artifact, dir = cacheDir()): Promise<string | undefined> {
  const file = join(dir, a.file);
  const side = `${file}.sha256`;
  if (!existsSync(file) || !existsSync(side)) return undefined;
  const want = readFileSync(side, 'utf8').trim();
  if (a.verify.kind === 'sha256' && want !== a.verify.sha256.toLowerCase()) return undefined;
  return (await sha256File(file)) === want ? file : undefined;
}

/** Cached file if verified, else (when allowed) a verified download; throws ChecksumError on a mismatch. */
export async function fetchArtifact(a: Artifact, opts: FetchOptions): Promise<string> {
  const dir = opts.dir ?? cacheDir();
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const hit = await cached(a, dir);
  if (hit) return hit;
  const file = join(dir, a.file);
  if (existsSync(file)) {
    opts.log?.(`${a.what}: cached copy does not match its recorded checksum; removing it`);
    rmSync(file, { force: true });
    rmSync(`${file}.sha256`, { force: true });
  }
  if (!opts.download) throw new Error(`${a.what} is not in the cache (${file})`);
  mkdirSync(dir, { recursive: true });
  const want = await expectedHash(a, timeoutMs);
  const part = `${file}.part-${process.pid}-${randomBytes(3).toString('hex')}`;
  opts.log?.(`downloading ${a.what} from ${a.url}`);
  try {
    const r = await fetch(a.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!r.ok || !r.body) throw new Error(`GET ${a.url}: HTTP ${r.status}`);
    const length = Number(r.headers.get('content-length') ?? NaN);
    const hash = createHash('sha256');
    let bytes = 0;
    const body = Readable.fromWeb(r.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    await pipeline(body, createWriteStream(part, { mode: a.executable ? 0o755 : 0o644 }));
    if (Number.isFinite(length) && bytes !== length) throw new Error(`GET ${a.url}: got ${bytes} of ${length} bytes`);
    const got = hash.digest('hex');
    if (want && got !== want) throw new ChecksumError(`${a.what}: sha256 ${got} does not match the published ${want}; the download was deleted`);
    if (!want) opts.log?.(`${a.what}: no published checksum (${a.verify.kind === 'tofu' ? a.verify.why : 'none'}); recorded sha256 ${got}`);
    renameSync(part, file);
    writeFileSync(`${file}.sha256`, `${got}\n`);
    return file;
  } catch (e) {
    rmSync(part, { force: true });
    throw e;
  }
}
