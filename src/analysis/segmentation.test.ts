import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { vecDot } from '../math/vector.ts';
import {
  SegmentationAccumulator,
  averagePrecision,
  normalisedMap,
  segmentationAP,
  segmentationDirection,
  segmentationScoreMap,
  segmentImage,
  thresholdAtMean,
} from './segmentation.ts';
import { rng, toyImage, toyModel } from '../testkit/synthetic.ts';

const map = (values: number[], side = Math.sqrt(values.length)) => tensor('Y X', Float64Array.from(values), [side, side]);
const mask = (values: number[]) => Uint8Array.from(values);

describe('averagePrecision (scikit-learn step-wise definition)', () => {
  it('[0.9, 0.8, 0.7, 0.6] vs [1, 0, 1, 0] = 1·½ + ⅔·½ = 5/6', () => {
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 15);
  });

  it('tied scores enter together: [0.5, 0.5, 0.2] vs [1, 0, 1] = ½·½ + ½·⅔ = 7/12', () => {
    expect(averagePrecision([0.5, 0.5, 0.2], [1, 0, 1])).toBeCloseTo(7 / 12, 15);
    // the same values in another order give the same AP
    expect(averagePrecision([0.2, 0.5, 0.5], [1, 1, 0])).toBeCloseTo(7 / 12, 15);
  });

  it('all scores tied gives the positive rate; perfect ranking gives 1', () => {
    expect(averagePrecision([1, 1, 1, 1], [1, 0, 0, 0])).toBe(0.25);
    expect(averagePrecision([0.1, 0.9, 0.8], [0, 1, 1])).toBe(1);
  });

  it('is NaN with no positives or a NaN score; rejects non-binary targets', () => {
    expect(averagePrecision([0.3, 0.2], [0, 0])).toBeNaN();
    expect(averagePrecision([NaN, 0.2], [1, 0])).toBeNaN();
    expect(() => averagePrecision([0.3], [2])).toThrow(/target 0 is 2, expected 0 or 1/);
  });
});

describe('map -> mask (METHOD 5.2 steps 4-6)', () => {
  it('normalisedMap clips negatives and min-max scales: [[-1,1],[2,3]] -> [0, 1/3, 2/3, 1]', () => {
    const n = normalisedMap(map([-1, 1, 2, 3]), 2).data;
    [0, 1 / 3, 2 / 3, 1].forEach((v, i) => expect(n[i]).toBeCloseTo(v, 15));
    expect(Array.from(thresholdAtMean(tensor('Y X', n, [2, 2])))).toEqual([0, 0, 1, 1]);
  });

  it('normalisedMap upsamples first: [[0,1],[2,3]] to 4x4 has min 0, max 1 at the corners', () => {
    const n = normalisedMap(map([0, 1, 2, 3]), 4).data;
    expect(n[0]).toBe(0);
    expect(n[15]).toBe(1);
    expect(n[1]).toBeCloseTo(0.25 / 3, 15);
  });

  it('threshold is strict (value > mean): ties at the mean are background', () => {
    expect(Array.from(thresholdAtMean(map([0, 0.5, 0.5, 1])))).toEqual([0, 0, 0, 1]);
  });

  it('a constant map (also one that is all negative) is all background', () => {
    for (const values of [[2, 2, 2, 2], [-1, -3, -2, -5]]) {
      const n = normalisedMap(map(values), 2);
      expect(Array.from(n.data).every(Number.isNaN)).toBe(true);
      expect(Array.from(thresholdAtMean(n))).toEqual([0, 0, 0, 0]);
      expect(segmentationAP(n, mask([0, 1, 1, 0]))).toBe(0);
    }
  });
});

describe('segmentationAP (2·S² samples: [1 − map, map] vs [gt == 0, gt == 1])', () => {
  it('a map equal to the mask scores 1', () => {
    expect(segmentationAP(map([0, 0, 1, 1]), mask([0, 0, 1, 1]))).toBe(1);
  });

  it('map [0, .25, .75, 1] vs gt [0, 1, 0, 1] = ½·1 + ½·4/6 = 5/6', () => {
    expect(segmentationAP(map([0, 0.25, 0.75, 1]), mask([0, 1, 0, 1]))).toBeCloseTo(5 / 6, 15);
  });
});

describe('SegmentationAccumulator', () => {
  it('two images: pixel accuracy 6/8, IoU [4/6, 2/4], mIoU 7/12, mAP (41/48 + 0)/2', () => {
    const acc = new SegmentationAccumulator();
    // image 1: prediction [0,0,1,1] vs gt [0,1,1,1]; AP: thresholds 1 (2 pos), .75 (1 pos 1 neg), .25 (1 pos 1 neg)
    acc.add(map([0, 0.25, 0.75, 1]), mask([0, 1, 1, 1]));
    // image 2: constant map -> all background vs gt [0,0,0,1]; AP counts 0
    acc.add(normalisedMap(map([1, 1, 1, 1]), 2), mask([0, 0, 0, 1]));
    const rep = acc.report();
    expect(rep.images).toBe(2);
    expect(rep.pixelAccuracy).toBe(6 / 8);
    expect(rep.iou[0]).toBeCloseTo(4 / 6, 15);
    expect(rep.iou[1]).toBeCloseTo(2 / 4, 15);
    expect(rep.mIoU).toBeCloseTo(7 / 12, 15);
    expect(rep.mAP).toBeCloseTo(41 / 96, 15);
  });

  it('empty foreground everywhere: the foreground IoU (empty union) counts 0', () => {
    const acc = new SegmentationAccumulator();
    acc.add(normalisedMap(map([3, 3, 3, 3]), 2), mask([0, 0, 0, 0]));
    expect(acc.report()).toMatchObject({ pixelAccuracy: 1, iou: [1, 0], mIoU: 0.5, mAP: 0 });
  });

  it('IoU sums over the dataset before dividing (not a mean of per-image IoUs)', () => {
    const acc = new SegmentationAccumulator();
    acc.add(map([1, 0, 0, 0]), mask([1, 0, 0, 0])); // mean .25: pred = gt; fg inter 1, union 1
    acc.add(map([1, 1, 0, 0]), mask([1, 0, 0, 0])); // mean .5: pred fg = pixels 0 and 1
    const rep = acc.report();
    // image 2: pred [1,1,0,0], gt [1,0,0,0]: fg inter 1, union 2; bg inter 2, union 3
    expect(rep.iou[1]).toBeCloseTo(2 / 3, 15); // (1 + 1) / (1 + 2), not (1 + 1/2) / 2
    expect(rep.iou[0]).toBeCloseTo(5 / 6, 15); // (3 + 2) / (3 + 3)
  });

  it('rejects masks of the wrong size or with labels other than 0/1', () => {
    const acc = new SegmentationAccumulator();
    expect(() => acc.add(map([0, 1, 0, 1]), mask([0, 1, 0]))).toThrow(/3 pixels/);
    expect(() => acc.add(map([0, 1, 0, 1]), mask([0, 1, 0, 255]))).toThrow(/pixel 3 is 255, expected 0 or 1/);
  });
});

describe('segmentationScoreMap', () => {
  it('equals s(c*) − mean over classes of explicit per-patch class scores', () => {
    const shape = { width: 12, heads: 3, layers: 2, grid: 2, dim: 6 };
    const model = toyModel(shape, 3);
    const image = toyImage(model, 4);
    const r = rng(5);
    const C = 5;
    const W = tensor('C D', Float64Array.from({ length: C * 6 }, () => r.normal()), [C, 6]);
    const T = 5;
    const patchScore = (i: number, c: number) => {
      let s = 0;
      for (let lh = 0; lh < 2 * 3; lh++) s += vecDot(image.explicitCells, W.data, 6, (lh * T + i) * 6, c * 6);
      return s;
    };
    const got = segmentationScoreMap(image, model, W, 2);
    expect(got.dims).toEqual([2, 2]);
    for (let p = 0; p < 4; p++) {
      let mean = 0;
      for (let c = 0; c < C; c++) mean += patchScore(p + 1, c) / C;
      expect(got.data[p]).toBeCloseTo(patchScore(p + 1, 2) - mean, 12);
    }
    const seg = segmentImage(image, model, W, 2, 8);
    expect(Array.from(seg.scoreMap.data)).toEqual(Array.from(got.data));
    expect(seg.normalised.dims).toEqual([8, 8]);
    expect(Math.min(...seg.normalised.data)).toBe(0);
    expect(Math.max(...seg.normalised.data)).toBe(1);
    expect(seg.mask).toHaveLength(64);
    expect(segmentationDirection(W, 2)).toHaveLength(6);
    expect(() => segmentationDirection(W, 5)).toThrow(/class 5 is outside 0-4/);
  });
});
