import { describe, expect, it } from 'vitest';
import {
  columnMeans,
  gram,
  gramSchmidtRows,
  matmul,
  matmulTransA,
  matmulTransB,
  transpose,
} from './linalg.ts';
import { topRightSingularVectors } from './svd.ts';
import { gaussianArray, seededRandom } from './random.ts';
import { tensor } from './tensor.ts';

/** Textbook triple loop: a[n×k]·b[k×m]. */
function naiveProduct(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let p = 0; p < k; p++) out[i * m + j] += a[i * k + p] * b[p * m + j];
  return out;
}

function naiveTranspose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('matrix products', () => {
  const random = seededRandom(7);
  // odd sizes exercise every remainder path of the 2×4 register block
  const [n, k, m] = [7, 5, 9];
  const a = gaussianArray(random, n * k);
  const b = gaussianArray(random, k * m);
  const expected = naiveProduct(a, b, n, k, m);

  it('matmul(a, b) equals the triple loop, with Float32 or Float64 inputs', () => {
    const out = matmul(tensor('N K', a, [n, k]), tensor('K M', b, [k, m]), 'N M');
    expect(out.dims).toEqual([n, m]);
    expectClose(out.data, expected, 1e-12);
    const out32 = matmul(tensor('N K', Float32Array.from(a), [n, k]), tensor('K M', Float32Array.from(b), [k, m]), 'N M');
    expectClose(out32.data, expected, 1e-5);
  });

  it('matmulTransB(a, bᵀ) and matmulTransA(aᵀ, b) equal a·b', () => {
    const bt = naiveTranspose(b, k, m);
    expectClose(matmulTransB(tensor('N K', a, [n, k]), tensor('M K', bt, [m, k]), 'N M').data, expected, 1e-12);
    const at = naiveTranspose(a, n, k);
    expectClose(matmulTransA(tensor('K N', at, [k, n]), tensor('K M', b, [k, m]), 'N M').data, expected, 1e-12);
  });

  it('matmul of a known 2×2 case: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]', () => {
    const out = matmul(tensor('N K', Float64Array.of(1, 2, 3, 4), [2, 2]), tensor('K M', Float64Array.of(5, 6, 7, 8), [2, 2]), 'N M');
    expect(Array.from(out.data)).toEqual([19, 22, 43, 50]);
  });

  it('matmul rejects mismatched inner dims', () => {
    expect(() => matmul(tensor('N K', a, [n, k]), tensor('N K', a, [n, k]), 'N M')).toThrow(/inner dims/);
  });

  it('transpose(a) swaps the dims', () => {
    const t = transpose(tensor('N K', a, [n, k]), 'K N');
    expect(t.dims).toEqual([k, n]);
    expectClose(t.data, naiveTranspose(a, n, k), 0);
  });

  it('gram(c) equals cᵀc across several row blocks (K = 1100 > one block)', () => {
    const rows = 1100;
    const d = 6;
    const c = gaussianArray(random, rows * d);
    const g = gram(tensor('K D', c, [rows, d]));
    const want = naiveProduct(naiveTranspose(c, rows, d), c, d, rows, d);
    expectClose(g.data, want, 1e-9);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(g.data[i * d + j]).toBe(g.data[j * d + i]);
  });

  it('columnMeans([[1,2],[3,6]]) = [2,4]', () => {
    expect(Array.from(columnMeans(tensor('K D', Float64Array.of(1, 2, 3, 6), [2, 2])).data)).toEqual([2, 4]);
  });
});

describe('gramSchmidtRows', () => {
  it('orthonormalises independent rows and keeps their span', () => {
    const random = seededRandom(3);
    const [n, d] = [5, 8];
    const a = gaussianArray(random, n * d);
    const { basis, pivotOf } = gramSchmidtRows(tensor('N D', a, [n, d]), 'N D');
    expect(basis.dims).toEqual([n, d]);
    expect(Array.from(pivotOf)).toEqual([0, 1, 2, 3, 4]);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += basis.data[p * d + j] * basis.data[q * d + j];
        expect(s).toBeCloseTo(p === q ? 1 : 0, 14);
      }
    }
    // each input row is reproduced by its projection on the basis
    for (let i = 0; i < n; i++) {
      const proj = new Float64Array(d);
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += basis.data[q * d + j] * a[i * d + j];
        for (let j = 0; j < d; j++) proj[j] += s * basis.data[q * d + j];
      }
      expectClose(proj, a.subarray(i * d, (i + 1) * d), 1e-12);
    }
    // the first basis row is the first input row, normalised
    const norm0 = Math.hypot(...a.subarray(0, d));
    expectClose(basis.data.subarray(0, d), Array.from(a.subarray(0, d), (v) => v / norm0), 1e-15);
  });

  it('drops dependent rows: [e1, 2·e1, e1+e2, 0] → basis [e1, e2]', () => {
    const a = Float64Array.of(1, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 0);
    const { basis, pivotOf } = gramSchmidtRows(tensor('N D', a, [4, 3]), 'N D');
    expect(Array.from(pivotOf)).toEqual([0, -1, 1, -1]);
    expectClose(basis.data, [1, 0, 0, 0, 1, 0], 1e-15);
  });
});

describe('topRightSingularVectors', () => {
  it('recovers V and σ of C = U·diag(σ)·Vᵀ built from known factors (K = 300, D = 20)', () => {
    const random = seededRandom(11);
    const [k, d, r] = [300, 20, 6];
    const u = gramSchmidtRows(tensor('D K', gaussianArray(random, d * k), [d, k]), 'D K').basis.data; // d orthonormal rows of length k
    const v = gramSchmidtRows(tensor('D D', gaussianArray(random, d * d), [d, d]), 'D D').basis.data;
    const sigma = Array.from({ length: d }, (_, i) => 10 / (1 + i));
    const c = new Float64Array(k * d);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < d; p++) s += u[p * k + i] * sigma[p] * v[p * d + j];
        c[i * d + j] = s;
      }
    }
    const top = topRightSingularVectors(tensor('K D', c, [k, d]), r);
    expect(top.vectors.dims).toEqual([r, d]);
    for (let p = 0; p < r; p++) {
      expect(top.values[p]).toBeCloseTo(sigma[p], 10);
      expect(top.gramEigenvalues[p]).toBeCloseTo(sigma[p] ** 2, 9);
      let dot = 0;
      for (let j = 0; j < d; j++) dot += top.vectors.data[p * d + j] * v[p * d + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 10);
    }
  });

  it('clamps r to min(r, K, D)', () => {
    const c = gaussianArray(seededRandom(5), 3 * 8);
    const top = topRightSingularVectors(tensor('K D', c, [3, 8]), 80);
    expect(top.vectors.dims).toEqual([3, 8]);
    // with K = 3 < D the three right singular vectors span the rows of C
    for (let i = 0; i < 3; i++) {
      let kept = 0;
      let all = 0;
      for (let j = 0; j < 8; j++) all += c[i * 8 + j] ** 2;
      for (let p = 0; p < 3; p++) {
        let dot = 0;
        for (let j = 0; j < 8; j++) dot += top.vectors.data[p * 8 + j] * c[i * 8 + j];
        kept += dot * dot;
      }
      expect(kept / all).toBeCloseTo(1, 10);
    }
  });
});
