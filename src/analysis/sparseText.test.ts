import { describe, expect, it } from 'vitest';
import { gaussianArray, seededRandom } from '../math/random.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { SparseTextDictionary, sparseTextDecomposition } from './sparseText.ts';

function unitTexts(count: number, width: number, seed: number): Tensor<'M D', Float64Array> {
  const random = seededRandom(seed);
  const data = gaussianArray(random, count * width);
  for (let j = 0; j < count; j++) {
    const row = data.subarray(j * width, (j + 1) * width);
    const norm = Math.hypot(...row);
    for (let d = 0; d < width; d++) row[d] /= norm;
  }
  return tensor('M D', data, [count, width]);
}

function combine(texts: Tensor<'M D', Float64Array>, parts: [number, number][]): Float64Array {
  const width = texts.dims[1];
  const y = new Float64Array(width);
  for (const [j, c] of parts) for (let d = 0; d < width; d++) y[d] += c * texts.data[j * width + d];
  return y;
}

/** Textbook OMP: full correlation scan, normal equations by Gaussian elimination (no QR, no NNLS). */
function naiveOmp(y: Float64Array, texts: Tensor<'M D', Float64Array>, k: number): { picks: number[]; coefficients: number[] } {
  const [count, width] = texts.dims;
  const row = (j: number) => texts.data.subarray(j * width, (j + 1) * width);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
  const picks: number[] = [];
  let coefficients: number[] = [];
  let res = Array.from(y);
  while (picks.length < k && Math.hypot(...res) > 1e-6 * Math.hypot(...y)) {
    const scores = Array.from({ length: count }, (_, j) => (picks.includes(j) ? -1 : Math.abs(dot(res, row(j)))));
    picks.push(scores.indexOf(Math.max(...scores)));
    const n = picks.length;
    const a = picks.map((i) => picks.map((j) => dot(row(i), row(j))));
    const b = picks.map((i) => dot(row(i), y));
    for (let c = 0; c < n; c++) {
      for (let r = c + 1; r < n; r++) {
        const f = a[r][c] / a[c][c];
        for (let q = c; q < n; q++) a[r][q] -= f * a[c][q];
        b[r] -= f * b[c];
      }
    }
    coefficients = new Array(n).fill(0);
    for (let r = n - 1; r >= 0; r--) {
      let s = b[r];
      for (let q = r + 1; q < n; q++) s -= a[r][q] * coefficients[q];
      coefficients[r] = s / a[r][r];
    }
    res = Array.from(y).map((v, d) => v - picks.reduce((s, j, c) => s + coefficients[c] * row(j)[d], 0));
  }
  return { picks, coefficients };
}

describe('sparseTextDecomposition (METHOD §10)', () => {
  const texts = unitTexts(40, 64, 7);

  it('recovers a target built from 3 known texts with their coefficients, and stops there', () => {
    const y = combine(texts, [[3, 0.7], [10, 0.4], [7, -0.2]]);
    const result = sparseTextDecomposition(y, texts, { maxTexts: 10 });
    expect(result.picks.map((p) => p.index)).toEqual([3, 10, 7]);
    const byIndex = new Map(result.picks.map((p) => [p.index, p.coefficient]));
    expect(byIndex.get(3)).toBeCloseTo(0.7, 10);
    expect(byIndex.get(10)).toBeCloseTo(0.4, 10);
    expect(byIndex.get(7)).toBeCloseTo(-0.2, 10);
    expect(result.stop).toBe('residual');
    expect(result.cosine).toHaveLength(3);
    expect(result.cosine[2]).toBeCloseTo(1, 12);
    expect(result.relativeResidual).toBeLessThan(1e-6);
  });

  it('picks and coefficients equal a textbook OMP on a target no few texts explain', () => {
    const y = Float64Array.from(gaussianArray(seededRandom(11), 64));
    const result = sparseTextDecomposition(y, texts, { maxTexts: 8 });
    const naive = naiveOmp(y, texts, 8);
    expect(result.picks.map((p) => p.index)).toEqual(naive.picks);
    result.picks.forEach((p, c) => expect(p.coefficient).toBeCloseTo(naive.coefficients[c], 9));
    expect(result.stop).toBe('max-texts');
    // the cosine never falls as texts are added (nested least-squares fits)
    for (let i = 1; i < result.cosine.length; i++) expect(result.cosine[i]).toBeGreaterThanOrEqual(result.cosine[i - 1] - 1e-12);
  });

  it('scales out of the texts: the coefficients of 5·y are 5 times those of y', () => {
    const y = combine(texts, [[1, 0.3], [2, 0.5]]);
    const a = sparseTextDecomposition(y, texts, { maxTexts: 2 });
    const b = sparseTextDecomposition(y.map((v) => 5 * v), texts, { maxTexts: 2 });
    a.picks.forEach((p, c) => expect(b.picks[c].coefficient).toBeCloseTo(5 * p.coefficient, 10));
  });

  it('texts need not be unit vectors: they are normalised before the pursuit', () => {
    const scaled = tensor('M D', texts.data.map((v, i) => v * (1 + Math.floor(i / 64))), texts.dims);
    const y = combine(texts, [[5, 0.9], [20, 0.3]]);
    const result = sparseTextDecomposition(y, scaled, { maxTexts: 5 });
    expect(result.picks.map((p) => [p.index, Number(p.coefficient.toFixed(10))])).toEqual([[5, 0.9], [20, 0.3]]);
  });

  it('exact ties go to the lowest index', () => {
    const width = 4;
    const data = new Float64Array(3 * width);
    data.set([0, 1, 0, 0], 0);
    data.set([1, 0, 0, 0], width);
    data.set([1, 0, 0, 0], 2 * width);
    const result = sparseTextDecomposition([2, 0, 0, 0], tensor('M D', data, [3, width]), { maxTexts: 3 });
    expect(result.picks).toEqual([{ index: 1, coefficient: 2 }]);
    expect(result.stop).toBe('residual');
  });

  it('non-negative: never a negative coefficient, and the fit satisfies the NNLS optimality conditions', () => {
    const y = combine(texts, [[3, 0.7], [10, 0.4], [7, -0.5], [12, -0.3]]);
    const result = sparseTextDecomposition(y, texts, { maxTexts: 6, nonnegative: true });
    expect(result.picks.length).toBeGreaterThan(0);
    for (const p of result.picks) expect(p.coefficient).toBeGreaterThanOrEqual(0);
    expect(result.picks.map((p) => p.index)).toContain(3);
    expect(result.picks.map((p) => p.index)).not.toContain(7);
    // a planted non-negative target is recovered exactly
    const positive = combine(texts, [[3, 0.7], [10, 0.4]]);
    const exact = sparseTextDecomposition(positive, texts, { maxTexts: 6, nonnegative: true });
    expect(exact.picks.map((p) => p.index)).toEqual([3, 10]);
    expect(exact.picks[0].coefficient).toBeCloseTo(0.7, 8);
    expect(exact.picks[1].coefficient).toBeCloseTo(0.4, 8);
    expect(exact.stop).toBe('residual');
  });

  it('non-negative: stops when no text correlates positively with the residual', () => {
    const width = 3;
    const data = Float64Array.from([1, 0, 0, 0, 1, 0]);
    const result = sparseTextDecomposition([-1, -2, 0.5], tensor('M D', data, [2, width]), { maxTexts: 5, nonnegative: true });
    expect(result.picks).toEqual([]);
    expect(result.stop).toBe('no-correlation');
  });

  it('center: the dictionary mean leaves target and texts; a planted centred target is recovered', () => {
    const width = 3;
    const data = Float64Array.from([1, 0, 1, 0, 1, 1, -1, -1, 1]);
    const t = tensor('M D', data, [3, width]);
    const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
    const rows = [0, 1, 2].map((j) => unit(Array.from(data.subarray(j * 3, j * 3 + 3))));
    const mean = [0, 1, 2].map((d) => rows.reduce((s, r) => s + r[d], 0) / 3);
    const centredText0 = unit(rows[0].map((v, d) => v - mean[d]));
    // y = mean + 0.5·(centred unit text 0): after centring, exactly 0.5 × text 0
    const y = mean.map((m, d) => m + 0.5 * centredText0[d]);
    const centred = sparseTextDecomposition(y, t, { maxTexts: 3, center: true });
    expect(centred.picks).toHaveLength(1);
    expect(centred.picks[0].index).toBe(0);
    expect(centred.picks[0].coefficient).toBeCloseTo(0.5, 12);
    expect(centred.stop).toBe('residual');
    // uncentred, the same y needs more than one text
    expect(sparseTextDecomposition(y, t, { maxTexts: 3 }).picks.length).toBeGreaterThan(1);
  });

  it('a dictionary built once gives, for many targets, exactly what a per-call one gives; its centring must match', () => {
    const plain = new SparseTextDictionary(texts);
    const centred = new SparseTextDictionary(texts, { center: true });
    for (const seed of [1, 2, 3]) {
      const y = gaussianArray(seededRandom(seed), 64);
      expect(sparseTextDecomposition(y, plain, { maxTexts: 5 })).toEqual(sparseTextDecomposition(y, texts, { maxTexts: 5 }));
      expect(sparseTextDecomposition(y, centred, { maxTexts: 5, center: true })).toEqual(sparseTextDecomposition(y, texts, { maxTexts: 5, center: true }));
    }
    expect(() => sparseTextDecomposition(new Float64Array(64), centred, { maxTexts: 2 })).toThrow(/built centred but center is false/);
  });

  it('rejects a target of the wrong width and a non-positive text count', () => {
    expect(() => sparseTextDecomposition([1, 2], texts)).toThrow(/target has 2 values, the texts have width 64/);
    expect(() => sparseTextDecomposition(new Float64Array(64), texts, { maxTexts: 0 })).toThrow(/positive integer/);
  });
});
