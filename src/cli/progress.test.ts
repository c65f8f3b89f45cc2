import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, formatProgress } from './progress.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } };
}

describe('progress', () => {
  it('formatDuration(s) gives seconds, minutes+seconds, hours+minutes', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(2 * 3600 + 7 * 60 + 10)).toBe('2h07m');
    expect(formatDuration(Infinity)).toBe('?');
  });

  it('formatProgress: count, percentage, rate and ETA = remaining / rate', () => {
    // 30 of 120 in 10 s: 3/s, 90 left -> 30 s
    expect(formatProgress({ label: 'analyze', done: 30, total: 120, elapsedMs: 10_000, unit: 'img' })).toBe('analyze  30/120 (25.0%)  3.0 img/s  ETA 30s');
    expect(formatProgress({ label: 'analyze', done: 0, total: 120, elapsedMs: 0, unit: 'img' })).toBe('analyze  0/120 (0.0%)');
    expect(formatProgress({ label: 'x', done: 5, total: 5, elapsedMs: 125_000, unit: 'it' })).toBe('x  5/5 (100.0%)  0.04 it/s  in 2m05s');
  });

  it('createProgress on a terminal redraws one line in place, and log() keeps messages off it', () => {
    let t = 0;
    const { chunks, stream } = sink(true);
    const p = createProgress({ total: 4, label: 'run', unit: 'img', stream, now: () => t, minIntervalMs: 100 });
    t = 1000;
    p.tick();
    t = 1050;
    p.tick(); // within the interval: not drawn
    p.log('warning: x');
    t = 2000;
    p.tick(2);
    p.finish();
    expect(chunks).toEqual([
      '\r\x1b[2Krun  1/4 (25.0%)  1.0 img/s  ETA 3s',
      '\r\x1b[2K',
      'warning: x\n',
      '\r\x1b[2Krun  2/4 (50.0%)  1.9 img/s  ETA 1s',
      '\r\x1b[2Krun  4/4 (100.0%)  2.0 img/s  in 2s',
      '\r\x1b[2K',
      'run  4/4 (100.0%)  2.0 img/s  in 2s\n',
    ]);
  });

  it('createProgress off a terminal writes whole lines at most every logIntervalMs, then the final line once', () => {
    let t = 0;
    const { chunks, stream } = sink(false);
    const p = createProgress({ total: 3, label: 'run', stream, now: () => t, logIntervalMs: 5000 });
    t = 1000;
    p.tick(); // first tick is drawn
    t = 2000;
    p.tick(); // too soon
    t = 3000;
    p.tick();
    p.finish();
    p.finish();
    expect(chunks).toEqual(['run  1/3 (33.3%)  1.0 it/s  ETA 2s\n', 'run  3/3 (100.0%)  1.0 it/s  in 3s\n']);
  });

  it('createProgress with total 0 draws nothing', () => {
    const { chunks, stream } = sink(false);
    const p = createProgress({ total: 0, label: 'run', stream });
    p.tick();
    p.finish();
    expect(chunks).toEqual([]);
  });
});
