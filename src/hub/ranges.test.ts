import { describe, expect, it } from 'vitest';
import { coalesceRanges, coversRange, isWholeFile, parseContentRange, rangeHeader, totalLength } from './ranges.ts';

describe('byte ranges', () => {
  it('coalesceRanges sorts, merges overlapping and touching ranges, drops empty ones', () => {
    const got = coalesceRanges([
      { start: 50, end: 60 },
      { start: 0, end: 10 },
      { start: 10, end: 20 }, // touches [0,10)
      { start: 15, end: 18 }, // inside
      { start: 30, end: 30 }, // empty
      { start: 59, end: 70 }, // overlaps [50,60)
    ]);
    expect(got).toEqual([
      { start: 0, end: 20 },
      { start: 50, end: 70 },
    ]);
    expect(totalLength(got)).toBe(40);
  });

  it('coalesceRanges(ranges, maxGap) also merges ranges at most maxGap apart', () => {
    const r = [
      { start: 0, end: 10 },
      { start: 14, end: 20 }, // gap 4
      { start: 30, end: 40 }, // gap 10
    ];
    expect(coalesceRanges(r, 4)).toEqual([
      { start: 0, end: 20 },
      { start: 30, end: 40 },
    ]);
    expect(coalesceRanges(r, 10)).toEqual([{ start: 0, end: 40 }]);
    expect(coalesceRanges(r, 3)).toHaveLength(3);
  });

  it('coversRange and isWholeFile', () => {
    const r = coalesceRanges([{ start: 0, end: 8 }, { start: 20, end: 30 }]);
    expect(coversRange(r, 20, 30)).toBe(true);
    expect(coversRange(r, 2, 5)).toBe(true);
    expect(coversRange(r, 5, 21)).toBe(false);
    expect(coversRange(r, 29, 31)).toBe(false);
    expect(isWholeFile(r, 30)).toBe(false);
    expect(isWholeFile([{ start: 0, end: 30 }], 30)).toBe(true);
  });

  it('rangeHeader writes an inclusive end; parseContentRange reads it back', () => {
    expect(rangeHeader(100, 200)).toBe('bytes=100-199');
    expect(parseContentRange('bytes 100-199/5000')).toEqual({ start: 100, end: 200, size: 5000 });
    expect(parseContentRange('bytes 0-0/*')).toEqual({ start: 0, end: 1, size: undefined });
    expect(parseContentRange('bytes */5000')).toBeUndefined();
    expect(parseContentRange(null)).toBeUndefined();
  });
});
