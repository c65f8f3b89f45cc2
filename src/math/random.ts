/**
 * A small seeded pseudo-random generator (xorshift32 + Box–Muller) for reproducible synthetic data,
 * start vectors and tests. Not for anything that needs statistical quality beyond that.
 */
export interface SeededRandom {
  /** uniform in (0, 1) */
  uniform(): number;
  /** standard normal */
  gaussian(): number;
}

export function seededRandom(seed: number): SeededRandom {
  let s = seed >>> 0 || 0x9e3779b9;
  const uniform = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, gaussian };
}

/** A Float64Array of `length` standard normal values times `scale`. */
export function gaussianArray(random: SeededRandom, length: number, scale = 1): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = random.gaussian() * scale;
  return out;
}
