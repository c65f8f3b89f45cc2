import { describe, expect, it } from 'vitest';
import { gramSchmidtRows } from './linalg.ts';
import { gaussianArray, seededRandom } from './random.ts';
import { symmetricEigen } from './symmetricEigen.ts';
import { tensor } from './tensor.ts';

/** A random orthogonal n×n matrix (rows orthonormal). */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const q = gramSchmidtRows(tensor('N N', gaussianArray(seededRandom(seed), n * n), [n, n]), 'N N').basis;
  expect(q.dims[0]).toBe(n);
  return q.data;
}

/** A = Qᵀ diag(λ) Q, so row i of Q is an eigenvector for λ_i. */
function withSpectrum(q: Float64Array, lambda: number[]): Float64Array {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += q[p * n + i] * lambda[p] * q[p * n + j];
      a[i * n + j] = s;
    }
  }
  // exact symmetry (the eigensolver reads both triangles)
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

function maxResidual(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): number {
  let worst = 0;
  for (let r = 0; r < values.length; r++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[r * n + j];
      worst = Math.max(worst, Math.abs(s - values[r] * vectors[r * n + i]));
    }
  }
  return worst;
}

function maxOrthonormalityError(vectors: Float64Array, count: number, n: number): number {
  let worst = 0;
  for (let p = 0; p < count; p++) {
    for (let q = 0; q < count; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors[p * n + i] * vectors[q * n + i];
      worst = Math.max(worst, Math.abs(s - (p === q ? 1 : 0)));
    }
  }
  return worst;
}

describe('symmetricEigen', () => {
  it('symmetricEigen([[2,1],[1,2]]) gives 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2', () => {
    const { values, vectors } = symmetricEigen(tensor('N N', Float64Array.of(2, 1, 1, 2), [2, 2]));
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    const v = vectors.data;
    expect(Math.abs(v[0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(v[0] * v[1]).toBeCloseTo(0.5, 14);
    expect(v[2] * v[3]).toBeCloseTo(-0.5, 14);
  });

  it('symmetricEigen(A, {count: 12}) recovers a planted spectrum and its eigenvectors (n = 60)', () => {
    const n = 60;
    const q = randomOrthogonal(n, 1);
    // distinct eigenvalues, given in shuffled order, some negative
    const lambda = Array.from({ length: n }, (_, i) => ((i * 37) % n) - 20 + 0.5);
    const a = withSpectrum(q, lambda);
    const { values, vectors } = symmetricEigen(tensor('N N', a, [n, n]), { count: 12 });
    const order = lambda.map((l, i) => [l, i] as const).sort((x, y) => y[0] - x[0]);
    for (let r = 0; r < 12; r++) {
      expect(values[r]).toBeCloseTo(order[r][0], 10);
      // |⟨found, planted⟩| = 1: the same eigenvector up to sign
      const src = order[r][1];
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vectors.data[r * n + i] * q[src * n + i];
      expect(Math.abs(dot)).toBeCloseTo(1, 10);
    }
    expect(maxResidual(a, n, values, vectors.data)).toBeLessThan(1e-11);
    expect(maxOrthonormalityError(vectors.data, 12, n)).toBeLessThan(1e-12);
  });

  it('symmetricEigen(A, {count: 40}) on n = 150: several panels of the blocked reduction and a partial last block', () => {
    const n = 150;
    const q = randomOrthogonal(n, 4);
    const lambda = Array.from({ length: n }, (_, i) => ((i * 53) % n) / 7 - 5);
    const a = withSpectrum(q, lambda);
    const { values, vectors } = symmetricEigen(tensor('N N', a, [n, n]), { count: 40 });
    const sorted = [...lambda].sort((x, y) => y - x);
    for (let r = 0; r < 40; r++) expect(values[r]).toBeCloseTo(sorted[r], 11);
    expect(maxResidual(a, n, values, vectors.data)).toBeLessThan(1e-11);
    expect(maxOrthonormalityError(vectors.data, 40, n)).toBeLessThan(1e-12);
  });

  it('symmetricEigen handles repeated and zero eigenvalues (a low-rank Gram-like matrix)', () => {
    const n = 40;
    const q = randomOrthogonal(n, 2);
    // top eigenvalue 5 three times, then 2 twice, then zeros: the top-10 includes five null vectors
    const lambda = Array.from({ length: n }, (_, i) => (i < 3 ? 5 : i < 5 ? 2 : 0));
    const a = withSpectrum(q, lambda);
    const { values, vectors } = symmetricEigen(tensor('N N', a, [n, n]), { count: 10 });
    for (let r = 0; r < 5; r++) expect(values[r]).toBeCloseTo([5, 5, 5, 2, 2][r], 12);
    for (let r = 5; r < 10; r++) expect(Math.abs(values[r])).toBeLessThan(1e-12);
    expect(maxResidual(a, n, values, vectors.data)).toBeLessThan(1e-12);
    expect(maxOrthonormalityError(vectors.data, 10, n)).toBeLessThan(1e-12);
    // the 3 vectors for eigenvalue 5 span exactly the planted 3-dim eigenspace
    for (let r = 0; r < 3; r++) {
      let inSpace = 0;
      for (let p = 0; p < 3; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors.data[r * n + i] * q[p * n + i];
        inSpace += dot * dot;
      }
      expect(inSpace).toBeCloseTo(1, 12);
    }
  });

  it('symmetricEigen on a diagonal matrix (no reflection needed) returns the sorted diagonal', () => {
    const d = [3, -1, 7, 0, 2];
    const a = new Float64Array(25);
    d.forEach((v, i) => (a[i * 5 + i] = v));
    const { values, vectors } = symmetricEigen(tensor('N N', a, [5, 5]));
    [7, 3, 2, 0, -1].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 14));
    expect(Math.abs(vectors.data[0 * 5 + 2])).toBeCloseTo(1, 14);
    expect(maxOrthonormalityError(vectors.data, 5, 5)).toBeLessThan(1e-14);
  });

  it('symmetricEigen of the zero matrix and of a 1×1 matrix', () => {
    const zero = symmetricEigen(tensor('N N', new Float64Array(9), [3, 3]), { count: 2 });
    expect(Array.from(zero.values)).toEqual([0, 0]);
    expect(maxOrthonormalityError(zero.vectors.data, 2, 3)).toBe(0);
    const one = symmetricEigen(tensor('N N', Float64Array.of(-4), [1, 1]));
    expect(one.values[0]).toBeCloseTo(-4, 14);
    expect(Math.abs(one.vectors.data[0])).toBe(1);
  });

  it('symmetricEigen rejects a non-square matrix', () => {
    expect(() => symmetricEigen(tensor('N M', new Float64Array(6), [2, 3]))).toThrow(/square/);
  });
});
