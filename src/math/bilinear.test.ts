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

  it('equals the four-tap formula of align_corners=False at every pixel, bit for bit (random 14x14 map to 224x224 and to 37x61)', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const src = Float64Array.from({ length: 14 * 14 }, next);
    const coord = (d: number, inSize: number, outSize: number) => Math.max((d + 0.5) * (inSize / outSize) - 0.5, 0);
    for (const [outH, outW] of [[224, 224], [37, 61]]) {
      const out = upsampleBilinear(tensor('Y X', src, [14, 14]), outH, outW).data;
      for (let y = 0; y < outH; y++) {
        const sy = coord(y, 14, outH);
        const y0 = Math.min(Math.floor(sy), 13);
        const y1 = Math.min(y0 + 1, 13);
        const fy = y1 === y0 ? 0 : sy - y0;
        for (let x = 0; x < outW; x++) {
          const sx = coord(x, 14, outW);
          const x0 = Math.min(Math.floor(sx), 13);
          const x1 = Math.min(x0 + 1, 13);
          const fx = x1 === x0 ? 0 : sx - x0;
          const top = (1 - fx) * src[y0 * 14 + x0] + fx * src[y0 * 14 + x1];
          const bottom = (1 - fx) * src[y1 * 14 + x0] + fx * src[y1 * 14 + x1];
          expect(out[y * outW + x]).toBe((1 - fy) * top + fy * bottom);
        }
      }
    }
  });

  it('rejects an invalid output size', () => {
    expect(() => upsampleBilinear(map([[1]]), 0, 2)).toThrow(/invalid output size 0x2/);
  });
});
