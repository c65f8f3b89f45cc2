import { describe, expect, it } from 'vitest';
import { vecDot, vecNormalized } from '../math/vector.ts';
import {
  contrastiveMaps,
  headMaskFromSpec,
  headPatchMap,
  patchMap,
  promptMaps,
  probeConstants,
  projectedPatchMap,
  projectedTokens,
  promptPatchMap,
  textProbe,
  tokenScores,
  upsampleMap,
} from './heatmap.ts';
import { tensor } from '../math/tensor.ts';
import { rng, toyImage, toyModel, type ToyShape } from '../testkit/synthetic.ts';

const shape: ToyShape = { width: 12, heads: 3, layers: 2, grid: 2, dim: 6 };
const model = toyModel(shape, 7);
const image = toyImage(model, 11);
const { layers: L, heads: H, dim: D } = shape;
const T = shape.grid ** 2 + 1;
const r = rng(3);
const unitText = () => vecNormalized(Array.from({ length: D }, () => r.normal()));

describe('toy decomposition (fixture sanity)', () => {
  it('explicit cells + embedding and MLP terms sum to the unit embedding û', () => {
    const sum = Float64Array.from(image.embedTerm.data);
    for (let k = 0; k < L * D; k++) sum[k % D] += image.mlp.data[k];
    for (let k = 0; k < image.explicitCells.length; k++) sum[k % D] += image.explicitCells[k];
    sum.forEach((v, d) => expect(v).toBeCloseTo(image.embedding.data[d], 12));
    expect(Math.hypot(...image.embedding.data)).toBeCloseTo(1, 12);
  });
});

describe('tokenScores(image, textProbe(model, t))', () => {
  const t = unitText();
  const scores = tokenScores(image, textProbe(model, t));

  it('equals ⟨c_{l,h,i}, t⟩ of the explicitly built cell vectors for every cell', () => {
    expect(scores.dims).toEqual([L, H, T]);
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          const explicit = vecDot(image.explicitCells, t, D, ((l * H + h) * T + i) * D, 0);
          expect(scores.data[(l * H + h) * T + i]).toBeCloseTo(explicit, 12);
        }
      }
    }
  });

  it('summed over all cells plus the embedding and MLP terms gives ⟨û, t⟩', () => {
    let total = vecDot(image.embedTerm.data, t);
    for (let l = 0; l < L; l++) total += vecDot(image.mlp.data, t, D, l * D, 0);
    total += scores.data.reduce((s, x) => s + x, 0);
    expect(total).toBeCloseTo(vecDot(image.embedding.data, t), 12);
  });

  it('per-head token sums equal the token-summed head terms (spatial and non-spatial paths agree)', () => {
    for (let lh = 0; lh < L * H; lh++) {
      const s = scores.data.subarray(lh * T, (lh + 1) * T).reduce((a, b) => a + b, 0);
      expect(s).toBeCloseTo(vecDot(image.heads.data, t, D, lh * D, 0), 12);
    }
  });
});

describe('patch maps', () => {
  const t = unitText();
  const scores = tokenScores(image, textProbe(model, t));

  it('patchMap(scores) sums every head over patches 1..N, row-major, class token excluded', () => {
    const map = patchMap(scores);
    expect(map.dims).toEqual([2, 2]);
    for (let p = 0; p < 4; p++) {
      let want = 0;
      for (let lh = 0; lh < L * H; lh++) want += vecDot(image.explicitCells, t, D, (lh * T + 1 + p) * D, 0);
      expect(map.data[p]).toBeCloseTo(want, 12);
    }
  });

  it('headPatchMap(scores, 1, 2) is that head alone; a mask from "L1.H2" selects the same', () => {
    const single = headPatchMap(scores, 1, 2);
    for (let p = 0; p < 4; p++) {
      expect(single.data[p]).toBeCloseTo(vecDot(image.explicitCells, t, D, ((1 * H + 2) * T + 1 + p) * D, 0), 12);
    }
    expect(patchMap(scores, headMaskFromSpec('L1.H2', shape)).data).toEqual(single.data);
  });

  it('maps over layer subsets add up: map(L0) + map(L1) = map(all)', () => {
    const a = patchMap(scores, headMaskFromSpec('L0', shape)).data;
    const b = patchMap(scores, headMaskFromSpec('L1.H*', shape)).data;
    const all = patchMap(scores).data;
    all.forEach((v, p) => expect(a[p] + b[p]).toBeCloseTo(v, 12));
  });

  it('headMaskFromSpec rejects items that are not heads or layers, and out-of-range heads', () => {
    expect(() => headMaskFromSpec('L0,mlp', shape)).toThrow(/'mlp' cannot select heads for a map/);
    expect(() => headMaskFromSpec('L0.H3', shape)).toThrow(/head 3 in 'L0.H3' is out of range: this model has heads 0-2/);
  });

  it('contrastive maps are each prompt minus the prompt mean, equal to a probe along (t1 − t2)/2 (linearity)', () => {
    const t1 = unitText();
    const t2 = unitText();
    const [c1, c2] = promptMaps(image, [textProbe(model, t1), textProbe(model, t2)], { contrastive: true });
    const diff = patchMap(tokenScores(image, textProbe(model, t1.map((x, d) => (x - t2[d]) / 2)))).data;
    diff.forEach((v, p) => {
      expect(c1.data[p]).toBeCloseTo(v, 12);
      expect(c2.data[p]).toBeCloseTo(-v, 12);
    });
    const three = contrastiveMaps([c1, c2, c1]);
    three[0].data.forEach((v, p) => expect(v).toBeCloseTo(c1.data[p] - (2 * c1.data[p] + c2.data[p]) / 3, 12));
  });

  it('promptPatchMap(image, probe, mask) equals patchMap(tokenScores(image, probe), mask) for every head selection', () => {
    const probe = textProbe(model, t);
    const masks = [undefined, headMaskFromSpec('L0', shape), headMaskFromSpec('L1.H2', shape), headMaskFromSpec('L0.H0,L1.H1-2', shape), new Uint8Array(L * H)];
    for (const mask of masks) {
      const want = patchMap(tokenScores(image, probe), mask).data;
      const got = promptPatchMap(image, probe, mask);
      expect(got.dims).toEqual([2, 2]);
      got.data.forEach((v, p) => expect(v).toBeCloseTo(want[p], 12));
    }
    // no head selected: an all-zero map, as patchMap gives
    expect([...promptPatchMap(image, probe, new Uint8Array(L * H)).data]).toEqual([0, 0, 0, 0]);
  });

  it('promptPatchMap handles head widths that are not a multiple of 4 (the tail of the unrolled dot product)', () => {
    const odd: ToyShape = { width: 15, heads: 3, layers: 3, grid: 3, dim: 7 };
    const m = toyModel(odd, 5);
    const img = toyImage(m, 6);
    const probe = textProbe(m, vecNormalized(Array.from({ length: odd.dim }, () => r.normal())));
    const want = patchMap(tokenScores(img, probe)).data;
    promptPatchMap(img, probe).data.forEach((v, p) => expect(v).toBeCloseTo(want[p], 12));
    // and the probe's own rows (dim 7) equal plain dot products with the head projections
    const t7 = Array.from({ length: odd.dim }, () => r.normal());
    const pr = textProbe(m, t7);
    for (let row = 0; row < odd.layers * odd.heads * 5; row++) expect(pr.headDir.data[row]).toBeCloseTo(vecDot(m.headProj.data, t7, odd.dim, row * odd.dim, 0), 12);
  });

  it('promptPatchMap rejects a probe of another shape and a mask of the wrong length', () => {
    const other = toyModel({ ...shape, heads: 2 }, 9);
    expect(() => promptPatchMap(image, textProbe(other, unitText()))).toThrow(/probe is \[2, 2, 6\]/);
    expect(() => promptPatchMap(image, textProbe(model, t), new Uint8Array(3))).toThrow(/head mask has 3 entries, expected 6/);
  });

  it('projectedPatchMap through P[i] = Σ_{ℓ,h} M_{ℓ,h}ᵀ(α v)_{ℓ,h,i} equals the all-heads promptPatchMap (constant terms included)', () => {
    const E = shape.width / H;
    const M = model.headProj.data;
    const cells = image.cells.data;
    // P by its definition, in float64, rounded to float32 as the graph returns it
    const P = new Float32Array(T * D);
    for (let i = 0; i < T; i++) {
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let e = 0; e < E; e++) s += M[((l * H + h) * E + e) * D + d] * cells[((l * T + i) * H + h) * E + e];
        P[i * D + d] = s;
      }
    }
    const projected = projectedTokens(tensor('T D', P, [T, D]), image);
    expect(projected.patches.dims).toEqual([T - 1, D]);
    for (const dir of [t, unitText(), unitText().map((v, d) => v - 0.5 * t[d])]) {
      const want = promptPatchMap(image, textProbe(model, dir)).data;
      const got = projectedPatchMap(projected, textProbe(model, dir), dir);
      const scale = Math.max(...want.map(Math.abs));
      got.data.forEach((v, p) => expect(Math.abs(v - want[p])).toBeLessThan(1e-6 * scale));
      // the constant terms alone (no M·t) give the same map
      expect([...projectedPatchMap(projected, probeConstants(model, dir), dir).data]).toEqual([...got.data]);
    }
    expect(() => projectedTokens(tensor('T D', P.subarray(D), [T - 1, D]), image)).toThrow(/4 rows, the image has 5 tokens/);
    expect(() => projectedPatchMap(projected, textProbe(model, t), t.slice(1))).toThrow(/text vector has 5 entries, the projected tokens have 6/);
  });

  it('upsampleMap(map, p) gives a G·p square', () => {
    expect(upsampleMap(patchMap(scores), 16).dims).toEqual([32, 32]);
  });
});
