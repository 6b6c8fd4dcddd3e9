// Sizes of what the diagram draws, shared by the layout (which needs each box's size) and the SVG
// (which draws into it). Monospace text, so widths follow from character counts.
import type { Route } from '../../runtime/lab.ts';
import type { DiagramMachine, DiagramSegment } from './model.ts';

export const FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace';
export const TABLE_FONT_SIZE = 10;
export const TITLE_FONT_SIZE = 12;
export const CHAR = 0.61; // em: advance of a monospace character (DejaVu Sans Mono 0.602)
export const LINE = 13;
export const HEADER = 36;
export const PAD = 8;

export const charsWidth = (n: number, size: number): number => Math.ceil(n * size * CHAR);

/** One routing table line in columns: destination, gateway, device, protocol. */
export function routeColumns(routes: Route[]): { cells: string[][]; widths: number[] } {
  const cells = routes.map((r) => [r.dst, r.gateway ? `via ${r.gateway}` : '', r.dev ?? '', r.protocol ?? '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...cells.map((c) => c[i]!.length)));
  return { cells, widths };
}

export function machineLines(m: DiagramMachine): { title: string; detail: string } {
  return { title: m.name, detail: `${m.kind}${m.address ? ' · ' + m.address : ''}${m.address6 ? ' · ' + m.address6 : ''}` };
}

/** The rows a machine's card shows: its IPv4 table, then (dual-stack) its IPv6 one. */
export function tableRoutes(m: DiagramMachine): Route[] {
  return [...m.routes, ...(m.routes6 ?? [])];
}

export function machineSize(m: DiagramMachine): { width: number; height: number } {
  const { title, detail } = machineLines(m);
  const { widths } = routeColumns(tableRoutes(m));
  const tableChars = widths.reduce((a, b) => a + b, 0) + 2 * widths.filter((w) => w > 0).length;
  const rows = Math.max(1, tableRoutes(m).length);
  const width = Math.max(charsWidth(title.length, TITLE_FONT_SIZE), charsWidth(detail.length, TABLE_FONT_SIZE), charsWidth(tableChars, TABLE_FONT_SIZE)) + 2 * PAD;
  return { width: Math.max(width, 120), height: HEADER + rows * LINE + PAD + 4 };
}

export function segmentSize(s: DiagramSegment): { width: number; height: number } {
  const chars = Math.max(s.label.length * (TITLE_FONT_SIZE / TABLE_FONT_SIZE), s.detail.length);
  return { width: Math.max(charsWidth(chars, TABLE_FONT_SIZE) + 2 * PAD + 8, 120), height: 38 };
}

export function labelSize(text: string): { width: number; height: number } {
  return { width: charsWidth(text.length, 9) + 4, height: 12 };
}
