// Stage progress on stderr: one line per finished stage (CI, --plain), or a live line on a TTY.
import type { Stage } from '../report/model.ts';

export function stageLogger(plain: boolean): (s: Stage | { name: string; started: true }) => void {
  return (s) => {
    if ('started' in s) {
      if (!plain) process.stderr.write(`  ... ${s.name}`);
      return;
    }
    const line = `  ${s.ok ? 'done' : 'FAILED'} ${s.name} (${s.ms} ms)${s.detail ? `: ${s.detail}` : ''}`;
    process.stderr.write(plain ? `${line}\n` : `\r\x1b[2K${line}\n`);
  };
}
