/**
 * Seeded random inputs for tests: a tiny uniform PRNG and preprocessed-looking pixel batches.
 * Pure (no Node APIs), deterministic in the seed.
 */

/** mulberry32: a deterministic stream of uniform numbers in [0, 1) */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random pixels [batch, 3, side, side], uniform in [-2, 2): roughly the range after normalisation. */
export function randomPixels(batch: number, side: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  return Float32Array.from({ length: batch * 3 * side * side }, () => 4 * next() - 2);
}
