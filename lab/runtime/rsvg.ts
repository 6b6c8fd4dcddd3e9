// SVG to PNG with rsvg-convert (librsvg2-bin, optional): the only process the reports spawn.
import { inRunCgroup } from './cgroup.ts';
import { run } from './exec.ts';
import { which } from './tools.ts';

/**
 * Writes `png` from `svg`; false (and nothing written) when rsvg-convert is missing or fails. With a
 * run id it runs in that run's cgroup: an orchestrator killed mid-run leaves no converter behind
 * that `lab down` would not end.
 */
export async function svgToPng(svg: string, png: string, runId?: string): Promise<boolean> {
  if (!which('rsvg-convert')) return false;
  const r = await run(inRunCgroup(runId, ['rsvg-convert', '--format', 'png', '--background-color', 'white', '--output', png, svg]), { timeoutMs: 30_000 });
  return r.code === 0;
}
