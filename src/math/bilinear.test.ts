import { describe, expect, it } from 'vitest';
import { upsampleBilinear } from './bilinear.ts';
import { tensor } from './tensor.ts';

const map = (rows: number[][]) => tensor('Y X', Float64Array.from(rows.flat()), [rows.length, rows[0].length]);

describe('upsampleBilinear (PyTorch align_corners=False)', () => {
  it('upsampleBilinear([[0,1],[2,3]], 4, 4) equals the hand-computed grid (source coords 0, .25, .75, 1)', () => {
    // f(y, x) = 2y + x is linear, so each output is f at the clamped source coordinates
    const out = upsampleBilinear(map([[0, 1], [2, 3]]), 4, 4);
    expect(out.dims).toEqual([4, 4]);
    expect(Array.from(out.data)).toEqual([
      0, 0.25, 0.75, 1,
      0.5, 0.75, 1.25, 1.5,
      1.5, 1.75, 2.25, 2.5,
      2, 2.25, 2.75, 3,
    ]);
  });

  it('a single corner spreads with product weights: out[1][1] = 0.75·0.75, edges are clamped', () => {
    const out = upsampleBilinear(map([[1, 0], [0, 0]]), 4, 4).data;
    expect(out[0]).toBe(1);
    expect(out[1 * 4 + 1]).toBe(0.5625);
    expect(out[1 * 4 + 2]).toBe(0.75 * 0.25);
    expect(out[3 * 4 + 3]).toBe(0);
  });

  it('factor 3 on a 3-wide row: taps at (d + 0.5)/3 − 0.5', () => {
    const out = upsampleBilinear(map([[0, 3, 9]]), 1, 9).data;
    // src x = -1/3→0, 0, 1/3, 2/3, 1, 4/3, 5/3, 2, 7/3→clamped neighbour
    const want = [0, 0, 1, 2, 3, 5, 7, 9, 9];
    want.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
  });

  it('same size is the identity; a 1x1 map becomes a constant', () => {
    expect(Array.from(upsampleBilinear(map([[1, 2], [3, 4]]), 2, 2).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(upsampleBilinear(map([[5]]), 3, 2).data)).toEqual([5, 5, 5, 5, 5, 5]);
  });

  it('pixels past the last source row/column equal the edge value exactly (no rounding from two equal taps)', () => {
    const v = [0.1, 0.7, 1 / 3, -1.8882075384588168]; // the last value picks up an ulp from w·v + (1 − w)·v
    const out = upsampleBilinear(tensor('Y X', Float64Array.from(v), [1, 4]), 1, 56).data;
    // output columns 49..55 sample beyond source column 3
    for (let x = 49; x < 56; x++) expect(out[x]).toBe(v[3]);
    for (let x = 0; x < 7; x++) expect(out[x]).toBe(v[0]);
  });

  it('rejects an invalid output size', () => {
    expect(() => upsampleBilinear(map([[1]]), 0, 2)).toThrow(/invalid output size 0x2/);
  });
});
