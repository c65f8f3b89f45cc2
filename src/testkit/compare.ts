/**
 * Comparators for numeric results, shared by the Node unit tests (vitest) and the browser tests
 * (node:test and the harness page): plain TypeScript, no test-runner or Node import.
 */

function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`cannot compare arrays of different lengths: ${a.length} vs ${b.length}`);
}

/** max_i |a_i − b_i| (throws when the lengths differ) */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max|a − b| / max|b|, `b` being the reference (the absolute difference when b is all zeros) */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const diff = maxAbsDiff(a, b);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  return diff / (scale || 1);
}
