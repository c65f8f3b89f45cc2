import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { accuracyOf, ImageSumAccumulator } from './reconstruction.ts';

describe('ImageSumAccumulator', () => {
  it('addPerImage adds rows; addMeanOf adds the column mean to every row', () => {
    const acc = new ImageSumAccumulator(2, 3);
    acc.addPerImage(tensor('K D', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]));
    acc.addMeanOf(tensor('K D', new Float32Array([0, 2, 4, 2, 4, 8]), [2, 3]));
    expect(Array.from(acc.result().data)).toEqual([2, 5, 9, 5, 8, 12]);
    expect(() => acc.addPerImage(tensor('K D', new Float32Array(3), [1, 3]))).toThrow('expected [2, 3]');
  });
});

describe('accuracyOf', () => {
  it('classifies each row, skips label -1, and reports groups', () => {
    const W = tensor('C D', new Float64Array([1, 0, 0, 1]), [2, 2]);
    const y = tensor('K D', new Float64Array([2, 1, 0, 3, 5, 1, 1, 0]), [4, 2]);
    const r = accuracyOf(y, W, [0, 1, 1, -1], [0, 0, 1, 1]);
    expect(r.count).toBe(3);
    expect(r.top1).toBeCloseTo(2 / 3);
    expect(r.groups.map((g) => g.top1)).toEqual([1, 0]);
    expect(r.worstGroup?.group).toBe(1);
  });
});
