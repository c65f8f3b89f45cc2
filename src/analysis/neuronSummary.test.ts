import { describe, expect, it } from 'vitest';
import { topRightSingularVectors } from '../math/svd.ts';
import { gaussianArray, seededRandom } from '../math/random.ts';
import { tensor } from '../math/tensor.ts';
import { neuronDirection, NeuronTopImages } from './neuronSummary.ts';

const M = 5, D = 8, IMAGES = 12;
const effectsOf = (image: number) => Float32Array.from(gaussianArray(seededRandom(100 + image), M * D));
const norms = (image: number, n: number) => Math.hypot(...effectsOf(image).subarray(n * D, (n + 1) * D));

describe('NeuronTopImages', () => {
  it('keeps the k largest norms per neuron (best first) with their vectors, and the mean norm over all images', () => {
    const acc = new NeuronTopImages(M, D, 3);
    for (let i = 0; i < IMAGES; i++) acc.add(i, effectsOf(i));
    expect(acc.imagesSeen).toBe(IMAGES);
    for (let n = 0; n < M; n++) {
      const all = Array.from({ length: IMAGES }, (_, i) => ({ image: i, norm: norms(i, n) })).sort((a, b) => b.norm - a.norm);
      const top = acc.topImages(n);
      expect(top.map((t) => t.image)).toEqual(all.slice(0, 3).map((t) => t.image));
      top.forEach((t) => expect(Array.from(t.effect)).toEqual(Array.from(effectsOf(t.image).subarray(n * D, (n + 1) * D))));
      expect(acc.meanNorms()[n]).toBeCloseTo(all.reduce((s, t) => s + t.norm, 0) / IMAGES, 12);
    }
  });

  it('ties keep the earlier image', () => {
    const acc = new NeuronTopImages(1, 2, 2);
    acc.add(0, [3, 4]);
    acc.add(1, [5, 0]);
    acc.add(2, [0, 5]);
    acc.add(3, [4, 3]);
    expect(acc.topImages(0).map((t) => t.image)).toEqual([0, 1]);
  });

  it('saved after 5 images and restored, it ends exactly as an uninterrupted run', () => {
    const whole = new NeuronTopImages(M, D, 4);
    for (let i = 0; i < IMAGES; i++) whole.add(i, effectsOf(i));
    const first = new NeuronTopImages(M, D, 4);
    for (let i = 0; i < 5; i++) first.add(i, effectsOf(i));
    const { state, vectors } = first.saveState();
    const resumed = NeuronTopImages.restore(JSON.parse(JSON.stringify(state)), vectors.slice());
    for (let i = 5; i < IMAGES; i++) resumed.add(i, effectsOf(i));
    expect(resumed.saveState()).toEqual(whole.saveState());
  });

  it('rejects effects of the wrong size and an inconsistent saved state', () => {
    const acc = new NeuronTopImages(M, D, 2);
    expect(() => acc.add(0, new Float32Array(3))).toThrow(/expected \[5, 8\], got 3 values/);
    acc.add(0, effectsOf(0));
    const { state, vectors } = acc.saveState();
    expect(() => NeuronTopImages.restore(state, vectors.subarray(1))).toThrow(/inconsistent/);
  });
});

describe('neuronDirection', () => {
  it('equals the top right singular vector computed through the D×D Gram, signed by the mean projection', () => {
    const rows = Array.from({ length: 6 }, (_, i) => gaussianArray(seededRandom(7 + i), D));
    const { direction, share } = neuronDirection(rows, D);
    const flat = new Float64Array(6 * D);
    rows.forEach((r, i) => flat.set(r, i * D));
    const svd = topRightSingularVectors(tensor('K D', flat, [6, D]), 1);
    const v = Array.from(svd.vectors.data);
    const sign = v.reduce((s, x, d) => s + x * direction[d], 0) > 0 ? 1 : -1;
    v.forEach((x, d) => expect(direction[d]).toBeCloseTo(sign * x, 9));
    const total = rows.reduce((s, r) => s + r.reduce((t, x) => t + x * x, 0), 0);
    expect(share).toBeCloseTo(svd.gramEigenvalues[0] / total, 9);
    const meanProjection = rows.reduce((s, r) => s + r.reduce((t, x, d) => t + x * direction[d], 0), 0);
    expect(meanProjection).toBeGreaterThan(0);
  });

  it('recovers a planted rank-one direction with share ≈ 1 and the sign of the rows', () => {
    const v = Float64Array.from([1, -2, 0, 3, 0, 0, 1, 1]).map((x) => x / 4);
    const rows = [2, 3, 0.5, 4].map((c, i) => v.map((x, d) => -c * x + 1e-9 * Math.sin(i + d)));
    const { direction, share } = neuronDirection(rows, D);
    const unit = v.map((x) => x / Math.hypot(...v));
    unit.forEach((x, d) => expect(direction[d]).toBeCloseTo(-x, 6));
    expect(share).toBeCloseTo(1, 9);
  });
});
