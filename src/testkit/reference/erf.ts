/**
 * Float64 error function, accurate to a few ulp (well below the 1e-12 the oracle needs).
 *
 * Two classical expansions, each used where it converges fast and without cancellation:
 * - |x| < 2.5: erf(x) = (2/√π)·e^{-x²}·Σ_{n≥0} 2ⁿ·x^{2n+1} / (1·3·5···(2n+1)); every term has
 *   the sign of x, so the sum loses no digits.
 * - |x| ≥ 2.5: erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))), the Laplace
 *   continued fraction, evaluated with the modified Lentz method.
 * erfc uses the continued fraction from x ≥ 1 on (≤ ~200 steps there), so that it keeps full
 * relative accuracy where 1 − erf(x) would cancel (GELU of negative inputs goes through erfc).
 */

const SERIES_LIMIT = 2.5;
const ERFC_FRACTION_FROM = 1;
/** beyond this, erfc(x) underflows to 0 in float64 */
const SATURATION = 27;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

/** erf(x) for |x| < SERIES_LIMIT by the all-positive-terms series. */
function erfSeries(x: number): number {
  const twoXSquared = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= twoXSquared / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/** erfc(x) for x ≥ SERIES_LIMIT by the continued fraction (modified Lentz). */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  // f = b0 + a1/(b1 + a2/(b2 + …)) with b_n = x and a_n = n/2; erfc(x) = e^{-x²}/(√π·f).
  let f = x;
  let c = f;
  let d = 0;
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < SERIES_LIMIT) return erfSeries(x);
  if (Math.abs(x) > SATURATION) return Math.sign(x);
  const tail = erfcContinuedFraction(Math.abs(x));
  return x > 0 ? 1 - tail : tail - 1;
}

/** erfc(x) = 1 − erf(x), with full relative accuracy in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > SATURATION) return x > 0 ? 0 : 2;
  if (x >= ERFC_FRACTION_FROM) return erfcContinuedFraction(x);
  if (x <= -ERFC_FRACTION_FROM) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}
