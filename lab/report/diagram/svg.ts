// Draws a placed diagram as SVG: a box per datacentre, a card per machine (name, kind, address and
// its routing table in monospace columns), the segments, the links, and the path of a cross-DC
// packet as a thick orange line with numbered hops. Pure.
import type { Box, Placed } from './layout.ts';
import { dcId } from './layout.ts';
import type { Diagram, DiagramMachine, DiagramSegment } from './model.ts';
import { FONT, HEADER, LINE, PAD, TABLE_FONT_SIZE, TITLE_FONT_SIZE, charsWidth, machineLines, routeColumns, tableRoutes } from './metrics.ts';

const PATH_COLOUR = '#ea580c';

const KIND_COLOURS: Record<string, { fill: string; stroke: string }> = {
  router: { fill: '#dbeafe', stroke: '#1d4ed8' },
  node: { fill: '#dcfce7', stroke: '#15803d' },
  pod: { fill: '#fef9c3', stroke: '#a16207' },
  lanhost: { fill: '#f3e8ff', stroke: '#7e22ce' },
  zonehost: { fill: '#fee2e2', stroke: '#b91c1c' },
  internet: { fill: '#e5e7eb', stroke: '#374151' },
};

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`;
}

function machineCard(m: DiagramMachine, b: Box, step: number | undefined): string {
  const c = KIND_COLOURS[m.kind] ?? { fill: '#f9fafb', stroke: '#6b7280' };
  const { title, detail } = machineLines(m);
  const out: string[] = [`<g id="${m.id}" class="machine" data-machine="${esc(m.name)}" data-kind="${esc(m.kind)}">`];
  const onPath = step !== undefined;
  out.push(`<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="6" fill="#ffffff" stroke="${onPath ? PATH_COLOUR : c.stroke}" stroke-width="${onPath ? 3 : 1.2}"/>`);
  out.push(`<path d="M${n(b.x)},${n(b.y + HEADER - 4)} v${-(HEADER - 10)} a6,6 0 0 1 6,-6 h${n(b.width - 12)} a6,6 0 0 1 6,6 v${HEADER - 10} z" fill="${c.fill}"/>`);
  out.push(text(b.x + PAD, b.y + 15, title, `font-size="${TITLE_FONT_SIZE}" font-weight="bold" class="machine-name"`));
  out.push(text(b.x + PAD, b.y + 28, detail, `font-size="${TABLE_FONT_SIZE}" fill="#374151"`));
  const { cells, widths } = routeColumns(tableRoutes(m));
  const cols: number[] = [];
  let x = b.x + PAD;
  for (const w of widths) {
    cols.push(x);
    x += charsWidth(w + (w > 0 ? 2 : 0), TABLE_FONT_SIZE);
  }
  out.push(`<g class="routes" font-size="${TABLE_FONT_SIZE}">`);
  if (cells.length === 0) out.push(text(b.x + PAD, b.y + HEADER + LINE - 3, '(no routing table captured)', 'fill="#6b7280" font-style="italic"'));
  cells.forEach((row, i) => {
    const y = b.y + HEADER + (i + 1) * LINE - 3;
    const spans = row.map((cell, j) => (cell ? `<tspan x="${n(cols[j]!)}"${j === 0 ? ' class="dst"' : j === 3 ? ' fill="#6b7280"' : ''}>${esc(cell)}</tspan>` : '')).join('');
    out.push(`<text y="${n(y)}" class="route">${spans}</text>`);
  });
  // Dual-stack: a rule between the IPv4 table and the IPv6 one below it.
  if (m.routes.length > 0 && (m.routes6?.length ?? 0) > 0) {
    const y = b.y + HEADER + m.routes.length * LINE + 1;
    out.push(`<line class="family-rule" x1="${n(b.x + PAD)}" y1="${n(y)}" x2="${n(b.x + b.width - PAD)}" y2="${n(y)}" stroke="#d1d5db" stroke-dasharray="3,2"/>`);
  }
  out.push('</g>');
  if (onPath) {
    out.push(`<circle cx="${n(b.x + b.width - 2)}" cy="${n(b.y + 2)}" r="10" fill="${PATH_COLOUR}"/>`);
    out.push(text(b.x + b.width - 2, b.y + 6, String(step), `font-size="11" font-weight="bold" fill="#ffffff" text-anchor="middle"`));
  }
  out.push('</g>');
  return out.join('\n');
}

function segment(s: DiagramSegment, b: Box): string {
  const fill = s.kind === 'peering' ? '#1e3a8a' : s.kind === 'internet' ? '#4b5563' : '#e0e7ff';
  const ink = s.kind === 'lan' ? '#1e1b4b' : '#ffffff';
  return [
    `<g id="${s.id}" class="segment" data-segment="${esc(s.label)}">`,
    `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="${s.kind === 'internet' ? 18 : 4}" fill="${fill}"/>`,
    text(b.x + b.width / 2, b.y + 16, s.label, `font-size="${TITLE_FONT_SIZE}" font-weight="bold" fill="${ink}" text-anchor="middle"`),
    text(b.x + b.width / 2, b.y + 30, s.detail, `font-size="${TABLE_FONT_SIZE}" fill="${ink}" text-anchor="middle"`),
    '</g>',
  ].join('\n');
}

/** A straight line between the facing sides of two boxes, label in the middle. */
function hiddenHop(p: Placed, from: string, to: string): { points: { x: number; y: number }[]; label: Box } | undefined {
  const a = p.boxes.get(from);
  const b = p.boxes.get(to);
  if (!a || !b) return undefined;
  const ltr = a.x + a.width <= b.x;
  const rtl = b.x + b.width <= a.x;
  const s = { x: ltr ? a.x + a.width : rtl ? a.x : a.x + a.width / 2, y: ltr || rtl ? a.y + a.height / 2 : a.y + a.height };
  const t = { x: ltr ? b.x : rtl ? b.x + b.width : b.x + b.width / 2, y: ltr || rtl ? b.y + b.height / 2 : b.y };
  const w = charsWidth(11, 9) + 4;
  return { points: [s, t], label: { x: (s.x + t.x) / 2 - w / 2, y: (s.y + t.y) / 2 - 16, width: w, height: 12 } };
}

export function renderSvg(d: Diagram, p: Placed): string {
  const headerLines = [d.title, d.subtitle, `routing tables: ${d.routesFrom}`, d.path.length > 0 ? `${d.pathLabel}: ${d.path.join(' → ')}` : 'no cross-datacentre path to show'];
  const width = Math.max(p.width, ...headerLines.map((l) => charsWidth(l.length, TITLE_FONT_SIZE) + 60));
  const height = p.height + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="${FONT}">`,
    `<title>${esc(d.title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(20, 22, headerLines[0]!, `font-size="15" font-weight="bold"`),
    text(20, 38, headerLines[1]!, `font-size="${TABLE_FONT_SIZE + 1}" fill="#374151"`),
    text(20, 52, headerLines[2]!, `font-size="${TABLE_FONT_SIZE + 1}" fill="#374151"`),
  ];
  if (d.path.length > 0) {
    out.push(`<line x1="20" y1="62" x2="44" y2="62" stroke="${PATH_COLOUR}" stroke-width="5" stroke-linecap="round"/>`);
    out.push(text(52, 66, headerLines[3]!, `font-size="${TABLE_FONT_SIZE + 1}" fill="${PATH_COLOUR}" font-weight="bold" class="path-legend"`));
  } else out.push(text(20, 66, headerLines[3]!, `font-size="${TABLE_FONT_SIZE + 1}" fill="#6b7280"`));
  for (const dc of d.datacentres) {
    const b = p.boxes.get(dcId(dc.name));
    if (!b) continue;
    out.push(`<g id="${dcId(dc.name)}" class="datacentre"><rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="10" fill="#f8fafc" stroke="#94a3b8" stroke-dasharray="6 3"/>`
      + text(b.x + 12, b.y + 21, dc.label, `font-size="13" font-weight="bold" fill="#334155"`) + '</g>');
  }
  // Links: plain ones first, the path on top; hidden hops last, over the cards.
  const drawLink = (l: Diagram['links'][number]) => {
    const e = l.hidden ? hiddenHop(p, l.from, l.to) : p.edges.get(l.id);
    if (!e || e.points.length < 2) return;
    const pts = e.points.map((q) => `${n(q.x)},${n(q.y)}`).join(' ');
    out.push(l.onPath
      ? `<polyline class="path" points="${pts}" fill="none" stroke="${PATH_COLOUR}" stroke-width="6" stroke-linejoin="round" stroke-linecap="round" opacity="0.9"${l.hidden ? ' stroke-dasharray="4 10"' : ''}/>`
      : `<polyline points="${pts}" fill="none" stroke="#64748b" stroke-width="1.4"/>`);
    if (l.label && e.label) {
      out.push(`<rect x="${n(e.label.x - 1)}" y="${n(e.label.y - 1)}" width="${n(e.label.width + 2)}" height="${n(e.label.height + 2)}" fill="#ffffff" opacity="0.85"/>`);
      out.push(text(e.label.x + 2, e.label.y + 9, l.label, `font-size="9" fill="${l.onPath ? PATH_COLOUR : '#475569'}"`));
    }
  };
  for (const l of d.links.filter((x) => !x.onPath)) drawLink(l);
  for (const l of d.links.filter((x) => x.onPath && !x.hidden)) drawLink(l);
  for (const s of d.segments) {
    const b = p.boxes.get(s.id);
    if (b) out.push(segment(s, b));
  }
  for (const m of d.machines) {
    const b = p.boxes.get(m.id);
    if (!b) continue;
    const i = d.path.indexOf(m.name);
    out.push(machineCard(m, b, i >= 0 ? i + 1 : undefined));
  }
  for (const l of d.links.filter((x) => x.hidden)) drawLink(l);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
