// The newest stable OpenWRT release, from the directory listing of its releases index
// (https://downloads.openwrt.org/releases/): version folders only, release candidates,
// snapshots and other folders (faillogs, packages-*) ignored.
import { fetchText, ReleaseSourceError, type FetchOptions } from './http.ts';
import { newestStable } from './semver.ts';

/** Every folder name the listing links to, e.g. "24.10.4", "25.12.0-rc1", "faillogs". */
export function listedFolders(html: string): string[] {
  const names = new Set<string>();
  for (const m of html.matchAll(/href="([^"?#]+)\/"/gi)) {
    const name = decodeURIComponent(m[1]!).replace(/^.*\//, '');
    if (name && name !== '..' && name !== '.') names.add(name);
  }
  return [...names];
}

export function newestOpenwrtVersion(html: string): string | undefined {
  const versions = listedFolders(html).filter((n) => /^\d+\.\d+\.\d+$/.test(n));
  return newestStable(versions, (v) => v);
}

export async function newestOpenwrtRelease(indexUrl: string, opts: FetchOptions): Promise<string> {
  const html = await fetchText(indexUrl, { ...opts, headers: { accept: 'text/html', ...opts.headers } });
  const newest = newestOpenwrtVersion(html);
  if (!newest) throw new ReleaseSourceError(indexUrl, 200, 'no stable release folder (like 24.10.4/) in the listing');
  return newest;
}
