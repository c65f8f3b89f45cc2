import { describe, expect, it } from 'vitest';
import { topK } from './topk.ts';
import { vecArgmax, vecNormalized } from './vector.ts';

describe('topK', () => {
  it('topK(scores, 3) returns the planted best three, best first', () => {
    const scores = [0.1, 0.9, -2, 0.5, 0.7, 0.3];
    expect(topK(scores, 3)).toEqual([
      { index: 1, score: 0.9 },
      { index: 4, score: 0.7 },
      { index: 3, score: 0.5 },
    ]);
  });

  it('orders equal scores by ascending index, whatever the input order', () => {
    const scores = [1, 2, 2, 0, 2, 1];
    expect(topK(scores, 4).map((r) => r.index)).toEqual([1, 2, 4, 0]);
    expect(topK(scores, 2).map((r) => r.index)).toEqual([1, 2]);
  });

  it('matches a full stable sort on a larger random input', () => {
    const scores = Array.from({ length: 500 }, (_, i) => Math.round(Math.sin(i * 12.9898) * 20));
    const want = scores
      .map((score, index) => ({ index, score }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, 25);
    expect(topK(scores, 25)).toEqual(want);
  });

  it('skips NaN, caps k at the length, and returns [] for k = 0', () => {
    expect(topK([NaN, 1, NaN, 2], 10)).toEqual([
      { index: 3, score: 2 },
      { index: 1, score: 1 },
    ]);
    expect(topK([1, 2], 0)).toEqual([]);
    expect(() => topK([1], -1)).toThrow(/non-negative integer/);
  });
});

describe('vector helpers', () => {
  it('vecArgmax takes the first maximum and ignores NaN', () => {
    expect(vecArgmax([1, 3, 3, 2])).toBe(1);
    expect(vecArgmax([NaN, -Infinity, -5])).toBe(2);
    expect(vecArgmax([])).toBe(-1);
  });

  it('vecNormalized([3, 4]) is [0.6, 0.8]; a zero vector is refused', () => {
    expect(Array.from(vecNormalized([3, 4]))).toEqual([0.6, 0.8]);
    expect(() => vecNormalized([0, 0])).toThrow(/norm 0/);
  });
});
