/**
 * Progress on stderr for long CLI runs: `label  120/5000 (2.4%)  4.1 img/s  ETA 19m50s`.
 * On a terminal the line is redrawn in place (at most every `minIntervalMs`); otherwise (a log
 * file, CI) a full line is written at most every `logIntervalMs`, plus the final one.
 * Warnings go through `log()`, which keeps them from being drawn over.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** items to do (0: nothing is drawn) */
  total: number;
  label: string;
  /** unit of the rate, e.g. 'img' (default 'it') */
  unit?: string;
  stream?: ProgressStream;
  /** clock in milliseconds (tests inject one) */
  now?: () => number;
  /** terminal redraw interval (default 100 ms) */
  minIntervalMs?: number;
  /** non-terminal line interval (default 5000 ms) */
  logIntervalMs?: number;
}

export const progressDefaults = { unit: 'it', minIntervalMs: 100, logIntervalMs: 5000 } as const;

/** 42s, 3m05s, 2h07m */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** one progress line; rate and ETA are left out until something is done */
export function formatProgress(p: { label: string; done: number; total: number; elapsedMs: number; unit: string }): string {
  const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : '100.0';
  let line = `${p.label}  ${p.done}/${p.total} (${pct}%)`;
  if (p.done > 0 && p.elapsedMs > 0) {
    const rate = p.done / (p.elapsedMs / 1000);
    const rateText = rate >= 10 ? rate.toFixed(0) : rate >= 1 ? rate.toFixed(1) : rate.toFixed(2);
    line += `  ${rateText} ${p.unit}/s`;
    line += p.done < p.total ? `  ETA ${formatDuration((p.total - p.done) / rate)}` : `  in ${formatDuration(p.elapsedMs / 1000)}`;
  }
  return line;
}

export interface Progress {
  /** `n` more items done */
  tick(n?: number): void;
  /** a message on its own line (the progress line is redrawn after it on a terminal) */
  log(line: string): void;
  /** the final line */
  finish(): void;
}

export function createProgress(options: ProgressOptions): Progress {
  const { total, label } = options;
  const unit = options.unit ?? progressDefaults.unit;
  const stream: ProgressStream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = Boolean(stream.isTTY);
  const interval = tty ? (options.minIntervalMs ?? progressDefaults.minIntervalMs) : (options.logIntervalMs ?? progressDefaults.logIntervalMs);
  const start = now();
  let done = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  let drawnDone = -1;
  let finished = false;

  const line = () => formatProgress({ label, done, total, elapsedMs: now() - start, unit });
  const draw = () => {
    lastDraw = now();
    drawnDone = done;
    if (tty) {
      stream.write(`\r\x1b[2K${line()}`);
      drawn = true;
    } else {
      stream.write(`${line()}\n`);
    }
  };
  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };

  return {
    tick(n = 1) {
      done += n;
      if (total > 0 && !finished && now() - lastDraw >= interval) draw();
    },
    log(message) {
      clear();
      stream.write(`${message}\n`);
      if (tty && total > 0 && !finished && done > 0) draw();
    },
    finish() {
      if (finished || total === 0) return;
      finished = true;
      if (tty) {
        clear();
        stream.write(`${line()}\n`);
      } else if (drawnDone !== done) {
        stream.write(`${line()}\n`);
      }
    },
  };
}
