// Resolves the newest stable releases of the three products into the nightly matrix.
import { newestGithubRelease } from './github-releases.ts';
import type { FetchOptions } from './http.ts';
import { buildMatrix } from './matrix.ts';
import { newestOpenwrtRelease } from './openwrt-releases.ts';

export const CILIUM_REPO = 'cilium/cilium';
export const TALOS_REPO = 'siderolabs/talos';

export interface ResolveConfig {
  githubApi: string;
  openwrtIndex: string;
  timeoutMs: number;
  token: string | undefined;
}

export async function resolveMatrix(cfg: ResolveConfig): Promise<ReturnType<typeof buildMatrix>> {
  const opts: FetchOptions = { timeoutMs: cfg.timeoutMs, headers: cfg.token ? { authorization: `Bearer ${cfg.token}` } : {} };
  const [cilium, talos, openwrt] = await Promise.all([
    newestGithubRelease(cfg.githubApi, CILIUM_REPO, opts),
    newestGithubRelease(cfg.githubApi, TALOS_REPO, opts),
    newestOpenwrtRelease(cfg.openwrtIndex, { timeoutMs: cfg.timeoutMs }),
  ]);
  return buildMatrix({ cilium, talos, openwrt });
}
