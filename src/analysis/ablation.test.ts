import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { vecArgmax, vecNormalized } from '../math/vector.ts';
import {
  AblationEvaluator,
  ComponentMeanAccumulator,
  REFERENCE_ABLATIONS,
  ablatedEmbedding,
  msaSweepAccuracies,
  msaSweepSpecs,
  resolveAblation,
  runMeanAblation,
  runMeanAblationAsync,
  type LabelledComponents,
} from './ablation.ts';
import { formatAblation } from './ablationSyntax.ts';
import type { ImageComponents } from './inputs.ts';
import { rng, toyImage, toyModel, type ToyShape } from '../testkit/synthetic.ts';
import { classLogits } from './zeroshot.ts';

const shape: ToyShape = { width: 12, heads: 3, layers: 3, grid: 2, dim: 6 };
const { layers: L, heads: H, dim: D } = shape;
const grid = { layers: L, heads: H };
const model = toyModel(shape, 5);
const images = Array.from({ length: 24 }, (_, i) => toyImage(model, 100 + i));
const r = rng(9);
const C = 4;
const W = tensor('C D', Float64Array.from({ length: C * D }, () => r.normal()), [C, D]);
for (let c = 0; c < C; c++) W.data.set(vecNormalized(W.data.subarray(c * D, (c + 1) * D)), c * D);
const predicted = images.map((img) => vecArgmax(classLogits(W, img.embedding.data)));
// two thirds labelled with the model's own prediction, the rest shifted: accuracy 16/24
const dataset: LabelledComponents[] = images.map((image, i) => ({
  image,
  label: i % 3 === 2 ? (predicted[i] + 1) % C : predicted[i],
  group: i % 2,
}));

function meanOf(pick: (img: ImageComponents) => ArrayLike<number>, n = D): Float64Array {
  const out = new Float64Array(n);
  for (const img of images) {
    const v = pick(img);
    for (let k = 0; k < n; k++) out[k] += v[k] / images.length;
  }
  return out;
}

/** Σ of the components of `img`, with `replace` overriding some of them (explicit, test-side). */
function sumComponents(img: ImageComponents, replace: { head?: [number, number, ArrayLike<number>]; cc?: [number, ArrayLike<number>] } = {}) {
  const y = Float64Array.from(img.embedTerm.data);
  for (let l = 0; l < L; l++) {
    for (let k = 0; k < D; k++) y[k] += img.mlp.data[l * D + k];
    for (let h = 0; h < H; h++) {
      const src = replace.head && replace.head[0] === l && replace.head[1] === h ? replace.head[2] : img.heads.data.subarray((l * H + h) * D);
      for (let k = 0; k < D; k++) y[k] += src[k];
    }
    if (replace.cc && replace.cc[0] === l) for (let k = 0; k < D; k++) y[k] += replace.cc[1][k] - img.classClass.data[l * D + k];
  }
  return y;
}

const acc = new ComponentMeanAccumulator({ layers: L, heads: H, dim: D });
for (const img of images) acc.add(img);
const means = acc.means();

describe('ComponentMeanAccumulator', () => {
  it('means equal plain averages; layer means are the averages of Σ_h head terms', () => {
    expect(means.count).toBe(24);
    meanOf((i) => i.embedTerm.data).forEach((v, k) => expect(means.embedTerm.data[k]).toBeCloseTo(v, 14));
    meanOf((i) => i.heads.data, L * H * D).forEach((v, k) => expect(means.heads.data[k]).toBeCloseTo(v, 14));
    meanOf((i) => i.classClass.data, L * D).forEach((v, k) => expect(means.classClass.data[k]).toBeCloseTo(v, 14));
    const layerMean = meanOf((img) => {
      const s = new Float64Array(L * D);
      for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let k = 0; k < D; k++) s[l * D + k] += img.heads.data[(l * H + h) * D + k];
      return s;
    }, L * D);
    layerMean.forEach((v, k) => expect(means.layers.data[k]).toBeCloseTo(v, 14));
  });

  it('merging two shards gives the one-pass means', () => {
    const a = new ComponentMeanAccumulator({ layers: L, heads: H, dim: D });
    const b = new ComponentMeanAccumulator({ layers: L, heads: H, dim: D });
    images.forEach((img, i) => (i < 10 ? a : b).add(img));
    a.merge(b);
    const m = a.means();
    expect(m.count).toBe(24);
    m.mlp.data.forEach((v, k) => expect(v).toBeCloseTo(means.mlp.data[k], 14));
  });

  it('refuses images of another shape and empty means', () => {
    expect(() => new ComponentMeanAccumulator({ layers: L, heads: H + 1, dim: D }).add(images[0])).toThrow(/heads has dims \[3, 3, 6\], expected \[3, 4, 6\]/);
    expect(() => new ComponentMeanAccumulator({ layers: L, heads: H, dim: D }).means()).toThrow(/no images/);
  });
});

describe('ablatedEmbedding(img, means, selection)', () => {
  it("ablating nothing ('') returns the embedding exactly", () => {
    const y = ablatedEmbedding(images[3], means, resolveAblation('', grid));
    expect(Array.from(y)).toEqual(Array.from(images[3].embedding.data));
  });

  it("ablating every component ('embed,mlp,L*') gives the mean embedding", () => {
    const meanEmb = meanOf((i) => i.embedding.data);
    for (const img of images.slice(0, 5)) {
      ablatedEmbedding(img, means, resolveAblation('embed,mlp,L*', grid)).forEach((v, k) => expect(v).toBeCloseTo(meanEmb[k], 12));
    }
  });

  it("'L1.H2' replaces exactly that head by its mean (Σ kept + mean)", () => {
    const img = images[7];
    const want = sumComponents(img, { head: [1, 2, meanOf((i) => i.heads.data.subarray((1 * H + 2) * D))] });
    ablatedEmbedding(img, means, resolveAblation('L1.H2', grid)).forEach((v, k) => expect(v).toBeCloseTo(want[k], 12));
  });

  it("'L2.cc' replaces the class→class cell and keeps the rest of each head", () => {
    const img = images[8];
    const want = sumComponents(img, { cc: [2, meanOf((i) => i.classClass.data.subarray(2 * D))] });
    ablatedEmbedding(img, means, resolveAblation('L2.cc', grid)).forEach((v, k) => expect(v).toBeCloseTo(want[k], 12));
  });

  it("'L0.H*' (every head of a layer) equals 'L0' (the layer term)", () => {
    const a = ablatedEmbedding(images[1], means, resolveAblation('L0.H*', grid));
    const b = ablatedEmbedding(images[1], means, resolveAblation('L0', grid));
    a.forEach((v, k) => expect(v).toBeCloseTo(b[k], 14));
  });
});

describe('runMeanAblation / msaSweepAccuracies', () => {
  it('mean-ablating nothing gives the original accuracy (16/24 by construction)', () => {
    const [report] = runMeanAblation(dataset, W, ['']);
    expect(report.top1).toBe(16 / 24);
    expect(report.count).toBe(24);
  });

  it('ablating every component gives the prediction of the mean embedding for every image', () => {
    const meanClass = vecArgmax(classLogits(W, meanOf((i) => i.embedding.data)));
    const expected = dataset.filter((d) => d.label === meanClass).length / dataset.length;
    const [report] = runMeanAblation(dataset, W, ['embed,mlp,L*']);
    expect(report.top1).toBe(expected);
    expect(expected).not.toBe(16 / 24); // the ablation really changed the predictions
  });

  it('the sweep returns L+1 accuracies, unablated first and all attention layers last', () => {
    const sweep = msaSweepAccuracies(dataset, W);
    expect(sweep).toHaveLength(L + 1);
    expect(msaSweepSpecs(L).map(formatAblation)).toEqual(['', 'L0', 'L0-1', 'L0-2']);
    const [plain, allLayers] = runMeanAblation(dataset, W, ['', 'L*']);
    expect(sweep[0]).toBe(plain.top1);
    expect(sweep[L]).toBe(allLayers.top1);
  });

  it('on a planted dataset (class signal only in the last layer) the sweep is [1, 1, 1, 1/3]', () => {
    // 3 classes along the basis vectors; the last layer's head 0 carries 5·e_label, earlier heads carry
    // noise, MLP and embedding terms are the same for every image and favour class 0.
    const rr = rng(21);
    const Wb = tensor('C D', Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3]);
    const planted: LabelledComponents[] = Array.from({ length: 30 }, (_, n) => {
      const label = n % 3;
      const heads = new Float64Array(L * H * 3);
      for (let k = 0; k < (L - 1) * H * 3; k++) heads[k] = 0.2 * rr.normal();
      heads[((L - 1) * H + 0) * 3 + label] = 5;
      const embedTerm = Float64Array.from([0.3, 0.2, 0.1]);
      const mlp = new Float64Array(L * 3).fill(0.1);
      const embedding = Float64Array.from(embedTerm);
      for (let k = 0; k < L * 3; k++) embedding[k % 3] += mlp[k];
      for (let k = 0; k < heads.length; k++) embedding[k % 3] += heads[k];
      const image: ImageComponents = {
        embedding: tensor('D', embedding, [3]),
        embedTerm: tensor('D', embedTerm, [3]),
        mlp: tensor('L D', mlp, [L, 3]),
        heads: tensor('L H D', heads, [L, H, 3]),
        classClass: tensor('L D', new Float64Array(L * 3), [L, 3]),
      };
      return { image, label };
    });
    expect(msaSweepAccuracies(planted, Wb)).toEqual([1, 1, 1, 1 / 3]);
    // the METHOD §3.2 sets leave the class signal alone here
    const reports = runMeanAblation(planted, Wb, Object.values(REFERENCE_ABLATIONS));
    expect(reports.map((x) => x.top1)).toEqual([1, 1, 1]);
  });

  it('REFERENCE_ABLATIONS resolve to the METHOD §3.2 sets', () => {
    const mlp = resolveAblation(REFERENCE_ABLATIONS.mlp, grid);
    expect(mlp.embed && mlp.mlp.every((x) => x === 1) && mlp.classClass.every((x) => x === 0)).toBe(true);
    const both = resolveAblation(REFERENCE_ABLATIONS.both, grid);
    expect(both.embed && both.mlp.every((x) => x === 1) && both.classClass.every((x) => x === 1)).toBe(true);
    expect(both.head.every((x) => x === 0) && both.layer.every((x) => x === 0)).toBe(true);
  });

  it('AblationEvaluator reports per-group and worst-group accuracy', () => {
    const ev = new AblationEvaluator(W, means, [resolveAblation('', grid)]);
    dataset.forEach((d) => ev.add(d));
    const [rep] = ev.reports();
    // correct iff i % 3 !== 2; group = i % 2: even i -> 8 correct of 12, odd i -> 8 of 12
    expect(rep.groups).toEqual([
      { group: 0, count: 12, top1: 8 / 12 },
      { group: 1, count: 12, top1: 8 / 12 },
    ]);
    expect(rep.worstGroup).toEqual({ group: 0, count: 12, top1: 8 / 12 });
  });
});

describe('runMeanAblation on a one-shot iterable', () => {
  it('refuses a dataset that cannot be iterated twice instead of reporting NaN', () => {
    function* once() {
      yield* dataset;
    }
    const gen = once();
    expect(() => runMeanAblation(gen, W, [''])).toThrow(/24 images for the means but 0 for evaluation/);
  });
});

describe('runMeanAblationAsync (the same runner over a dataset read asynchronously)', () => {
  it('an async re-iterable dataset gives the reports runMeanAblation gives', async () => {
    const readAsync = { async *[Symbol.asyncIterator]() { for (const d of dataset) yield await Promise.resolve(d); } };
    const specs = ['', 'embed,mlp,L*', 'L0.H1'];
    expect(await runMeanAblationAsync(readAsync, W, specs)).toEqual(runMeanAblation(dataset, W, specs));
    expect((await runMeanAblationAsync(dataset, W, ['']))[0]).toMatchObject({ top1: 16 / 24, count: 24 });
  });

  it('refuses a one-shot async dataset and an empty one', async () => {
    async function* once() {
      yield* dataset;
    }
    await expect(runMeanAblationAsync(once(), W, [''])).rejects.toThrow(/24 images for the means but 0 for evaluation/);
    await expect(runMeanAblationAsync([], W, [''])).rejects.toThrow(/needs at least one image/);
  });
});
