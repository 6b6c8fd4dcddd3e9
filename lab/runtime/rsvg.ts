// SVG to PNG with rsvg-convert (librsvg2-bin, optional): the only process the reports spawn.
import { run } from './exec.ts';
import { which } from './tools.ts';

/** Writes `png` from `svg`; false (and nothing written) when rsvg-convert is missing or fails. */
export async function svgToPng(svg: string, png: string): Promise<boolean> {
  if (!which('rsvg-convert')) return false;
  const r = await run(['rsvg-convert', '--format', 'png', '--background-color', 'white', '--output', png, svg], { timeoutMs: 30_000 });
  return r.code === 0;
}
