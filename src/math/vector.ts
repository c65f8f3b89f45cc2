/**
 * Small dense-vector kernels shared by the analyses. Accumulation is in float64 whatever the
 * storage type, so sums over thousands of terms stay reproducible.
 */
export type Vec = ArrayLike<number>;

/** ⟨a, b⟩ over `n` entries starting at `aOff` / `bOff` (defaults: whole vectors, offset 0). */
export function vecDot(a: Vec, b: Vec, n = a.length, aOff = 0, bOff = 0): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[aOff + k] * b[bOff + k];
  return s;
}

/** Euclidean norm of `a`. */
export function vecNorm(a: Vec): number {
  return Math.sqrt(vecDot(a, a));
}

/** `a / ‖a‖` as a new float64 vector; throws on a zero or non-finite vector (no direction). */
export function vecNormalized(a: Vec): Float64Array {
  const n = vecNorm(a);
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`cannot normalise a vector of norm ${n}`);
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] / n;
  return out;
}

/** Index of the largest entry; the first one wins on ties; -1 for an empty or all-NaN vector. */
export function vecArgmax(a: Vec): number {
  let best = -1;
  let bestVal = -Infinity;
  for (let k = 0; k < a.length; k++) {
    const v = a[k];
    if (best < 0 ? !Number.isNaN(v) : v > bestVal) {
      best = k;
      bestVal = v;
    }
  }
  return best;
}
