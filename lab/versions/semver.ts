// Release-line comparison for version tables: "1.15.x", "v1.14.0", "1.20" all compare by numbers.

export interface Version {
  major: number;
  minor: number;
  patch: number | undefined; // undefined for "1.15" or "1.15.x"
  pre: string | undefined;
}

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+|x))?(?:-([0-9A-Za-z.]+))?$/.exec(text.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined || m[3] === 'x' ? undefined : Number(m[3]),
    pre: m[4],
  };
}

/** Compares release lines (major.minor) only; patches never move an API boundary in these tables. */
export function compareLine(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor;
}

export function line(v: Version): string {
  return `${v.major}.${v.minor}`;
}

/** The row of a boundary table that applies to v: the last row whose `since` is not newer than v. */
export function rowFor<T extends { since: string }>(table: readonly T[], v: Version): T | undefined {
  let found: T | undefined;
  for (const row of table) {
    const since = parseVersion(row.since);
    if (since && compareLine(since, v) <= 0) found = row;
  }
  return found;
}
