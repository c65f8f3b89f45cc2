import { describe, expect, it } from 'vitest';
import { gaussianArray, seededRandom } from '../math/random.ts';
import { tensor } from '../math/tensor.ts';
import { neuronHeadRows, neuronHeadScalars, neuronSwitchOffDelta } from './neuronAblation.ts';

describe('neuron switch-offs and how they combine with head switch-offs', () => {
  // layer 1 of a 4-layer tower: later layers 2, 3 (K = 2), 3 heads
  const L = 4, layer = 1, K = 2, H = 3, M = 4, E = 2, D = 5, T = 6;
  const r = seededRandom(21);
  const constants = { q: tensor('K H U E', gaussianArray(r, K * H * M * E), [K, H, M, E]), out: tensor('K H E D', gaussianArray(r, K * H * E * D), [K, H, E, D]) };
  const images = [0, 1, 2].map(() => ({ post: tensor('T U', gaussianArray(r, T * M), [T, M]), tokenWeights: tensor('K H T', gaussianArray(r, K * H * T), [K, H, T]) }));
  const n = 2;
  const rows = neuronHeadRows(constants, n);
  const scalars = images.map((f) => neuronHeadScalars(f, n));
  const mean = scalars[0].map((_, kh) => scalars.reduce((s, a) => s + a[kh], 0) / scalars.length);
  /** φ_n(I) by the fast form, summed explicitly over tokens */
  const phi = (img: number) => {
    const out = new Float64Array(D);
    const f = images[img];
    for (let kh = 0; kh < K * H; kh++) {
      for (let i = 0; i < T; i++) {
        const w = f.tokenWeights.data[kh * T + i] * f.post.data[i * M + n];
        for (let e = 0; e < E; e++) for (let d = 0; d < D; d++) out[d] += w * constants.q.data[(kh * M + n) * E + e] * constants.out.data[(kh * E + e) * D + d];
      }
    }
    return out;
  };
  const none = new Uint8Array(L * H);

  it('with every head on, the switch-off replaces φ_n(I) by its mean over the images', () => {
    const meanPhi = new Float64Array(D);
    for (let i = 0; i < 3; i++) phi(i).forEach((x, d) => (meanPhi[d] += x / 3));
    const delta = neuronSwitchOffDelta(scalars[1], mean, rows, layer, none, H);
    const p1 = phi(1);
    delta.forEach((x, d) => expect(x).toBeCloseTo(meanPhi[d] - p1[d], 10));
  });

  it('with every later head off, it changes nothing more (those heads already carry their means)', () => {
    const laterOff = new Uint8Array(L * H);
    laterOff.fill(1, (layer + 1) * H, L * H);
    for (const x of neuronSwitchOffDelta(scalars[0], mean, rows, layer, laterOff, H)) expect(x).toBe(0);
  });

  it('with one later head off, it acts through the others only; heads of earlier layers do not matter', () => {
    const oneOff = new Uint8Array(L * H);
    oneOff[3 * H + 1] = 1; // layer 3, head 1 = path kh = 1·H + 1
    oneOff[0] = 1; // layer 0 head 0: before the neuron, no path
    const all = neuronSwitchOffDelta(scalars[2], mean, rows, layer, none, H);
    const some = neuronSwitchOffDelta(scalars[2], mean, rows, layer, oneOff, H);
    const kh = 1 * H + 1;
    some.forEach((x, d) => expect(x).toBeCloseTo(all[d] - (mean[kh] - scalars[2][kh]) * rows[kh * D + d], 10));
  });
});
