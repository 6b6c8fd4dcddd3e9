// Full semantic-version ordering for release tags ("v1.20.2", "1.20.2", "25.12.0-rc1").
// Unlike lab/versions/semver.ts (release lines only), patches and pre-releases count here.

export interface Semver {
  major: number;
  minor: number;
  patch: number;
  pre: string | undefined;
}

export function parseSemver(text: string): Semver | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] };
}

/** Negative when a < b. A release sorts after its own pre-releases. */
export function compareSemver(a: Semver, b: Semver): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d !== 0) return d;
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return a.pre < b.pre ? -1 : 1;
}

/** The highest stable (no pre-release part) version among the candidates, or undefined. */
export function newestStable<T>(items: readonly T[], version: (item: T) => string): T | undefined {
  let best: { item: T; v: Semver } | undefined;
  for (const item of items) {
    const v = parseSemver(version(item));
    if (!v || v.pre !== undefined) continue;
    if (!best || compareSemver(v, best.v) > 0) best = { item, v };
  }
  return best?.item;
}
