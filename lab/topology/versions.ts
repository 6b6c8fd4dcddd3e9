// Picks the product versions (topology, then command-line overrides) and checks them against the tables.
import { CILIUM_LINES, NEWEST_CILIUM, OLDEST_CILIUM } from '../versions/cilium.ts';
import { NEWEST_OPENWRT, OLDEST_OPENWRT, OPENWRT_LINES } from '../versions/openwrt.ts';
import { NEWEST_TALOS, OLDEST_TALOS, TALOS_LINES } from '../versions/talos.ts';
import { parseVersion, rowFor } from '../versions/semver.ts';
import type { CiliumBgpApi, Topology } from './schema.ts';
import type { ResolveOptions, Collector } from './resolve.ts';

export interface ResolvedVersions {
  versions: { cilium: string; talos: string; openwrt: string };
  bgpApi: CiliumBgpApi;
}

function check<T extends { since: string }>(
  c: Collector, field: string, flag: string, text: string, table: readonly T[], oldest: string,
): T | undefined {
  const v = parseVersion(text);
  if (!v) {
    c.add(field, `"${text}" is not a version`, `write it as major.minor.patch, e.g. ${table.at(-1)?.since}.0 (or ${flag})`);
    return undefined;
  }
  const row = rowFor(table, v);
  if (!row) c.add(field, `${text} is older than the oldest supported line ${oldest}`, `use ${oldest} or newer (${flag})`);
  return row;
}

export function resolveVersions(t: Topology, opts: ResolveOptions, c: Collector): ResolvedVersions | undefined {
  const cilium = opts.ciliumVersion ?? t.versions?.cilium ?? NEWEST_CILIUM;
  const talos = opts.talosVersion ?? t.versions?.talos ?? NEWEST_TALOS;
  const openwrt = opts.openwrtVersion ?? t.versions?.openwrt ?? NEWEST_OPENWRT;
  const ciliumField = opts.ciliumVersion ? '--cilium-version' : 'versions.cilium';
  const line = check(c, ciliumField, '--cilium-version', cilium, CILIUM_LINES, OLDEST_CILIUM);
  check(c, opts.talosVersion ? '--talos-version' : 'versions.talos', '--talos-version', talos, TALOS_LINES, OLDEST_TALOS);
  check(c, opts.openwrtVersion ? '--openwrt-version' : 'versions.openwrt', '--openwrt-version', openwrt, OPENWRT_LINES, OLDEST_OPENWRT);
  if (!line) return undefined;
  const wanted = t.cilium?.bgpApi;
  if (wanted && !line.bgpApis.includes(wanted)) {
    const serving = CILIUM_LINES.filter((l) => l.bgpApis.includes(wanted)).map((l) => l.since);
    c.add('cilium.bgpApi', `Cilium ${cilium} does not serve the ${wanted} API (${line.note})`,
      `use one of ${line.bgpApis.join(', ')}, or a Cilium version whose line serves ${wanted} (${serving.join(', ')})`);
    return undefined;
  }
  return { versions: { cilium, talos, openwrt }, bgpApi: wanted ?? line.defaultBgpApi };
}
