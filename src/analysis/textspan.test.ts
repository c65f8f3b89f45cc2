import { describe, expect, it } from 'vitest';
import { gaussianArray, seededRandom, type SeededRandom } from '../math/random.ts';
import { tensor } from '../math/tensor.ts';
import { textspan } from './textspan.ts';
import { maxAbsDiff } from '../testkit/compare.ts';

// ---------------------------------------------------------------------------------------------
// A straightforward implementation of METHOD 4.2–4.3, written independently of the fast one:
// its own (Jacobi) eigen-decomposition, the full K×M score matrix at every step, D-dim updates.
// ---------------------------------------------------------------------------------------------

/** Eigenvectors of a small symmetric matrix by cyclic Jacobi rotations, largest eigenvalue first. */
function jacobiEigenvectors(sym: Float64Array, n: number): number[][] {
  const a = Float64Array.from(sym);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let offNorm = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offNorm += a[p * n + q] ** 2;
    if (offNorm < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  return order.map((col) => Array.from({ length: n }, (_, k) => v[k * n + col]));
}

interface NaiveResult {
  picks: number[];
  curve: number[];
  reconstruction: number[][];
  residual: number[][];
}

function naiveTextspan(c: number[][], texts: number[][], m: number, rank: number, normalisedScore = false): NaiveResult {
  const k = c.length;
  const d = c[0].length;
  const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * y[i], 0);
  // SVD of the uncentred data through its Gram matrix
  const g = new Float64Array(d * d);
  for (const row of c) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] += row[i] * row[j];
  const vr = jacobiEigenvectors(g, d).slice(0, Math.min(rank, k, d));
  // R ← R Vrᵀ Vr
  let r = texts.map((t) => {
    const out = new Array<number>(d).fill(0);
    for (const v of vr) {
      const s = dot(t, v);
      for (let j = 0; j < d; j++) out[j] += s * v[j];
    }
    return out;
  });
  const mean = Array.from({ length: d }, (_, j) => c.reduce((s, row) => s + row[j], 0) / k);
  let data = c.map((row) => row.map((x, j) => x - mean[j]));
  const recon = c.map(() => [...mean]);
  const totalVariance = data.reduce((s, row) => s + dot(row, row), 0) / (k - 1);
  const picks: number[] = [];
  const curve: number[] = [];
  for (let it = 0; it < Math.min(m, k - 1); it++) {
    // S = C·Rᵀ, Bessel variance of each column
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < r.length; j++) {
      const col = data.map((row) => dot(row, r[j]));
      const mu = col.reduce((s, x) => s + x, 0) / k;
      let variance = col.reduce((s, x) => s + (x - mu) ** 2, 0) / (k - 1);
      if (normalisedScore) {
        const n = dot(r[j], r[j]);
        variance = n > 0 ? variance / n : 0;
      }
      if (variance > bestScore) {
        bestScore = variance;
        best = j;
      }
    }
    if (!(bestScore > 1e-14 * totalVariance)) break;
    const rho = [...r[best]];
    const n = dot(rho, rho);
    data = data.map((row, i) => {
      const a = dot(row, rho) / n;
      for (let j = 0; j < d; j++) recon[i][j] += a * rho[j];
      return row.map((x, j) => x - a * rho[j]);
    });
    r = r.map((t) => {
      const b = dot(t, rho) / n;
      return t.map((x, j) => x - b * rho[j]);
    });
    picks.push(best);
    const explained = recon.reduce((s, row) => s + row.reduce((q, x, j) => q + (x - mean[j]) ** 2, 0), 0) / (k - 1);
    curve.push(explained / totalVariance);
  }
  return { picks, curve, reconstruction: recon, residual: data };
}

// ---------------------------------------------------------------------------------------------

function rows(data: ArrayLike<number>, count: number, d: number): number[][] {
  return Array.from({ length: count }, (_, i) => Array.from({ length: d }, (_, j) => data[i * d + j]));
}

function unitTexts(random: SeededRandom, count: number, d: number): Float64Array {
  const t = gaussianArray(random, count * d);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += t[i * d + j] ** 2;
    for (let j = 0; j < d; j++) t[i * d + j] /= Math.sqrt(s);
  }
  return t;
}

/** Head outputs: an offset, low-rank structure with a decaying spectrum and isotropic noise. */
function randomHead(random: SeededRandom, k: number, d: number, signalRank: number): Float64Array {
  const basis = gaussianArray(random, signalRank * d);
  const offset = gaussianArray(random, d, 0.5);
  const c = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    for (let a = 0; a < signalRank; a++) {
      const z = random.gaussian() / (1 + a);
      for (let j = 0; j < d; j++) c[i * d + j] += z * basis[a * d + j];
    }
    for (let j = 0; j < d; j++) c[i * d + j] += offset[j] + 0.05 * random.gaussian();
  }
  return c;
}

/** A head whose outputs are Σ_i z_i·std_i·text_i plus small noise, z_i ~ N(0,1). */
function plantedHead(random: SeededRandom, texts: Float64Array, d: number, k: number, plan: [number, number][], noise = 0.01) {
  const c = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    for (const [index, std] of plan) {
      const z = random.gaussian() * std;
      for (let j = 0; j < d; j++) c[i * d + j] += z * texts[index * d + j];
    }
    for (let j = 0; j < d; j++) c[i * d + j] += 0.3 + noise * random.gaussian();
  }
  return c;
}


describe('textspan', () => {
  it.each([
    { seed: 1, k: 60, d: 16, poolSize: 40, m: 8, rank: 10, signalRank: 12 },
    { seed: 2, k: 45, d: 12, poolSize: 30, m: 12, rank: 80, signalRank: 12 },
    { seed: 3, k: 80, d: 20, poolSize: 50, m: 10, rank: 6, signalRank: 20 },
  ])('textspan(C, R, {m: $m, rank: $rank}) equals the naive K×M implementation (seed $seed)', (p) => {
    const random = seededRandom(p.seed);
    const c = randomHead(random, p.k, p.d, p.signalRank);
    const r = unitTexts(random, p.poolSize, p.d);
    const fast = textspan(tensor('K D', c, [p.k, p.d]), tensor('M D', r, [p.poolSize, p.d]), { m: p.m, rank: p.rank });
    const naive = naiveTextspan(rows(c, p.k, p.d), rows(r, p.poolSize, p.d), p.m, p.rank);
    expect(fast.picks.map((x) => x.index)).toEqual(naive.picks);
    // picking stops at m, at K − 1, or once the r-dim span is used up (all texts then project to 0)
    expect(fast.picks.length).toBe(Math.min(p.m, p.k - 1, p.rank));
    fast.picks.forEach((x, t) => expect(x.varianceExplained).toBeCloseTo(naive.curve[t], 10));
    expect(maxAbsDiff(fast.reconstruction.data, naive.reconstruction.flat())).toBeLessThan(1e-9);
    expect(maxAbsDiff(fast.residual.data, naive.residual.flat())).toBeLessThan(1e-9);
    expect(fast.spanRank).toBe(Math.min(p.rank, p.k, p.d));
  });

  it('stays exact when the mean dominates the variance (a head with a large constant bias share)', () => {
    const random = seededRandom(12);
    const [k, d, poolSize] = [80, 12, 30];
    const c = randomHead(random, k, d, 6);
    // mean ~100 per dim, spread ~0.01: the (uncentred) span is still well determined in doubles,
    // but a covariance formed as (CᵀC − K·c̄c̄ᵀ) would lose ~8 of its 16 digits
    const offset = gaussianArray(random, d, 100);
    for (let i = 0; i < k * d; i++) c[i] = c[i] * 1e-2 + offset[i % d];
    const r = unitTexts(random, poolSize, d);
    // rank 7 = the signal's 6 dims + the mean: the span has a clear gap below it
    const fast = textspan(tensor('K D', c, [k, d]), tensor('M D', r, [poolSize, d]), { m: 6, rank: 7 });
    const naive = naiveTextspan(rows(c, k, d), rows(r, poolSize, d), 6, 7);
    expect(fast.picks.map((x) => x.index)).toEqual(naive.picks);
    fast.picks.forEach((x, t) => expect(x.varianceExplained).toBeCloseTo(naive.curve[t], 6));
  });

  it('planted head: the texts it was built from come first, in order of their variance', () => {
    const random = seededRandom(10);
    const [d, poolSize, k] = [48, 30, 400];
    const texts = unitTexts(random, poolSize, d);
    const plan: [number, number][] = [
      [17, 2],
      [4, 3],
      [9, 1],
    ];
    const c = plantedHead(random, texts, d, k, plan);
    const result = textspan(tensor('K D', c, [k, d]), tensor('M D', texts, [poolSize, d]), { m: 5, rank: 20 });
    expect(result.picks.slice(0, 3).map((p) => p.index)).toEqual([4, 17, 9]);
    // three planted directions carry nearly all the variance (noise is 0.01 per dim)
    expect(result.picks[2].varianceExplained).toBeGreaterThan(0.99);
    expect(result.picks[0].varianceExplained).toBeGreaterThan(0.5);
  });

  it('uses the unnormalised score of METHOD 4.3: a long text residual beats a short one a normalised score prefers', () => {
    // Data varies along e1 (variance 1) and e2 (variance 0.8) only, so with rank 2 the span is {e1, e2}.
    // Text A = 0.5·e1 + 0.866·e3 projects to 0.5·e1: normalised score 1, unnormalised 0.25.
    // Text B = e2: normalised score 0.8, unnormalised 0.8.
    const random = seededRandom(4);
    const k = 2000;
    const z1 = gaussianArray(random, k);
    const z2 = gaussianArray(random, k);
    const std = (z: Float64Array) => {
      const mu = z.reduce((s, x) => s + x, 0) / k;
      return Math.sqrt(z.reduce((s, x) => s + (x - mu) ** 2, 0) / (k - 1));
    };
    const s1 = std(z1);
    const s2 = std(z2);
    const c = new Float64Array(k * 4);
    for (let i = 0; i < k; i++) {
      c[i * 4] = z1[i] / s1;
      c[i * 4 + 1] = (z2[i] / s2) * Math.sqrt(0.8);
    }
    const texts = Float64Array.of(0.5, 0, Math.sqrt(0.75), 0, /* B */ 0, 1, 0, 0);
    const result = textspan(tensor('K D', c, [k, 4]), tensor('M D', texts, [2, 4]), { m: 1, rank: 2 });
    expect(result.picks.map((p) => p.index)).toEqual([1]);
    // the discriminating power of the case: the naive reference with a normalised score picks A
    const normalised = naiveTextspan(rows(c, k, 4), rows(texts, 2, 4), 1, 2, true);
    expect(normalised.picks).toEqual([0]);
    expect(naiveTextspan(rows(c, k, 4), rows(texts, 2, 4), 1, 2).picks).toEqual([1]);
  });

  it('the variance curve is non-decreasing and at most 1; reconstruction + residual = C', () => {
    const random = seededRandom(5);
    const [k, d, poolSize] = [120, 16, 60];
    const c = randomHead(random, k, d, 16);
    const r = unitTexts(random, poolSize, d);
    const result = textspan(tensor('K D', c, [k, d]), tensor('M D', r, [poolSize, d]), { m: 40, rank: 16 });
    // with the span = all of R^16, at most 16 independent directions can carry variance
    expect(result.picks.length).toBeGreaterThanOrEqual(15);
    expect(result.picks.length).toBeLessThanOrEqual(16);
    let previous = 0;
    for (const p of result.picks) {
      expect(p.varianceExplained).toBeGreaterThanOrEqual(previous);
      expect(p.varianceExplained).toBeLessThanOrEqual(1);
      previous = p.varianceExplained;
    }
    // 16 directions spanning R^16 explain everything
    expect(previous).toBeCloseTo(1, 8);

    const mean = result.mean.data;
    for (let i = 0; i < k * d; i++) {
      expect(result.reconstruction.data[i] + result.residual.data[i]).toBeCloseTo(c[i], 12);
      // (Ĉ − c̄) + residual = centred data
      expect(result.reconstruction.data[i] - mean[i % d] + result.residual.data[i]).toBeCloseTo(c[i] - mean[i % d], 12);
    }
  });

  it('the residual is orthogonal to every chosen direction, and the directions to each other', () => {
    const random = seededRandom(6);
    const [k, d, poolSize] = [100, 24, 50];
    const c = randomHead(random, k, d, 10);
    const r = unitTexts(random, poolSize, d);
    const result = textspan(tensor('K D', c, [k, d]), tensor('M D', r, [poolSize, d]), { m: 8, rank: 12 });
    const dirs = result.directions;
    expect(dirs.dims).toEqual([8, d]);
    for (let t = 0; t < 8; t++) {
      const dir = dirs.data.subarray(t * d, (t + 1) * d);
      const norm = Math.hypot(...dir);
      for (let i = 0; i < k; i++) {
        let dot = 0;
        let rowNorm = 0;
        for (let j = 0; j < d; j++) {
          dot += result.residual.data[i * d + j] * dir[j];
          rowNorm += result.residual.data[i * d + j] ** 2;
        }
        expect(Math.abs(dot) / (norm * Math.sqrt(rowNorm))).toBeLessThan(1e-10);
      }
      for (let s = 0; s < t; s++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += dirs.data[s * d + j] * dir[j];
        expect(Math.abs(dot) / norm).toBeLessThan(1e-12);
      }
    }
  });

  it('never picks a text twice, nor both copies of a duplicated text', () => {
    const random = seededRandom(7);
    const [d, k] = [20, 300];
    const base = unitTexts(random, 24, d);
    // pool = 24 texts + exact copies of texts 3 and 5 at indices 24 and 25
    const pool = new Float64Array(26 * d);
    pool.set(base);
    pool.set(base.subarray(3 * d, 4 * d), 24 * d);
    pool.set(base.subarray(5 * d, 6 * d), 25 * d);
    const c = plantedHead(random, base, d, k, [
      [3, 3],
      [5, 2],
      [11, 1],
    ], 0.2);
    const result = textspan(tensor('K D', c, [k, d]), tensor('M D', pool, [26, d]), { m: 26, rank: 80 });
    const picked = result.picks.map((p) => p.index);
    expect(new Set(picked).size).toBe(picked.length);
    expect(picked.includes(3) && picked.includes(24)).toBe(false);
    expect(picked.includes(5) && picked.includes(25)).toBe(false);
    expect(picked.slice(0, 2).sort()).toEqual([3, 5]);
    // 20 dims: at most 20 directions can carry variance, and duplicates cannot add one
    expect(picked.length).toBeLessThanOrEqual(d);
  });

  it('with K smaller than r it returns at most K − 1 texts and reports K', () => {
    const random = seededRandom(8);
    const [k, d, poolSize] = [6, 16, 40];
    const c = randomHead(random, k, d, 16);
    const r = unitTexts(random, poolSize, d);
    const result = textspan(tensor('K D', c, [k, d]), tensor('M D', r, [poolSize, d]), { m: 20, rank: 80 });
    expect(result.imagesUsed).toBe(6);
    expect(result.spanRank).toBe(6);
    expect(result.picks.length).toBe(5);
    // K − 1 = 5 centred rows span 5 dims: five directions inside the span can explain them fully
    const naive = naiveTextspan(rows(c, k, d), rows(r, poolSize, d), 20, 80);
    expect(result.picks.map((p) => p.index)).toEqual(naive.picks);
    result.picks.forEach((p, t) => expect(p.varianceExplained).toBeCloseTo(naive.curve[t], 9));
  });

  it('keeps Float32 inputs as Float32 outputs, close to the Float64 result', () => {
    const random = seededRandom(9);
    const [k, d, poolSize] = [80, 16, 30];
    const c = randomHead(random, k, d, 8);
    const r = unitTexts(random, poolSize, d);
    const r64 = textspan(tensor('K D', c, [k, d]), tensor('M D', r, [poolSize, d]), { m: 5, rank: 8 });
    const r32 = textspan(tensor('K D', Float32Array.from(c), [k, d]), tensor('M D', Float32Array.from(r), [poolSize, d]), { m: 5, rank: 8 });
    expect(r32.reconstruction.data).toBeInstanceOf(Float32Array);
    expect(r32.residual.data).toBeInstanceOf(Float32Array);
    expect(r32.picks.map((p) => p.index)).toEqual(r64.picks.map((p) => p.index));
    r32.picks.forEach((p, t) => expect(p.varianceExplained).toBeCloseTo(r64.picks[t].varianceExplained, 5));
  });

  it('stops early when the outputs have no variance, and validates its inputs', () => {
    const c = new Float64Array(10 * 4).fill(1);
    const r = Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0);
    const flat = textspan(tensor('K D', c, [10, 4]), tensor('M D', r, [2, 4]));
    expect(flat.picks).toEqual([]);
    expect(flat.totalVariance).toBe(0);
    expect(() => textspan(tensor('K D', c, [10, 4]), tensor('M D', new Float64Array(6), [2, 3]))).toThrow(/D=4/);
    expect(() => textspan(tensor('K D', new Float64Array(4), [1, 4]), tensor('M D', r, [2, 4]))).toThrow(/at least 2/);
  });
});
