// HTTP for the release resolver: a timeout on every request and errors that name the URL and status.

export class ReleaseSourceError extends Error {
  readonly url: string;
  readonly status: number | undefined;
  constructor(url: string, status: number | undefined, problem: string) {
    super(`${url}: ${status === undefined ? '' : `HTTP ${status}: `}${problem}`);
    this.name = 'ReleaseSourceError';
    this.url = url;
    this.status = status;
  }
}

export interface FetchOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
}

export async function fetchText(url: string, opts: FetchOptions): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: opts.headers ?? {}, signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'follow' });
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'TimeoutError' || err.name === 'AbortError'
      ? `no answer within ${opts.timeoutMs} ms`
      : `request failed: ${(err.cause as Error | undefined)?.message ?? err.message}`;
    throw new ReleaseSourceError(url, undefined, why);
  }
  const body = await res.text().catch(() => '');
  if (res.status === 403 || res.status === 429) {
    if (res.headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
      throw new ReleaseSourceError(url, res.status, `rate limit exhausted${when}; set GITHUB_TOKEN to raise it`);
    }
  }
  if (res.status !== 200) throw new ReleaseSourceError(url, res.status, `expected 200; body starts: ${JSON.stringify(body.slice(0, 200))}`);
  return body;
}

export async function fetchJson(url: string, opts: FetchOptions): Promise<unknown> {
  const text = await fetchText(url, { ...opts, headers: { accept: 'application/json', ...opts.headers } });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ReleaseSourceError(url, 200, `malformed JSON (${(e as Error).message})`);
  }
}
