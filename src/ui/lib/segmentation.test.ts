import { describe, expect, it } from 'vitest';
import { thresholdMask } from './segmentation.ts';

describe('thresholdMask', () => {
  it('thresholdMask(map, t) is foreground strictly above t; NaN is background', () => {
    const map = Float32Array.from([0, 0.25, 0.5, 0.75, 1, NaN]);
    expect(Array.from(thresholdMask(map, 0.5))).toEqual([0, 0, 0, 1, 1, 0]);
    expect(Array.from(thresholdMask(map, 0))).toEqual([0, 1, 1, 1, 1, 0]);
  });
});
