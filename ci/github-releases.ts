// The newest stable release of a GitHub repository, from the releases API: drafts and
// pre-releases skipped, the newest picked by semantic version, never by date.
import { fetchJson, ReleaseSourceError, type FetchOptions } from './http.ts';
import { newestStable } from './semver.ts';

export interface GithubRelease {
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
}

function isRelease(x: unknown): x is GithubRelease {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r['tag_name'] === 'string' && typeof r['draft'] === 'boolean' && typeof r['prerelease'] === 'boolean';
}

export function newestStableRelease(releases: readonly GithubRelease[]): GithubRelease | undefined {
  return newestStable(releases.filter((r) => !r.draft && !r.prerelease), (r) => r.tag_name);
}

export function releasesUrl(apiBase: string, repo: string): string {
  return `${apiBase.replace(/\/+$/, '')}/repos/${repo}/releases?per_page=100`;
}

/** The newest stable tag of `repo` ("owner/name"), e.g. "v1.20.2". */
export async function newestGithubRelease(apiBase: string, repo: string, opts: FetchOptions): Promise<string> {
  const url = releasesUrl(apiBase, repo);
  const body = await fetchJson(url, { ...opts, headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...opts.headers } });
  if (!Array.isArray(body)) throw new ReleaseSourceError(url, 200, `expected a JSON array of releases, got ${body === null ? 'null' : typeof body}`);
  const releases = body.filter(isRelease);
  if (releases.length !== body.length) throw new ReleaseSourceError(url, 200, 'malformed release entries (each needs tag_name, draft, prerelease)');
  const newest = newestStableRelease(releases);
  if (!newest) throw new ReleaseSourceError(url, 200, `no stable release among ${releases.length} (drafts and pre-releases are skipped)`);
  return newest.tag_name;
}
