import { describe, expect, it } from 'vitest';
import { gaussianArray, seededRandom } from '../math/random.ts';
import { tensor } from '../math/tensor.ts';
import { neuronProbe, neuronTokenScores } from './neuronTokens.ts';

describe('neuron token scores (METHOD §9)', () => {
  const K = 2, H = 3, M = 5, E = 4, D = 6, T = 7;
  const r = seededRandom(9);
  const constants = { q: tensor('K H U E', gaussianArray(r, K * H * M * E), [K, H, M, E]), out: tensor('K H E D', gaussianArray(r, K * H * E * D), [K, H, E, D]) };
  const factors = { post: tensor('T U', gaussianArray(r, T * M), [T, M]), tokenWeights: tensor('K H T', gaussianArray(r, K * H * T), [K, H, T]) };
  const t = gaussianArray(r, D);

  /** φ_n by the fast form, summed explicitly */
  function phi(n: number): Float64Array {
    const out = new Float64Array(D);
    for (let kh = 0; kh < K * H; kh++) {
      let a = 0;
      for (let i = 0; i < T; i++) a += factors.tokenWeights.data[kh * T + i] * factors.post.data[i * M + n];
      for (let e = 0; e < E; e++) for (let d = 0; d < D; d++) out[d] += a * constants.q.data[(kh * M + n) * E + e] * constants.out.data[(kh * E + e) * D + d];
    }
    return out;
  }

  it('the token scores of neuron n sum to ⟨φ_n, t⟩', () => {
    for (const n of [0, 3]) {
      const scores = neuronTokenScores(factors, n, neuronProbe(constants, n, t));
      const total = scores.data.reduce((s, x) => s + x, 0);
      expect(total).toBeCloseTo(phi(n).reduce((s, x, d) => s + x * t[d], 0), 10);
    }
  });

  it('a token with p = 0 scores 0, and the scores are linear in t', () => {
    const zeroed = { ...factors, post: tensor('T U', factors.post.data.map((v, k) => (Math.floor(k / M) === 2 ? 0 : v)), [T, M]) };
    expect(Math.abs(neuronTokenScores(zeroed, 1, neuronProbe(constants, 1, t)).data[2])).toBe(0);
    const a = neuronTokenScores(factors, 1, neuronProbe(constants, 1, t)).data;
    const b = neuronTokenScores(factors, 1, neuronProbe(constants, 1, t.map((x) => 3 * x))).data;
    a.forEach((x, i) => expect(b[i]).toBeCloseTo(3 * x, 10));
  });

  it('rejects a direction of the wrong width and a neuron outside the layer', () => {
    expect(() => neuronProbe(constants, 0, [1, 2])).toThrow(/direction has 2 values, D = 6/);
    expect(() => neuronProbe(constants, 9, t)).toThrow(/neuron 9 is outside 0-4/);
  });
});
