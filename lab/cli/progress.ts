// Stage progress on stderr. On a TTY: a spinner with the running time of the current stage, then a
// line with its duration. In CI or with --plain: one plain line per finished stage.
import type { Stage } from '../report/model.ts';
import type { StageEvent } from '../report/run.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR = '\r\x1b[2K';

export type { StageEvent };

export interface StageLoggerOptions {
  write?: (s: string) => void;
  intervalMs?: number;
  now?: () => number;
}

export function stageLine(s: Stage, tty: boolean): string {
  const mark = tty ? (s.ok ? '\x1b[32m✔\x1b[0m' : '\x1b[31m✖\x1b[0m') : s.ok ? 'done' : 'FAILED';
  return `  ${mark} ${s.name} (${s.ms} ms)${s.detail ? `: ${s.detail}` : ''}`;
}

export function stageLogger(plain: boolean, opts: StageLoggerOptions = {}): (s: StageEvent) => void {
  const write = opts.write ?? ((t: string) => void process.stderr.write(t));
  const now = opts.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return (s) => {
    if ('started' in s) {
      if (plain) return;
      stop();
      const t0 = now();
      let frame = 0;
      const draw = () => write(`${CLEAR}  ${FRAMES[frame++ % FRAMES.length]} ${s.name} ${((now() - t0) / 1000).toFixed(1)} s`);
      draw();
      timer = setInterval(draw, opts.intervalMs ?? 80);
      timer.unref(); // never keeps the process alive
      return;
    }
    if (plain) {
      write(`${stageLine(s, false)}\n`);
      return;
    }
    stop();
    write(`${CLEAR}${stageLine(s, true)}\n`);
  };
}
