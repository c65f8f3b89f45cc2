/**
 * Largest eigenpairs of a dense real symmetric matrix (n up to ~1024), in doubles:
 *
 *  1. Householder reduction to tridiagonal form T = Qᵀ A Q (reflectors kept, Q never formed),
 *     blocked so that half of its work is matrix products;
 *  2. the wanted eigenvalues of T by Sturm-sequence bisection (robust, to full precision);
 *  3. their eigenvectors of T by inverse iteration, re-orthogonalised inside clusters of close
 *     eigenvalues (the scheme of LAPACK's dstein), which also handles repeated eigenvalues;
 *  4. back-transformation y = Q z through the stored reflectors, in blocks (matrix products).
 *
 * Cost: ~(4/3)n³ flops for step 1 plus O(n²·count) for the rest, far below a full QL sweep that
 * accumulates all n eigenvectors. The matrix products are kernel requests (src/math/kernelSteps.ts):
 * JavaScript in `symmetricEigen`, onnxruntime-node in float64 through `symmetricEigenSteps` (CLI).
 */
import { kernelBlockReflector, kernelMatmulTransB, runKernelSteps, type KernelSteps } from './kernelSteps.ts';
import { seededRandom } from './random.ts';
import type { Lap } from './stageTimes.ts';
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
 * dw[t] = W_t·x and dv[t] = V_t·x over entries from.. for the panel's first `count` reflectors (rows
 * of V, W): two reflectors per pass over x, so four independent sums hide the adds' latency (each
 * sum still runs over the entries in order).
 */
function panelDots(V: Float64Array, W: Float64Array, x: Float64Array, n: number, count: number, from: number, dw: Float64Array, dv: Float64Array): void {
  let t = 0;
  for (; t + 1 < count; t += 2) {
    const b0 = t * n;
    const b1 = b0 + n;
    let w0 = 0;
    let v0 = 0;
    let w1 = 0;
    let v1 = 0;
    for (let c = from; c < n; c++) {
      const xc = x[c];
      w0 += W[b0 + c] * xc;
      v0 += V[b0 + c] * xc;
      w1 += W[b1 + c] * xc;
      v1 += V[b1 + c] * xc;
    }
    dw[t] = w0;
    dv[t] = v0;
    dw[t + 1] = w1;
    dv[t + 1] = v1;
  }
  for (; t < count; t++) {
    const b0 = t * n;
    let w0 = 0;
    let v0 = 0;
    for (let c = from; c < n; c++) {
      w0 += W[b0 + c] * x[c];
      v0 += V[b0 + c] * x[c];
    }
    dw[t] = w0;
    dv[t] = v0;
  }
}

/**
 * The reflectors of one panel (columns k0 .. k0+b−1) and its V, W for the trailing update: the
 * JavaScript half of the blocked reduction (a plain function: V8 optimises its loops better than a
 * generator's).
 */
function reducePanel(m: Float64Array, n: number, k0: number, b: number, V: Float64Array, W: Float64Array, y: Float64Array, t: Tridiagonal): void {
  const { diag, off, reflectors, tau } = t;
  // per earlier reflector of the panel: the coefficients of its v and w in the pending update
  const dw = new Float64Array(b);
  const dv = new Float64Array(b);
  V.fill(0);
  W.fill(0);
  for (let i = 0; i < b; i++) {
    const j = k0 + i;
    const rowJ = j * n;
    // row j (= column j) brought up to date with the panel's earlier reflectors
    for (let t = 0; t < i; t++) {
      const base = t * n;
      const wj = W[base + j];
      const vj = V[base + j];
      for (let c = j; c < n; c++) m[rowJ + c] -= V[base + c] * wj + W[base + c] * vj;
    }
    diag[j] = m[rowJ + j];
    // the reflector H_j annihilating entries j+2.. of row j
    const alpha = m[rowJ + j + 1];
    let sigma = 0;
    for (let c = j + 2; c < n; c++) sigma += m[rowJ + c] * m[rowJ + c];
    if (sigma === 0) {
      off[j] = alpha;
      tau[j] = 0;
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + sigma);
    const beta = alpha <= 0 ? norm : -norm;
    const scale = 1 / (alpha - beta);
    const v = reflectors.subarray(rowJ, rowJ + n);
    v[j + 1] = 1;
    for (let c = j + 2; c < n; c++) v[c] = m[rowJ + c] * scale;
    const tj = (beta - alpha) / beta;
    tau[j] = tj;
    off[j] = beta;
    // y = A22 v with A22 as at the panel's start, from its upper triangle: each entry is read
    // once for its row and its column, four (then two) rows at a time
    y.fill(0, j + 1, n);
    let r = j + 1;
    for (; r + 3 < n; r += 4) {
      const r0 = r * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      const v0 = v[r];
      const v1 = v[r + 1];
      const v2 = v[r + 2];
      const v3 = v[r + 3];
      // the 4×4 diagonal block
      const m01 = m[r0 + r + 1], m02 = m[r0 + r + 2], m03 = m[r0 + r + 3];
      const m12 = m[r1 + r + 2], m13 = m[r1 + r + 3], m23 = m[r2 + r + 3];
      let s0 = m[r0 + r] * v0 + m01 * v1 + m02 * v2 + m03 * v3;
      let s1 = m01 * v0 + m[r1 + r + 1] * v1 + m12 * v2 + m13 * v3;
      let s2 = m02 * v0 + m12 * v1 + m[r2 + r + 2] * v2 + m23 * v3;
      let s3 = m03 * v0 + m13 * v1 + m23 * v2 + m[r3 + r + 3] * v3;
      for (let c = r + 4; c < n; c++) {
        const a0 = m[r0 + c];
        const a1 = m[r1 + c];
        const a2 = m[r2 + c];
        const a3 = m[r3 + c];
        const vc = v[c];
        s0 += a0 * vc;
        s1 += a1 * vc;
        s2 += a2 * vc;
        s3 += a3 * vc;
        y[c] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
      }
      y[r] += s0;
      y[r + 1] += s1;
      y[r + 2] += s2;
      y[r + 3] += s3;
    }
    for (; r + 1 < n; r += 2) {
      const r0 = r * n;
      const r1 = r0 + n;
      const v0 = v[r];
      const v1 = v[r + 1];
      const m01 = m[r0 + r + 1];
      let s0 = m[r0 + r] * v0 + m01 * v1;
      let s1 = m01 * v0 + m[r1 + r + 1] * v1;
      for (let c = r + 2; c < n; c++) {
        const a0 = m[r0 + c];
        const a1 = m[r1 + c];
        const vc = v[c];
        s0 += a0 * vc;
        s1 += a1 * vc;
        y[c] += a0 * v0 + a1 * v1;
      }
      y[r] += s0;
      y[r + 1] += s1;
    }
    if (r < n) y[r] += m[r * n + r] * v[r];
    // minus the panel's pending updates (V Wᵀ + W Vᵀ) v
    panelDots(V, W, v, n, i, j + 1, dw, dv);
    for (let t = 0; t < i; t++) {
      const base = t * n;
      const wt = dw[t];
      const vt = dv[t];
      for (let c = j + 1; c < n; c++) y[c] -= V[base + c] * wt + W[base + c] * vt;
    }
    let yv = 0;
    for (let c = j + 1; c < n; c++) {
      const u = y[c] * tj;
      y[c] = u;
      yv += u * v[c];
    }
    const half = 0.5 * tj * yv;
    const wRow = i * n;
    for (let r = j + 1; r < n; r++) {
      W[wRow + r] = y[r] - half * v[r];
      V[wRow + r] = v[r];
    }
  }
}

/** [V W] and [W V] restricted to rows s.. (p × 2b each), so that [V W]·[W V]ᵀ = V Wᵀ + W Vᵀ */
function panelFactors(V: Float64Array, W: Float64Array, n: number, b: number, s: number): { left: Float64Array; right: Float64Array } {
  const p = n - s;
  const width = 2 * b;
  const left = new Float64Array(p * width);
  const right = new Float64Array(p * width);
  for (let r = 0; r < p; r++) {
    for (let t = 0; t < b; t++) {
      const vr = V[t * n + s + r];
      const wr = W[t * n + s + r];
      left[r * width + t] = vr;
      left[r * width + b + t] = wr;
      right[r * width + t] = wr;
      right[r * width + b + t] = vr;
    }
  }
  return { left, right };
}

/**
 * The upper triangle of m[s.., s..] (p × p) −= the update, given as its rows 0..h−1 (`top`, h × p)
 * and its block [h.., h..] (`bottom`, (p−h) × (p−h)).
 */
function subtractUpper(m: Float64Array, n: number, s: number, top: Float64Array, bottom: Float64Array, h: number): void {
  const p = n - s;
  for (let r = 0; r < h; r++) {
    const row = (s + r) * n + s;
    for (let c = r; c < p; c++) m[row + c] -= top[r * p + c];
  }
  const q = p - h;
  for (let r = h; r < p; r++) {
    const row = (s + r) * n + s;
    for (let c = r; c < p; c++) m[row + c] -= bottom[(r - h) * q + c - h];
  }
}

/** Columns per panel of the blocked reduction (and reflectors per block of the back-transformation). */
const PANEL = 32;

/**
 * Householder tridiagonalisation of a (copied; a is not modified), blocked as LAPACK's dsytrd /
 * dlatrd: within a panel of PANEL columns, each reflector is built from its row brought up to date
 * with the panel's earlier reflectors, and w = τ(A22 v − V Wᵀv − W Vᵀv) − (τ²/2)(vᵀA22 v)v reads the
 * trailing block as it was at the panel's start; the panel's rank-2·PANEL update A22 −= V Wᵀ + W Vᵀ
 * is then matrix products (kernel requests: onnxruntime in the CLI). Only the upper triangle of the
 * trailing block is read after its panel's update (rows from the diagonal on), so only it is updated:
 * the product's rows of the first half in full and the lower-right block, 3/4 of the full product.
 */
function* tridiagonalize(a: Float64Array, n: number): KernelSteps<Tridiagonal> {
  const m = a.slice();
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(0, n - 1));
  const reflectors = new Float64Array(n * n);
  const tau = new Float64Array(n);
  const reflectorCount = Math.max(0, n - 2);
  // V and W of the current panel: row t holds v (resp. w) of its t-th column over all n entries
  const V = new Float64Array(PANEL * n);
  const W = new Float64Array(PANEL * n);
  const y = new Float64Array(n);
  for (let k0 = 0; k0 < reflectorCount; k0 += PANEL) {
    const b = Math.min(PANEL, reflectorCount - k0);
    reducePanel(m, n, k0, b, V, W, y, { n, diag, off, reflectors, tau });
    // the trailing block s.. gets the panel's update: A22 −= [V W]·[W V]ᵀ
    const s = k0 + b;
    const p = n - s;
    if (p > 0) {
      // only the upper triangle is ever read again: its rows 0..h−1 and the block [h.., h..]
      // (three quarters of the full product)
      const { left, right } = panelFactors(V, W, n, b, s);
      const h = Math.ceil(p / 2);
      const w = 2 * b;
      const top = yield* kernelMatmulTransB(left, right, h, p, w);
      const bottom = yield* kernelMatmulTransB(left.subarray(h * w), right.subarray(h * w), p - h, p - h, w);
      subtractUpper(m, n, s, top, bottom, h);
    }
  }
  for (let k = reflectorCount; k < n; k++) diag[k] = m[k * n + k];
  if (n >= 2) off[n - 2] = m[(n - 2) * n + n - 1];
  return { n, diag, off, reflectors, tau };
}

/** Eigenvalues bisected at once by `bisectEigenvalues`. */
const BISECTION_LANES = 4;

/**
 * The numbers of eigenvalues of T strictly below each of the four points x[0..3] (Sturm sequences),
 * in one pass: four independent recurrences, so the divisions of one overlap those of the others
 * instead of waiting in line.
 */
function countBelowFour(diag: Float64Array, off: Float64Array, x: Float64Array, pivmin: number, counts: Int32Array): void {
  const [x0, x1, x2, x3] = x;
  let q0 = diag[0] - x0;
  let q1 = diag[0] - x1;
  let q2 = diag[0] - x2;
  let q3 = diag[0] - x3;
  if (Math.abs(q0) < pivmin) q0 = -pivmin;
  if (Math.abs(q1) < pivmin) q1 = -pivmin;
  if (Math.abs(q2) < pivmin) q2 = -pivmin;
  if (Math.abs(q3) < pivmin) q3 = -pivmin;
  let c0 = q0 < 0 ? 1 : 0;
  let c1 = q1 < 0 ? 1 : 0;
  let c2 = q2 < 0 ? 1 : 0;
  let c3 = q3 < 0 ? 1 : 0;
  for (let i = 1; i < diag.length; i++) {
    const d = diag[i];
    const e2 = off[i - 1] * off[i - 1];
    q0 = d - x0 - e2 / q0;
    q1 = d - x1 - e2 / q1;
    q2 = d - x2 - e2 / q2;
    q3 = d - x3 - e2 / q3;
    if (Math.abs(q0) < pivmin) q0 = -pivmin;
    if (Math.abs(q1) < pivmin) q1 = -pivmin;
    if (Math.abs(q2) < pivmin) q2 = -pivmin;
    if (Math.abs(q3) < pivmin) q3 = -pivmin;
    if (q0 < 0) c0++;
    if (q1 < 0) c1++;
    if (q2 < 0) c2++;
    if (q3 < 0) c3++;
  }
  counts[0] = c0;
  counts[1] = c1;
  counts[2] = c2;
  counts[3] = c3;
}

/**
 * values[at + k] = the ascending-index-(top − k) eigenvalue of T, k < count ≤ 4, each by bisection
 * inside [lo, hi] to full precision, the four bisections advancing together (countBelowFour).
 */
function bisectEigenvalues(t: Tridiagonal, top: number, count: number, lo: number, hi: number, pivmin: number, values: Float64Array, at: number): void {
  const low = new Float64Array(BISECTION_LANES).fill(lo);
  const high = new Float64Array(BISECTION_LANES).fill(hi);
  const mid = new Float64Array(BISECTION_LANES).fill(0.5 * (lo + hi));
  const active = new Uint8Array(BISECTION_LANES);
  const counts = new Int32Array(BISECTION_LANES);
  active.fill(1, 0, count);
  for (let iter = 0; iter < 200; iter++) {
    let running = 0;
    for (let k = 0; k < count; k++) {
      if (!active[k]) continue;
      const [a, b] = [low[k], high[k]];
      const m = 0.5 * (a + b);
      if (m <= a || m >= b || b - a <= 2 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b))) active[k] = 0;
      else {
        mid[k] = m;
        running++;
      }
    }
    if (running === 0) break;
    countBelowFour(t.diag, t.off, mid, pivmin, counts);
    for (let k = 0; k < count; k++) {
      if (!active[k]) continue;
      if (counts[k] > top - k) high[k] = mid[k];
      else low[k] = mid[k];
    }
  }
  for (let k = 0; k < count; k++) values[at + k] = 0.5 * (low[k] + high[k]);
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

/**
 * Row r of `rows` [·×n] minus its projections on rows from..r−1, one after the other (modified
 * Gram–Schmidt). Each pass subtracts one projection and already sums the next row's dot product
 * with the updated entries, in the same order as two separate passes would.
 */
function orthogonalizeRow(rows: Float64Array, n: number, r: number, from: number): void {
  if (from >= r) return;
  const z = r * n;
  let zq = from * n;
  let dot = 0;
  for (let i = 0; i < n; i++) dot += rows[zq + i] * rows[z + i];
  for (let q = from + 1; q < r; q++) {
    const next = q * n;
    let nextDot = 0;
    for (let i = 0; i < n; i++) {
      const x = rows[z + i] - dot * rows[zq + i];
      rows[z + i] = x;
      nextDot += rows[next + i] * x;
    }
    zq = next;
    dot = nextDot;
  }
  for (let i = 0; i < n; i++) rows[z + i] -= dot * rows[zq + i];
}

function normalize(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < x.length; i++) x[i] /= norm;
  return norm;
}

/**
 * out[l] = v_l·v_i over entries from.. for the rows l < i of v (row-major, n wide): four rows per
 * pass, so four independent sums hide the adds' latency (each still runs over the entries in order).
 */
function rowDotsWith(v: Float64Array, i: number, from: number, n: number, out: Float64Array): void {
  const vi = i * n;
  let l = 0;
  for (; l + 3 < i; l += 4) {
    const b0 = l * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let c = from; c < n; c++) {
      const x = v[vi + c];
      s0 += v[b0 + c] * x;
      s1 += v[b1 + c] * x;
      s2 += v[b2 + c] * x;
      s3 += v[b3 + c] * x;
    }
    out[l] = s0;
    out[l + 1] = s1;
    out[l + 2] = s2;
    out[l + 3] = s3;
  }
  for (; l < i; l++) {
    let s0 = 0;
    for (let c = from; c < n; c++) s0 += v[l * n + c] * v[vi + c];
    out[l] = s0;
  }
}

/** T (b × b, upper triangular) of H_0 … H_{b−1} = I − V T Vᵀ, v the reflectors as rows (dlarft, forward) */
function blockTriangularFactor(v: Float64Array, tau: Float64Array, n: number): Float64Array {
  const b = tau.length;
  const T = new Float64Array(b * b);
  const col = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const ti = tau[i];
    T[i * b + i] = ti;
    if (ti === 0) continue;
    // T[0:i, i] = −τ_i T[0:i, 0:i] (V[:, 0:i]ᵀ v_i)
    // v_i is zero before its first entry, found from the data (its unit entry)
    let first = 0;
    while (first < n && v[i * n + first] === 0) first++;
    rowDotsWith(v, i, first, n, col);
    for (let l = 0; l < i; l++) col[l] *= -ti;
    for (let l = 0; l < i; l++) {
      let sum = 0;
      for (let q = l; q < i; q++) sum += T[l * b + q] * col[q];
      T[l * b + i] = sum;
    }
  }
  return T;
}

/**
 * Applies Q = H_0 H_1 … H_{n-3} to each row vector z (as a column): z ← Q z, one block of PANEL
 * reflectors at a time in the compact WY form H_k … H_{k+b−1} = I − V T Vᵀ (LAPACK's dlarft,
 * forward): Z ← Z − ((Z V) Tᵀ) Vᵀ, one kernel request per block (blockReflector).
 */
function* applyReflectors(t: Tridiagonal, rows: Float64Array, count: number): KernelSteps<void> {
  const n = t.n;
  const { reflectors, tau } = t;
  const reflectorCount = Math.max(0, n - 2);
  const lastBlock = Math.floor(Math.max(0, reflectorCount - 1) / PANEL) * PANEL;
  for (let k0 = lastBlock; k0 >= 0 && reflectorCount > 0; k0 -= PANEL) {
    const b = Math.min(PANEL, reflectorCount - k0);
    const v = reflectors.subarray(k0 * n, (k0 + b) * n); // rows: v_k0 … v_k0+b−1
    const T = blockTriangularFactor(v, tau.subarray(k0, k0 + b), n);
    rows.set(yield* kernelBlockReflector(rows, v, T, count, n, b));
  }
}

/**
 * The `want` largest eigenpairs of T into `values` and `vectors` (eigenvectors of T, before the
 * back-transformation). A plain function, not part of the generator: V8 optimises its loops better.
 */
function tridiagonalEigenpairs(t: Tridiagonal, values: Float64Array, vectors: Float64Array, want: number, lap: Lap): void {
  const n = t.n;
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
    return;
  }
  const slack = 2 * Number.EPSILON * normT * n;
  lo -= slack;
  hi += slack;
  const pivmin = Number.MIN_VALUE * 1e10 + Number.EPSILON * Number.EPSILON * normT * normT;

  // eigenvalues, largest first, BISECTION_LANES at a time; each group starts below the previous
  // group's last value
  let upper = hi;
  for (let r = 0; r < want; r += BISECTION_LANES) {
    bisectEigenvalues(t, n - 1 - r, Math.min(BISECTION_LANES, want - r), lo, upper, pivmin, values, r);
    upper = Math.min(hi, values[Math.min(want, r + BISECTION_LANES) - 1] + slack);
  }
  lap('eigen: eigenvalues (bisection)');

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
      orthogonalizeRow(vectors, n, r, clusterStart);
      const growth = normalize(z);
      if (growth === 0) {
        for (let i = 0; i < n; i++) z[i] = random();
        normalize(z);
      } else if (growth * tiny > 1e-2 && iter >= 1) {
        break;
      }
    }
  }
}

/**
 * The `count` largest eigenvalues (descending) and orthonormal eigenvectors of the symmetric
 * matrix `a` [n×n]. Only symmetric input is meaningful; the upper and lower triangles are both read.
 */
export interface SymmetricEigenOptions {
  /** eigenpairs wanted, largest first (default all) */
  count?: number;
  /** called at the end of each stage (tridiagonal reduction, eigenvalues, eigenvectors, back-transformation): a stage clock's lap */
  lap?: Lap;
}

export function symmetricEigen(a: Tensor<string, Float32Array | Float64Array>, options: SymmetricEigenOptions = {}): SymmetricEigenResult {
  return runKernelSteps(symmetricEigenSteps(a, options));
}

/** `symmetricEigen` with its matrix products as kernel requests (src/math/kernelSteps.ts) */
export function* symmetricEigenSteps(
  a: Tensor<string, Float32Array | Float64Array>,
  { count, lap = () => {} }: SymmetricEigenOptions = {},
): KernelSteps<SymmetricEigenResult> {
  if (a.dims.length !== 2 || a.dims[0] !== a.dims[1]) {
    throw new ShapeError(`symmetricEigen needs a square matrix, got [${a.dims.join(', ')}]`);
  }
  const n = a.dims[0];
  const want = Math.max(0, Math.min(count ?? n, n));
  const values = new Float64Array(want);
  const vectors = new Float64Array(want * n);
  if (want === 0) return { values, vectors: tensor('R D', vectors, [0, n]) };

  const t = yield* tridiagonalize(a.data instanceof Float64Array ? a.data : new Float64Array(a.data), n);
  lap('eigen: tridiagonal reduction');
  tridiagonalEigenpairs(t, values, vectors, want, lap);
  lap('eigen: eigenvectors (inverse iteration)');
  yield* applyReflectors(t, vectors, want);
  lap('eigen: back-transformation');
  return { values, vectors: tensor('R D', vectors, [want, n]) };
}
