/**
 * Largest eigenpairs of a dense real symmetric matrix (n up to ~1024), in doubles:
 *
 *  1. Householder reduction to tridiagonal form T = Qᵀ A Q (reflectors kept, Q never formed);
 *  2. the wanted eigenvalues of T by Sturm-sequence bisection (robust, to full precision);
 *  3. their eigenvectors of T by inverse iteration, re-orthogonalised inside clusters of close
 *     eigenvalues (the scheme of LAPACK's dstein), which also handles repeated eigenvalues;
 *  4. back-transformation y = Q z through the stored reflectors.
 *
 * Cost: ~n³ multiply-adds for step 1 plus O(n²·count) for the rest; for n = 512 and 80 pairs that
 * is a few tens of milliseconds, far below a full QL sweep that accumulates all n eigenvectors.
 */
import { seededRandom } from './random.ts';
import { ShapeError, tensor, type Tensor } from './tensor.ts';

export interface SymmetricEigenResult {
  /** the `count` largest eigenvalues, descending */
  values: Float64Array;
  /** matching orthonormal eigenvectors as rows [count×n] */
  vectors: Tensor<'R D', Float64Array>;
}

interface Tridiagonal {
  n: number;
  diag: Float64Array;
  /** off[i] couples i and i+1 (length n-1) */
  off: Float64Array;
  /** Householder vectors: row k holds v_k on indices k+1..n-1 (v_k[k+1] = 1) */
  reflectors: Float64Array;
  tau: Float64Array;
}

/**
 * Householder tridiagonalisation of a (copied; a is not modified). Only the upper triangle of the
 * working copy is kept current. Step k's rank-2 update of the trailing block is fused with step
 * k+1's symmetric matrix–vector product, so the trailing block is read once per step (the
 * reduction is memory-bound in JS: this halves its time compared with two full-matrix passes).
 */
function tridiagonalize(a: Float64Array, n: number): Tridiagonal {
  const m = a.slice();
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(0, n - 1));
  const reflectors = new Float64Array(n * n);
  const tau = new Float64Array(n);
  let p = new Float64Array(n);
  let pNext = new Float64Array(n);

  /** Builds H_k from row k (entries k+1..n-1): fills reflectors row k, tau[k], off[k]. */
  const house = (k: number): void => {
    const row = k * n;
    const alpha = m[row + k + 1];
    let sigma = 0;
    for (let i = k + 2; i < n; i++) sigma += m[row + i] * m[row + i];
    if (sigma === 0) {
      off[k] = alpha;
      tau[k] = 0;
      return;
    }
    const norm = Math.sqrt(alpha * alpha + sigma);
    const beta = alpha <= 0 ? norm : -norm;
    const scale = 1 / (alpha - beta);
    reflectors[row + k + 1] = 1;
    for (let i = k + 2; i < n; i++) reflectors[row + i] = m[row + i] * scale;
    tau[k] = (beta - alpha) / beta;
    off[k] = beta;
  };

  /** p = A22 v for the block k+1.., reading the upper triangle only. */
  const symv = (k: number, out: Float64Array): void => {
    const v = reflectors.subarray(k * n, (k + 1) * n);
    out.fill(0);
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i];
      let s = m[ri + i] * vi;
      for (let j = i + 1; j < n; j++) {
        const mij = m[ri + j];
        s += mij * v[j];
        out[j] += mij * vi;
      }
      out[i] += s;
    }
  };

  if (n > 2) {
    house(0);
    symv(0, p);
  }
  for (let k = 0; k + 2 < n; k++) {
    const v = reflectors.subarray(k * n, (k + 1) * n);
    const t = tau[k];
    // w = t·A22 v − (t²/2)(vᵀA22 v) v, kept in p
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] *= t;
      pv += p[i] * v[i];
    }
    const half = 0.5 * t * pv;
    for (let i = k + 1; i < n; i++) p[i] -= half * v[i];
    const w = p;
    // A22 −= v wᵀ + w vᵀ: row k+1 first, since it defines the next reflector
    const r1 = (k + 1) * n;
    for (let j = k + 1; j < n; j++) m[r1 + j] -= v[k + 1] * w[j] + w[k + 1] * v[j];
    const next = k + 1;
    const hasNext = next + 2 < n;
    if (hasNext) house(next);
    const vn = reflectors.subarray(next * n, (next + 1) * n);
    pNext.fill(0);
    // two rows at a time: w, v, vn and pNext are loaded once for both
    let i = k + 2;
    for (; i + 1 < n; i += 2) {
      const r0 = i * n;
      const r1 = r0 + n;
      const v0 = v[i], w0 = w[i], u0 = vn[i];
      const v1 = v[i + 1], w1 = w[i + 1], u1 = vn[i + 1];
      const m00 = m[r0 + i] - 2 * v0 * w0;
      const m01 = m[r0 + i + 1] - (v0 * w1 + w0 * v1);
      const m11 = m[r1 + i + 1] - 2 * v1 * w1;
      m[r0 + i] = m00;
      m[r0 + i + 1] = m01;
      m[r1 + i + 1] = m11;
      let s0 = m00 * u0 + m01 * u1;
      let s1 = m01 * u0 + m11 * u1;
      for (let j = i + 2; j < n; j++) {
        const wj = w[j];
        const vj = v[j];
        const uj = vn[j];
        const a0 = m[r0 + j] - (v0 * wj + w0 * vj);
        const a1 = m[r1 + j] - (v1 * wj + w1 * vj);
        m[r0 + j] = a0;
        m[r1 + j] = a1;
        s0 += a0 * uj;
        s1 += a1 * uj;
        pNext[j] += a0 * u0 + a1 * u1;
      }
      pNext[i] += s0;
      pNext[i + 1] += s1;
    }
    if (i < n) {
      const ri = i * n;
      const mii = m[ri + i] - 2 * v[i] * w[i];
      m[ri + i] = mii;
      pNext[i] += mii * vn[i];
    }
    const swap = p;
    p = pNext;
    pNext = swap;
  }
  for (let k = 0; k < n; k++) diag[k] = m[k * n + k];
  if (n >= 2) off[n - 2] = m[(n - 2) * n + n - 1];
  return { n, diag, off, reflectors, tau };
}

/** Number of eigenvalues of the tridiagonal matrix strictly below x (Sturm sequence). */
function countBelow(diag: Float64Array, off: Float64Array, x: number, pivmin: number): number {
  let count = 0;
  let q = diag[0] - x;
  if (Math.abs(q) < pivmin) q = -pivmin;
  if (q < 0) count++;
  for (let i = 1; i < diag.length; i++) {
    q = diag[i] - x - (off[i - 1] * off[i - 1]) / q;
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/** The ascending-index-`index` eigenvalue of T by bisection inside [lo, hi]. */
function bisectEigenvalue(t: Tridiagonal, index: number, lo: number, hi: number, pivmin: number): number {
  for (let iter = 0; iter < 200; iter++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (hi - lo <= 2 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi))) break;
    if (countBelow(t.diag, t.off, mid, pivmin) > index) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Solves (T − λI) x = b in place (b → x) by Gaussian elimination with partial pivoting on the
 * tridiagonal matrix; exact zeros of the pivots are replaced by `tiny` (λ is an eigenvalue, so the
 * system is numerically singular by design: that is what makes inverse iteration converge).
 */
class ShiftedTridiagonalSolver {
  private readonly dd: Float64Array;
  private readonly du: Float64Array;
  private readonly du2: Float64Array;
  private readonly dl: Float64Array;
  private readonly swapped: Uint8Array;

  constructor(t: Tridiagonal, lambda: number, tiny: number) {
    const n = t.n;
    this.dd = new Float64Array(n);
    this.du = new Float64Array(Math.max(0, n - 1));
    this.du2 = new Float64Array(Math.max(0, n - 2));
    this.dl = new Float64Array(Math.max(0, n - 1));
    this.swapped = new Uint8Array(Math.max(0, n - 1));
    const { dd, du, du2, dl, swapped } = this;
    for (let i = 0; i < n; i++) dd[i] = t.diag[i] - lambda;
    for (let i = 0; i + 1 < n; i++) {
      du[i] = t.off[i];
      dl[i] = t.off[i];
    }
    for (let i = 0; i + 1 < n; i++) {
      if (Math.abs(dd[i]) >= Math.abs(dl[i])) {
        if (dd[i] === 0) dd[i] = tiny;
        const fact = dl[i] / dd[i];
        dl[i] = fact;
        dd[i + 1] -= fact * du[i];
        if (i + 2 < n) du2[i] = 0;
      } else {
        const fact = dd[i] / dl[i];
        dd[i] = dl[i];
        dl[i] = fact;
        const temp = du[i];
        du[i] = dd[i + 1];
        dd[i + 1] = temp - fact * dd[i + 1];
        if (i + 2 < n) {
          du2[i] = du[i + 1];
          du[i + 1] = -fact * du[i + 1];
        }
        swapped[i] = 1;
      }
    }
    if (n > 0 && dd[n - 1] === 0) dd[n - 1] = tiny;
  }

  solveInPlace(b: Float64Array): void {
    const { dd, du, du2, dl, swapped } = this;
    const n = dd.length;
    for (let i = 0; i + 1 < n; i++) {
      if (swapped[i]) {
        const temp = b[i] - dl[i] * b[i + 1];
        b[i] = b[i + 1];
        b[i + 1] = temp;
      } else {
        b[i + 1] -= dl[i] * b[i];
      }
    }
    b[n - 1] /= dd[n - 1];
    if (n >= 2) b[n - 2] = (b[n - 2] - du[n - 2] * b[n - 1]) / dd[n - 2];
    for (let i = n - 3; i >= 0; i--) b[i] = (b[i] - du[i] * b[i + 1] - du2[i] * b[i + 2]) / dd[i];
  }
}

function normalize(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < x.length; i++) x[i] /= norm;
  return norm;
}

/**
 * Applies Q = H_0 H_1 … H_{n-3} to each row vector z (as a column): z ← Q z. The reflector loop is
 * outermost so each Householder vector is read once for all rows while it is in cache.
 */
function applyReflectors(t: Tridiagonal, rows: Float64Array, count: number): void {
  const n = t.n;
  const { reflectors, tau } = t;
  for (let k = n - 3; k >= 0; k--) {
    const tk = tau[k];
    if (tk === 0) continue;
    const vb = k * n;
    let r = 0;
    // four rows at a time: each reflector entry is loaded once for four dot products / updates
    for (; r + 3 < count; r += 4) {
      const z0 = r * n;
      const z1 = z0 + n;
      const z2 = z1 + n;
      const z3 = z2 + n;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let i = k + 1; i < n; i++) {
        const vi = reflectors[vb + i];
        d0 += vi * rows[z0 + i];
        d1 += vi * rows[z1 + i];
        d2 += vi * rows[z2 + i];
        d3 += vi * rows[z3 + i];
      }
      d0 *= tk;
      d1 *= tk;
      d2 *= tk;
      d3 *= tk;
      for (let i = k + 1; i < n; i++) {
        const vi = reflectors[vb + i];
        rows[z0 + i] -= d0 * vi;
        rows[z1 + i] -= d1 * vi;
        rows[z2 + i] -= d2 * vi;
        rows[z3 + i] -= d3 * vi;
      }
    }
    for (; r < count; r++) {
      const zb = r * n;
      let dot = 0;
      for (let i = k + 1; i < n; i++) dot += reflectors[vb + i] * rows[zb + i];
      const f = tk * dot;
      for (let i = k + 1; i < n; i++) rows[zb + i] -= f * reflectors[vb + i];
    }
  }
}

/**
 * The `count` largest eigenvalues (descending) and orthonormal eigenvectors of the symmetric
 * matrix `a` [n×n]. Only symmetric input is meaningful; the upper and lower triangles are both read.
 */
export function symmetricEigen(
  a: Tensor<string, Float32Array | Float64Array>,
  { count }: { count?: number } = {},
): SymmetricEigenResult {
  if (a.dims.length !== 2 || a.dims[0] !== a.dims[1]) {
    throw new ShapeError(`symmetricEigen needs a square matrix, got [${a.dims.join(', ')}]`);
  }
  const n = a.dims[0];
  const want = Math.max(0, Math.min(count ?? n, n));
  const values = new Float64Array(want);
  const vectors = new Float64Array(want * n);
  if (want === 0) return { values, vectors: tensor('R D', vectors, [0, n]) };

  const t = tridiagonalize(a.data instanceof Float64Array ? a.data : new Float64Array(a.data), n);

  // Gershgorin interval and the scale of T
  let lo = Infinity;
  let hi = -Infinity;
  let normT = 0;
  for (let i = 0; i < n; i++) {
    const radius = (i > 0 ? Math.abs(t.off[i - 1]) : 0) + (i + 1 < n ? Math.abs(t.off[i]) : 0);
    lo = Math.min(lo, t.diag[i] - radius);
    hi = Math.max(hi, t.diag[i] + radius);
    normT = Math.max(normT, Math.abs(t.diag[i]) + radius);
  }
  if (normT === 0) {
    // the zero matrix: any orthonormal basis
    for (let r = 0; r < want; r++) vectors[r * n + r] = 1;
    return { values, vectors: tensor('R D', vectors, [want, n]) };
  }
  const slack = 2 * Number.EPSILON * normT * n;
  lo -= slack;
  hi += slack;
  const pivmin = Number.MIN_VALUE * 1e10 + Number.EPSILON * Number.EPSILON * normT * normT;

  // eigenvalues, largest first; each bisection reuses the previous value as its upper bound
  let upper = hi;
  for (let r = 0; r < want; r++) {
    values[r] = bisectEigenvalue(t, n - 1 - r, lo, upper, pivmin);
    upper = Math.min(hi, values[r] + slack);
  }

  // eigenvectors of T by inverse iteration; clusters (gaps < 1e-3·‖T‖) are re-orthogonalised
  const clusterGap = 1e-3 * normT;
  const separation = 10 * Number.EPSILON * normT;
  const tiny = Number.EPSILON * normT;
  // start vectors only need to be generic; a fixed seed keeps results reproducible
  const { uniform } = seededRandom(0x5eed);
  const random = (): number => uniform() - 0.5;
  let clusterStart = 0;
  let previousShift = Infinity;
  for (let r = 0; r < want; r++) {
    let shift = values[r];
    if (r > 0 && values[r - 1] - values[r] >= clusterGap) clusterStart = r;
    if (r > clusterStart && previousShift - shift < separation) shift = previousShift - separation;
    previousShift = shift;
    const solver = new ShiftedTridiagonalSolver(t, shift, tiny);
    const z = vectors.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) z[i] = random();
    normalize(z);
    // A good shift makes one solve grow z by ~1/(ε‖T‖); a few more sweep out what remains.
    for (let iter = 0; iter < 6; iter++) {
      solver.solveInPlace(z);
      for (let q = clusterStart; q < r; q++) {
        const zq = vectors.subarray(q * n, (q + 1) * n);
        let dot = 0;
        for (let i = 0; i < n; i++) dot += zq[i] * z[i];
        for (let i = 0; i < n; i++) z[i] -= dot * zq[i];
      }
      const growth = normalize(z);
      if (growth === 0) {
        for (let i = 0; i < n; i++) z[i] = random();
        normalize(z);
      } else if (growth * tiny > 1e-2 && iter >= 1) {
        break;
      }
    }
  }
  applyReflectors(t, vectors, want);
  return { values, vectors: tensor('R D', vectors, [want, n]) };
}
