// The side-by-side table of `lab compare`.
import type { Report } from '../report/model.ts';
import type { Measurements } from './measure.ts';

export interface Side {
  label: string;
  report: Report;
  m: Measurements | undefined;
}

const mib = (b: number) => `${(b / 1048576).toFixed(3)} MiB`;

/** Present when the topology has a LoadBalancer Service: what its backend saw of a LAN host's connection. */
function inboundRow(sides: Side[]): [string, ...string[]][] {
  const first = sides.find((s) => s.m?.inbound)?.m?.inbound;
  if (!first) return [];
  return [[`backend saw inbound (${first.client} -> ${first.service})`, ...sides.map((s) => s.m?.inbound?.seen ?? '-')]];
}

export function formatCompare(sides: Side[]): string {
  const rows: [string, ...string[]][] = [
    ['', ...sides.map((s) => s.label)],
    ['remote pod saw', ...sides.map((s) => s.m?.seenBy.remotePod ?? '-')],
    ['remote LAN host saw', ...sides.map((s) => s.m?.seenBy.remoteLanHost ?? '-')],
    ['internet saw', ...sides.map((s) => s.m?.seenBy.internet ?? '-')],
    ...inboundRow(sides),
    ['path', ...sides.map((s) => s.m?.path.join(' > ') ?? '-')],
    ['largest packet with DF', ...sides.map((s) => (s.m ? `${s.m.largestDfPacket} B` : '-'))],
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
