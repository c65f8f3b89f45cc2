/**
 * Seeded TEXTSPAN inputs for regression tests of the fast path against recorded outputs
 * (src/analysis/textspan.recorded.json): realistic heads (low rank + offset + noise, as in the
 * bench) and ill-conditioned ones — a mean that dominates the variance, singular values spread
 * over many decades, near-duplicate texts, and outputs of lower rank than r.
 */
import { seededRandom, type SeededRandom } from '../math/random.ts';
import { tensor, type Tensor } from '../math/tensor.ts';

export interface TextspanCase {
  name: string;
  C: Tensor<'K D', Float32Array>;
  R: Tensor<'M D', Float32Array>;
  m: number;
  rank: number;
}

function gaussian(random: SeededRandom, length: number, scale = 1): Float64Array {
  return Float64Array.from({ length }, () => random.gaussian() * scale);
}

function unitRows(random: SeededRandom, count: number, d: number): Float64Array {
  const r = gaussian(random, count * d);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += r[i * d + j] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) r[i * d + j] *= inv;
  }
  return r;
}

/**
 * K×D outputs Σ_a z_a·σ_a·b_a + offset + noise: z ~ N(0,1) per image, b_a random unit-ish
 * directions, the given singular-value profile σ.
 */
function head(random: SeededRandom, k: number, d: number, sigmas: readonly number[], offsetScale: number, noise: number): Float32Array {
  const basis = gaussian(random, sigmas.length * d, 1 / Math.sqrt(d));
  const offset = gaussian(random, d, offsetScale);
  const c = new Float32Array(k * d);
  const row = new Float64Array(d);
  for (let i = 0; i < k; i++) {
    row.set(offset);
    for (let a = 0; a < sigmas.length; a++) {
      const z = random.gaussian() * sigmas[a];
      for (let j = 0; j < d; j++) row[j] += z * basis[a * d + j];
    }
    for (let j = 0; j < d; j++) c[i * d + j] = row[j] + noise * random.gaussian();
  }
  return c;
}

export function textspanCases(): TextspanCase[] {
  const cases: TextspanCase[] = [];
  const add = (name: string, seed: number, k: number, d: number, pool: number, m: number, rank: number, build: (random: SeededRandom) => { c: Float32Array; r?: Float64Array }) => {
    const random = seededRandom(seed);
    const { c, r } = build(random);
    const texts = r ?? unitRows(random, pool, d);
    cases.push({ name, C: tensor('K D', c, [k, d]), R: tensor('M D', Float32Array.from(texts), [texts.length / d, d]), m, rank });
  };
  const decaying = (count: number) => Array.from({ length: count }, (_, a) => 1 / (1 + a));
  // the bench's kind of head, smaller: rank-40 signal, offset, isotropic noise
  add('realistic', 101, 500, 128, 600, 20, 48, (random) => ({ c: head(random, 500, 128, decaying(40), 0.05, 0.01) }));
  add('realistic, m 30 r 80', 102, 400, 96, 400, 30, 80, (random) => ({ c: head(random, 400, 96, decaying(30), 0.05, 0.01) }));
  // the mean is 10⁴ times the spread: the uncentred Gram is dominated by one direction
  add('mean dominates', 103, 400, 96, 400, 20, 48, (random) => ({ c: head(random, 400, 96, decaying(30), 1e3, 0.01) }));
  // singular values from 1 down to 1e-6 (the Gram's condition number ~1e12) and no noise
  add('spread spectrum', 104, 400, 96, 400, 20, 48, (random) => ({
    c: head(random, 400, 96, Array.from({ length: 60 }, (_, a) => 10 ** (-a / 10)), 0.01, 0),
  }));
  // pairs of texts 1e-6 apart (and exact duplicates): the second of a pair is left with ~nothing
  add('near-duplicate texts', 105, 400, 96, 300, 20, 48, (random) => {
    const base = unitRows(random, 150, 96);
    const r = new Float64Array(300 * 96);
    for (let i = 0; i < 150; i++) {
      for (let j = 0; j < 96; j++) {
        r[2 * i * 96 + j] = base[i * 96 + j];
        r[(2 * i + 1) * 96 + j] = base[i * 96 + j] + (i % 3 === 0 ? 0 : 1e-6 * random.gaussian());
      }
    }
    return { c: head(random, 400, 96, decaying(30), 0.05, 0.01), r };
  });
  // rank 31 (30 directions + the offset) under r = 48: the span's last directions are the
  // float32 rounding of the outputs
  add('rank below r', 106, 400, 96, 400, 20, 48, (random) => ({ c: head(random, 400, 96, decaying(30), 0.05, 0) }));
  return cases;
}
