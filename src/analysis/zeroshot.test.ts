import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { AccuracyCounter, classLogits, predictClass, topClasses, zeroShotClassifier } from './zeroshot.ts';

describe('zeroShotClassifier(prompts [C, P, D])', () => {
  it('normalises each prompt, averages, normalises: [[3,0],[0,4]] -> [1,1]/√2', () => {
    const prompts = tensor('C P D', Float32Array.from([3, 0, 0, 4, /* class 1 */ 0, -2, 0, -5]), [2, 2, 2]);
    const W = zeroShotClassifier(prompts);
    expect(W.dims).toEqual([2, 2]);
    expect(W.data[0]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(W.data[1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(Array.from(W.data.subarray(2))).toEqual([0, -1]);
  });

  it('prompt scale does not matter (each prompt is normalised before averaging)', () => {
    const a = zeroShotClassifier(tensor('C P D', Float64Array.from([1, 0, 0, 1]), [1, 2, 2]));
    const b = zeroShotClassifier(tensor('C P D', Float64Array.from([100, 0, 0, 0.01]), [1, 2, 2]));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('refuses a zero prompt and prompts that cancel out', () => {
    expect(() => zeroShotClassifier(tensor('C P D', Float64Array.from([0, 0]), [1, 1, 2]))).toThrow(/prompt embedding 0 of class 0 has norm 0/);
    expect(() => zeroShotClassifier(tensor('C P D', Float64Array.from([1, 0, -2, 0]), [1, 2, 2]))).toThrow(/average to zero/);
  });
});

describe('logits and predictions', () => {
  const W = tensor('C D', Float64Array.from([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2]), [3, 2]);

  it('classLogits(W, y) are dot products; predictClass picks the largest, first on ties', () => {
    expect(Array.from(classLogits(W, [2, 1]))).toEqual([2, 1, 3 * Math.SQRT1_2]);
    expect(predictClass(classLogits(W, [2, 1]))).toBe(2);
    expect(predictClass([1, 5, 5])).toBe(1);
    expect(() => classLogits(W, [1, 2, 3])).toThrow(/3 entries, classifier expects 2/);
  });

  it('topClasses ranks classes best first', () => {
    expect(topClasses([0.1, 0.7, 0.3], 2).map((r) => r.index)).toEqual([1, 2]);
  });
});

describe('AccuracyCounter', () => {
  it('counts top-1, top-5 and per-group accuracy; the worst group is the lowest top-1', () => {
    const acc = new AccuracyCounter();
    const logits = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]; // ranking 0,1,2,3,4,5,6
    acc.add(logits, 0, 0); // top-1 hit
    acc.add(logits, 4, 0); // top-5 hit only
    acc.add(logits, 5, 1); // miss
    acc.add(logits, 0, 1); // top-1 hit
    acc.add(logits, 0, 2); // top-1 hit
    const rep = acc.report();
    expect(rep.count).toBe(5);
    expect(rep.top1).toBe(3 / 5);
    expect(rep.top5).toBe(4 / 5);
    expect(rep.groups).toEqual([
      { group: 0, count: 2, top1: 0.5 },
      { group: 1, count: 2, top1: 0.5 },
      { group: 2, count: 1, top1: 1 },
    ]);
    expect(rep.worstGroup).toEqual({ group: 0, count: 2, top1: 0.5 });
  });

  it('without groups there is no worst group; with no images accuracy is NaN', () => {
    const acc = new AccuracyCounter();
    expect(acc.report().top1).toBeNaN();
    acc.add([1, 0], 1);
    expect(acc.report()).toMatchObject({ top1: 0, top5: 1, groups: [], worstGroup: null });
  });
});
