import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { headPool, retrieveByImage, retrieveByText, retrieveByVector } from './retrieval.ts';

// 6 images, L=2, H=2, D=3; head (1, 0) carries a planted order along x, the other heads are decoys.
const planted = [0.5, 3, -1, 2, 3, 1]; // x-coordinate of head (1,0) per image
const images = planted.map((x, m) => {
  const data = new Float32Array(2 * 2 * 3).fill(10 - m); // decoy heads rank images the other way
  data.set([x, 1, 0], (1 * 2 + 0) * 3);
  return tensor('L H D', data, [2, 2, 3]);
});
const pool = headPool(images, 1, 0);

describe('head retrieval', () => {
  it('headPool gathers one head of every image into [M, D]', () => {
    expect(pool.dims).toEqual([6, 3]);
    expect(Array.from(pool.data.subarray(9, 12))).toEqual([2, 1, 0]);
  });

  it('retrieveByText(pool, x̂, 4) returns the planted order with ties by index (1 before 4)', () => {
    expect(retrieveByText(pool, [1, 0, 0], 4)).toEqual([
      { index: 1, score: 3 },
      { index: 4, score: 3 },
      { index: 3, score: 2 },
      { index: 5, score: 1 },
    ]);
  });

  it('retrieveByImage uses raw dot products with the query head and leaves the query out', () => {
    // query image 3 = (2, 1, 0): scores 2·x + 1 -> images 1, 4 (7), 5 (3), 0 (2), 2 (-1)
    expect(retrieveByImage(pool, 3, 3).map((r) => [r.index, r.score])).toEqual([[1, 7], [4, 7], [5, 3]]);
    expect(retrieveByImage(pool, 3, 2, { excludeQuery: false }).map((r) => r.index)).toEqual([1, 4]);
    expect(retrieveByImage(pool, 1, 10).map((r) => r.index)).toEqual([4, 3, 5, 0, 2]);
  });

  it('a different head ranks by its own terms (decoys: higher for earlier images)', () => {
    const decoy = headPool(images, 0, 1);
    expect(retrieveByVector(decoy, [1, 1, 1], 3).map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('rejects bad queries and heads', () => {
    expect(() => retrieveByImage(pool, 6, 1)).toThrow(/query image 6 is outside 0-5/);
    expect(() => retrieveByText(pool, [1, 0], 1)).toThrow(/query has 2 entries, pool rows have 3/);
    expect(() => headPool(images, 2, 0)).toThrow(/head L2.H0 is outside 2x2/);
  });
});
