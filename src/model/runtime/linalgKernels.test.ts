/**
 * onnxruntime-node float64 kernels against the JavaScript ones: the products agree to rounding,
 * and TEXTSPAN run through them picks the same texts as `textspan` with variance curves within
 * 1e-9 (the bar), on heads shaped like real ones (low rank + offset + noise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textspan, textspanWith } from '../../analysis/textspan.ts';
import { kernelBlockReflector, runKernelSteps, runKernelStepsAsync } from '../../math/kernelSteps.ts';
import { gram, matmulTransB } from '../../math/linalg.ts';
import { symmetricEigen, symmetricEigenSteps } from '../../math/symmetricEigen.ts';
import { seededRandom, type SeededRandom } from '../../math/random.ts';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { createOrtLinalgKernels, type OrtLinalgKernels } from './linalgKernels.node.ts';

let kernels: OrtLinalgKernels;
beforeAll(async () => {
  kernels = await createOrtLinalgKernels();
});
afterAll(async () => {
  await kernels?.release();
});

function gaussian(random: SeededRandom, length: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, () => random.gaussian() * scale);
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

/** a head-like [K×D] output: rank-`rank` signal with a decaying spectrum, an offset, isotropic noise */
function headLike(random: SeededRandom, k: number, d: number, rank: number): Tensor<'K D', Float32Array> {
  const z = gaussian(random, k * rank);
  for (let i = 0; i < k; i++) for (let a = 0; a < rank; a++) z[i * rank + a] /= 1 + a;
  const basis = gaussian(random, d * rank, 1 / Math.sqrt(d));
  const signal = matmulTransB(tensor('K E', z, [k, rank]), tensor('D E', basis, [d, rank]), 'K D').data;
  const offset = gaussian(random, d, 0.05);
  return tensor('K D', Float32Array.from(signal, (v, i) => v + offset[i % d] + 0.01 * random.gaussian()), [k, d]);
}

function unitRows(random: SeededRandom, m: number, d: number): Tensor<'M D', Float32Array> {
  const r = gaussian(random, m * d);
  for (let i = 0; i < m; i++) {
    const row = r.subarray(i * d, (i + 1) * d);
    const n = Math.hypot(...row);
    row.forEach((v, j) => (row[j] = v / n));
  }
  return tensor('M D', r, [m, d]);
}

describe('createOrtLinalgKernels (onnxruntime-node, float64)', () => {
  it('matmulTransB(a, b, n, m, k) equals the JavaScript a·bᵀ to rounding, for float32 and float64 operands and empty shapes', async () => {
    const random = seededRandom(11);
    const a = gaussian(random, 37 * 53);
    const b = Float64Array.from(gaussian(random, 29 * 53));
    const got = await kernels.matmulTransB(a, b, 37, 29, 53);
    const want = matmulTransB(tensor('N K', a, [37, 53]), tensor('M K', b, [29, 53]), 'N M').data;
    expect(got).toBeInstanceOf(Float64Array);
    expect(maxRelDiff(got, want)).toBeLessThan(1e-14);
    expect(await kernels.matmulTransB(a, b, 0, 29, 53)).toEqual(new Float64Array(0));
    expect(await kernels.matmulTransB(a, b, 3, 2, 0)).toEqual(new Float64Array(6));
  });

  it('centredGram(c, mean, rows, d) equals gram(c, {subtract: mean}), also past the 8,192-row chunk', async () => {
    const random = seededRandom(12);
    for (const [rows, d] of [[300, 24], [9000, 16], [40, 7], [5, 1]] as const) {
      const c = gaussian(random, rows * d);
      const mean = Float64Array.from({ length: d }, () => random.gaussian());
      const want = gram(tensor('K D', c, [rows, d]), { subtract: mean }).data;
      expect(maxRelDiff(await kernels.centredGram(c, mean, rows, d), want)).toBeLessThan(1e-13);
      expect(maxRelDiff(await kernels.centredGram(Float64Array.from(c), mean, rows, d), want)).toBeLessThan(1e-13);
    }
  });
});

describe('blockReflector (compact WY block of Householder reflectors)', () => {
  /** H_0 (H_1 z) for each row z, H_k = I − τ_k v_k v_kᵀ: the known answer for a block of two */
  function twoReflectors(rows: Float64Array, v: Float64Array, tau: [number, number], count: number, n: number): Float64Array {
    const out = Float64Array.from(rows);
    for (let r = 0; r < count; r++) {
      const z = out.subarray(r * n, (r + 1) * n);
      for (const k of [1, 0]) {
        const vk = v.subarray(k * n, (k + 1) * n);
        const s = tau[k] * vk.reduce((acc, x, i) => acc + x * z[i], 0);
        for (let i = 0; i < n; i++) z[i] -= s * vk[i];
      }
    }
    return out;
  }

  it('applies H_0 H_1 = I − Vᵀ T V (T = [[τ0, −τ0τ1 v0·v1], [0, τ1]]) to every row, in JavaScript and on onnxruntime', async () => {
    const random = seededRandom(21);
    const [count, n] = [5, 40];
    const rows = Float64Array.from(gaussian(random, count * n));
    const v = Float64Array.from(gaussian(random, 2 * n));
    const tau: [number, number] = [1.3, 0.7];
    let v01 = 0;
    for (let i = 0; i < n; i++) v01 += v[i] * v[n + i];
    const t = Float64Array.from([tau[0], -tau[0] * tau[1] * v01, 0, tau[1]]);
    const want = twoReflectors(rows, v, tau, count, n);
    const js = runKernelSteps(kernelBlockReflector(rows, v, t, count, n, 2));
    expect(maxRelDiff(js, want)).toBeLessThan(1e-13);
    expect(maxRelDiff(await kernels.blockReflector(rows, v, t, count, n, 2), want)).toBeLessThan(1e-13);
  });

  it('onnxruntime equals the JavaScript kernel to rounding on a 32-reflector block, also for views into larger arrays', async () => {
    const random = seededRandom(22);
    const [count, n, b] = [7, 100, 32];
    const rows = Float64Array.from(gaussian(random, count * n));
    const store = Float64Array.from(gaussian(random, (b + 3) * n));
    const v = store.subarray(3 * n); // a view at an offset, as the reflectors of a later block are
    const t = Float64Array.from({ length: b * b }, (_, i) => (i % b >= Math.floor(i / b) ? random.gaussian() / b : 0));
    const js = runKernelSteps(kernelBlockReflector(rows, v, t, count, n, b));
    expect(maxRelDiff(await kernels.blockReflector(rows, v, t, count, n, b), js)).toBeLessThan(1e-13);
  });
});

describe('symmetricEigenSteps on onnxruntime-node', () => {
  it('gives the eigenvalues and the top-r eigenspace of symmetricEigen (JavaScript) to rounding (n = 200, 3 panels + a partial one)', async () => {
    const random = seededRandom(13);
    const n = 200;
    const c = gaussian(random, 500 * n);
    const A = tensor('N N', gram(tensor('K D', c, [500, n])).data, [n, n]);
    const js = symmetricEigen(A, { count: 30 });
    const ort = await runKernelStepsAsync(symmetricEigenSteps(A, { count: 30 }), kernels);
    expect(maxRelDiff(ort.values, js.values)).toBeLessThan(1e-13);
    // the same 30-dim span: Σ_ij (y_i·y'_j)² = 30
    let s = 0;
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 30; j++) {
        let d = 0;
        for (let x = 0; x < n; x++) d += js.vectors.data[i * n + x] * ort.vectors.data[j * n + x];
        s += d * d;
      }
    }
    expect(Math.abs(s - 30)).toBeLessThan(1e-10);
  });
});

describe('textspanWith(C, R, options, ortKernels) against textspan(C, R, options)', () => {
  it.each([
    { k: 400, d: 96, m: 20, rank: 80, pool: 700, seed: 1 },
    { k: 150, d: 64, m: 30, rank: 40, pool: 300, seed: 2 },
    { k: 60, d: 96, m: 20, rank: 80, pool: 500, seed: 3 },
  ])('K $k, D $d, M $pool, m $m, r $rank: the same picks, curves within 1e-9, the same reconstruction to 1e-6', async ({ k, d, m, rank, pool, seed }) => {
    const random = seededRandom(seed);
    const C = headLike(random, k, d, Math.min(30, d - 8));
    const R = unitRows(random, pool, d);
    const js = textspan(C, R, { m, rank });
    const ort = await textspanWith(C, R, { m, rank }, kernels);
    expect(js.picks.length).toBe(Math.min(m, k - 1));
    expect(ort.picks.map((p) => p.index)).toEqual(js.picks.map((p) => p.index));
    for (const [i, p] of js.picks.entries()) expect(Math.abs(ort.picks[i].varianceExplained - p.varianceExplained)).toBeLessThan(1e-9);
    expect(Math.abs(ort.totalVariance - js.totalVariance) / js.totalVariance).toBeLessThan(1e-12);
    expect(ort.spanRank).toBe(js.spanRank);
    expect(maxRelDiff(ort.reconstruction!.data, js.reconstruction.data)).toBeLessThan(1e-6);
    const without = await textspanWith(C, R, { m, rank, reconstruction: false }, kernels);
    expect(without.reconstruction).toBeUndefined();
    expect(without.picks).toEqual(ort.picks);
  });
});
