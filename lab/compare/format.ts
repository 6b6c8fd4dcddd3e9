// The side-by-side table of `lab compare`.
import type { Report } from '../report/model.ts';
import type { FamilyMeasurements, Measurements } from './measure.ts';

export interface Side {
  label: string;
  report: Report;
  m: Measurements | undefined;
}

const mib = (b: number) => `${(b / 1048576).toFixed(3)} MiB`;

type Row = [string, ...string[]];

/** Present when the topology has a LoadBalancer Service: what its backend saw of a LAN host's connection. */
function inboundRow(sides: Side[], of: (m: Measurements) => FamilyMeasurements | undefined, suffix: string): Row[] {
  const first = sides.map((s) => (s.m ? of(s.m)?.inbound : undefined)).find((x) => x);
  if (!first) return [];
  return [[`backend saw inbound (${first.client} -> ${first.service})${suffix}`, ...sides.map((s) => (s.m ? of(s.m)?.inbound?.seen : undefined) ?? '-')]];
}

/** The rows one family measures; IPv6's labelled so, and only in a dual-stack lab. */
function familyRows(sides: Side[], of: (m: Measurements) => FamilyMeasurements | undefined, suffix: string): Row[] {
  if (!sides.some((s) => s.m && of(s.m))) return [];
  const cell = (f: (x: FamilyMeasurements) => string) => sides.map((s) => {
    const x = s.m ? of(s.m) : undefined;
    return x ? f(x) : '-';
  });
  return [
    [`remote pod saw${suffix}`, ...cell((x) => x.seenBy.remotePod)],
    [`remote LAN host saw${suffix}`, ...cell((x) => x.seenBy.remoteLanHost)],
    [`internet saw${suffix}`, ...cell((x) => x.seenBy.internet)],
    ...inboundRow(sides, of, suffix),
    [`path${suffix}`, ...cell((x) => x.path.join(' > '))],
    [`largest packet with DF${suffix}`, ...cell((x) => `${x.largestDfPacket} B`)],
  ];
}

/** Each datacentre's routers side by side ("dc1: router-dc1-1 | router-dc1-2"), where one has several. */
function routersRow(sides: Side[]): Row[] {
  const of = (s: Side) => {
    const byDc = new Map<string, string[]>();
    for (const m of s.report.machines.filter((x) => x.kind === 'router')) byDc.set(m.dc ?? '?', [...(byDc.get(m.dc ?? '?') ?? []), m.name]);
    return byDc;
  };
  if (!sides.some((s) => [...of(s).values()].some((r) => r.length > 1))) return [];
  return [['routers per datacentre', ...sides.map((s) => [...of(s)].map(([dc, r]) => `${dc}: ${r.join(' | ')}`).join('; '))]];
}

export function formatCompare(sides: Side[]): string {
  const rows: Row[] = [
    ['', ...sides.map((s) => s.label)],
    ...routersRow(sides),
    ...familyRows(sides, (m) => m, ''),
    ...familyRows(sides, (m) => m.ipv6, ' (IPv6)'),
    ['wire bytes per 1 MiB sent', ...sides.map((s) => (s.m && s.m.wireBytes > 0 ? `${mib(s.m.wireBytes)} (+${((s.m.wireBytes / s.m.payload - 1) * 100).toFixed(1)} %, ${s.m.wirePackets} packets)` : '-'))],
    ['assertions holding', ...sides.map((s) => {
      const failed = s.report.assertions.filter((a) => !a.ok).map((a) => a.id);
      return `${s.report.assertions.length - failed.length}/${s.report.assertions.length}${failed.length ? ` (fail: ${failed.join(', ')})` : ''}`;
    })],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const first = pair(sides);
  return [`${first}`, '', line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line), ''].join('\n');
}

function pair(sides: Side[]): string {
  const m = sides.find((s) => s.m)?.m;
  return m ? `lab compare: ${m.pair.from} -> ${m.pair.to}, wire measured on the peering segment (Ethernet frames, both directions)` : 'lab compare';
}
