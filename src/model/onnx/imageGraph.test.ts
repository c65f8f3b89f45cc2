import { beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { visionGrid } from '../arch.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import { weightName, type ClipCheckpoint } from '../checkpoint/types.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_P16_GELU, type CheckpointSpec, type WeightDType } from '../checkpoint/checkpointGenerator.ts';
import { randomPixels, seededUniform } from '../../testkit/pixels.ts';
import { referenceImageForward, type ReferenceImageForward } from '../../testkit/reference/imageForward.ts';
import { vecMat } from '../../testkit/reference/kernels.ts';
import { readRawCheckpoint } from '../../testkit/reference/rawCheckpoint.ts';
import { buildHeadProjectionGraph } from './headProjectionGraph.ts';
import { buildImageGraph } from './imageGraph.ts';
import { decodeModelProto } from './proto.ts';
import { maxAbsDiff } from '../../testkit/compare.ts';

const BATCH = 2;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
/** the contiguous sub-array at a leading index tuple */
const at = <A extends Float32Array | Float64Array>(t: Tensor<string, A>, ...index: number[]): A => {
  let offset = 0;
  let stride = t.data.length;
  for (let k = 0; k < index.length; k++) {
    stride /= t.dims[k];
    offset += index[k] * stride;
  }
  return t.data.subarray(offset, offset + stride) as A;
};
const sumInto = (acc: Float64Array, x: ArrayLike<number>, scale = 1) => {
  for (let i = 0; i < acc.length; i++) acc[i] += scale * x[i];
  return acc;
};

/** A 3-layer tower whose dimensions are all distinct (L 3, H 4, E 6, T 10, D 8, w 24, MLP 40), so a swapped axis cannot pass. */
const threeLayerSpec = (act: CheckpointSpec['act']): CheckpointSpec => ({
  name: `graph-test-3-layer-${act}`,
  vision: { width: 24, layers: 3, heads: 4, patchSize: 4, imageSize: 12, mlpWidth: 40 },
  embedDim: 8,
  act,
});

/** OpenCLIP files store the projection [w, D] ('in_out'), Hugging Face files [D, w] ('out_in'). */
const PROJ_LAYOUT = { openclip: 'in_out', hf: 'out_in' } as const;

interface Case { dtype: WeightDType; layout: 'openclip' | 'hf'; act: 'gelu' | 'quick_gelu' }
const CASES: Case[] = [
  { dtype: 'F32', layout: 'openclip', act: 'gelu' },
  { dtype: 'F32', layout: 'hf', act: 'quick_gelu' },
  { dtype: 'F16', layout: 'openclip', act: 'gelu' },
  { dtype: 'BF16', layout: 'hf', act: 'gelu' },
];

describe.each(CASES)('buildImageGraph on a generated $dtype checkpoint ($layout, $act)', ({ dtype, layout, act }) => {
  let ckpt: ClipCheckpoint;
  let out: Record<string, Tensor>;
  let plain: Record<string, Tensor>;
  let heads: Record<string, Tensor>;
  let refs: ReferenceImageForward[];
  const tokenLayers = [2, 0];

  beforeAll(async () => {
    const files = generateCheckpoint(threeLayerSpec(act), { layout, dtype, seed: 7 });
    ckpt = await loadCheckpoint(memoryModelFiles(files));
    const raw = readRawCheckpoint(files);
    const S = ckpt.vision.imageSize;
    const pixels = randomPixels(BATCH, S, 11);
    const feed = { pixel_values: tensor('B C S S', pixels, [BATCH, 3, S, S]) };
    const dec = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true, tokenLayers, debugResidual: true }), ckpt);
    out = await dec.run(feed);
    await dec.release();
    const pl = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: false }), ckpt);
    plain = await pl.run(feed);
    await pl.release();
    const hp = await createOrtNodeSession(buildHeadProjectionGraph(ckpt), ckpt);
    heads = await hp.run({});
    await hp.release();
    const px = 3 * S * S;
    refs = Array.from({ length: BATCH }, (_, b) => referenceImageForward(raw, pixels.subarray(b * px, (b + 1) * px)));
  });

  it('loads the case asked for: storage dtype, projection layout, activation, 3 layers', () => {
    const proj = ckpt.weights.get(weightName('vision', 'proj'))!;
    expect([proj.dtype, proj.layout ?? 'out_in', ckpt.vision.act, ckpt.vision.layers]).toEqual([dtype, PROJ_LAYOUT[layout], act, 3]);
  });

  it('outputs every named tensor with the documented dims', () => {
    const v = ckpt.vision;
    const { tokens: T } = visionGrid(v);
    const [L, H, D, w, E] = [v.layers, v.heads, v.embedDim, v.width, v.headWidth];
    const expected: Record<string, number[]> = {
      embedding: [BATCH, D], embed_term: [BATCH, D], mlp: [BATCH, L, D], heads: [BATCH, L, H, D],
      class_class: [BATCH, L, D], attention: [BATCH, L, H, T], ln_mean: [BATCH], ln_std: [BATCH], norm: [BATCH],
      cells: [BATCH, L, T, H, E], tokens: [BATCH, tokenLayers.length, T, H, D],
      resid: [BATCH, w], embed_resid: [BATCH, w], attn_out: [BATCH, L, w], mlp_out: [BATCH, L, w],
    };
    expect(Object.keys(out).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, dims] of Object.entries(expected)) expect([name, ...out[name].dims]).toEqual([name, ...dims]);
    expect(Object.keys(plain)).toEqual(['embedding']);
  });

  it('matches the float64 reference forward: û, r, e, A_ℓ, F_ℓ, α, cells, ln_post statistics', () => {
    const { layers: L, heads: H } = ckpt.vision;
    for (let b = 0; b < BATCH; b++) {
      const ref = refs[b];
      expect(maxAbsDiff(at(out.embedding, b), ref.uHat.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(at(out.resid, b), ref.r.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(at(out.embed_resid, b), ref.e.data)).toBeLessThan(1e-4);
      expect(Math.abs(out.ln_mean.data[b] - ref.muStar)).toBeLessThan(1e-5);
      expect(Math.abs(out.ln_std.data[b] - ref.sigmaStar)).toBeLessThan(1e-5);
      expect(Math.abs(out.norm.data[b] - ref.norm)).toBeLessThan(1e-4);
      for (let l = 0; l < L; l++) {
        expect(maxAbsDiff(at(out.attn_out, b, l), at(ref.A, l))).toBeLessThan(1e-4);
        expect(maxAbsDiff(at(out.mlp_out, b, l), at(ref.F, l))).toBeLessThan(1e-4);
        for (let h = 0; h < H; h++) expect(maxAbsDiff(at(out.attention, b, l, h), at(ref.alpha, l, h))).toBeLessThan(1e-5);
      }
      // cells [L, T, H, E] = α_i·v_i per head, the oracle's head-space cells in the same order
      expect(maxAbsDiff(at(out.cells, b), ref.headSpaceCells.data)).toBeLessThan(1e-5);
    }
  });

  it('projected terms match the reference decomposition: c_e, c_F, heads, class→class, token cells', () => {
    for (let b = 0; b < BATCH; b++) {
      const { terms } = refs[b];
      expect(maxAbsDiff(at(out.embed_term, b), terms.embedding.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(at(out.mlp, b), terms.mlp.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(at(out.heads, b), terms.heads.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(at(out.class_class, b), terms.classToClass.data)).toBeLessThan(1e-5);
      tokenLayers.forEach((l, k) => expect(maxAbsDiff(at(out.tokens, b, k), at(terms.cells!, l))).toBeLessThan(1e-6));
    }
  });

  it('residual identity: e + Σ A_ℓ + Σ F_ℓ = r', () => {
    const L = ckpt.vision.layers;
    for (let b = 0; b < BATCH; b++) {
      const sum = sumInto(new Float64Array(at(out.resid, b).length), at(out.embed_resid, b));
      for (let l = 0; l < L; l++) {
        sumInto(sum, at(out.attn_out, b, l));
        sumInto(sum, at(out.mlp_out, b, l));
      }
      const r = at(out.resid, b);
      expect(maxAbsDiff(sum, r)).toBeLessThan(1e-4 * Math.hypot(...r));
    }
  });

  it('attention rows of the class-token query sum to 1', () => {
    const T = out.attention.dims[3];
    for (let n = 0; n < out.attention.data.length / T; n++) {
      const row = out.attention.data.subarray(n * T, (n + 1) * T);
      expect(Math.abs(row.reduce((a, x) => a + x, 0) - 1)).toBeLessThan(1e-6);
    }
  });

  it('exactness: c_e + Σ c_F + Σ heads = û, a unit vector, within 1e-5', () => {
    const { layers: L, heads: H, embedDim: D } = ckpt.vision;
    for (let b = 0; b < BATCH; b++) {
      const sum = sumInto(new Float64Array(D), at(out.embed_term, b));
      for (let l = 0; l < L; l++) {
        sumInto(sum, at(out.mlp, b, l));
        for (let h = 0; h < H; h++) sumInto(sum, at(out.heads, b, l, h));
      }
      expect(maxAbsDiff(sum, at(out.embedding, b))).toBeLessThan(1e-5);
      expect(Math.abs(Math.hypot(...sum) - 1)).toBeLessThan(1e-5);
    }
  });

  it('plain graph embedding equals the decomposed graph embedding', () => {
    expect(maxAbsDiff(plain.embedding.data, out.embedding.data)).toBeLessThan(1e-6);
  });

  it('layer split: Σ_h heads_ℓ = Φ_{1/(2L+1)}(A_ℓ) and mlp_ℓ = Φ(F_ℓ), embed_term = Φ(e) (METHOD 2.2 directly)', () => {
    const { layers: L, heads: H, embedDim: D, width: w } = ckpt.vision;
    // γ, β and Π [w, D] as the oracle read them from the original tensors; μ*, σ*, ‖u‖ from the graph
    const { lnPost: { gamma, beta }, proj } = refs[0].tower;
    const k0 = 1 / (2 * L + 1);
    for (let b = 0; b < BATCH; b++) {
      const [mu, sigma, norm] = [out.ln_mean.data[b], out.ln_std.data[b], out.norm.data[b]];
      const phi = (z: ArrayLike<number>, k: number) =>
        vecMat(Float64Array.from({ length: w }, (_, j) => (gamma[j] * (z[j] - k * mu)) / sigma + k * beta[j]), proj, D).map((x) => x / norm);
      expect(maxAbsDiff(at(out.embed_term, b), phi(at(out.embed_resid, b), k0))).toBeLessThan(1e-5);
      for (let l = 0; l < L; l++) {
        const headSum = new Float64Array(D);
        for (let h = 0; h < H; h++) sumInto(headSum, at(out.heads, b, l, h));
        expect(maxAbsDiff(headSum, phi(at(out.attn_out, b, l), k0))).toBeLessThan(1e-5);
        expect(maxAbsDiff(at(out.mlp, b, l), phi(at(out.mlp_out, b, l), k0))).toBeLessThan(1e-5);
      }
    }
  });

  it('token split: tokens of a layer summed over T give heads[ℓ,h]; class_class = Σ_h token-0 cells', () => {
    const v = ckpt.vision;
    const { tokens: T } = visionGrid(v);
    const { heads: H, embedDim: D } = v;
    for (let b = 0; b < BATCH; b++) {
      tokenLayers.forEach((l, k) => {
        const cc = new Float64Array(D);
        for (let h = 0; h < H; h++) {
          const s = new Float64Array(D);
          for (let i = 0; i < T; i++) sumInto(s, at(out.tokens, b, k, i, h));
          expect(maxAbsDiff(s, at(out.heads, b, l, h))).toBeLessThan(1e-6);
          sumInto(cc, at(out.tokens, b, k, 0, h));
        }
        expect(maxAbsDiff(cc, at(out.class_class, b, l))).toBeLessThan(1e-6);
      });
    }
  });

  it('scalar scores from cells and the head-projection graph equal ⟨c_{ℓ,h,i}, t̂⟩; token scores add up to ⟨û, t̂⟩', () => {
    const v = ckpt.vision;
    const { tokens: T } = visionGrid(v);
    const { layers: L, heads: H, embedDim: D, headWidth: E } = v;
    const next = seededUniform(5);
    const raw = Array.from({ length: D }, () => next() - 0.5);
    const tHat = raw.map((x) => x / Math.hypot(...raw));
    const k0 = 1 / (2 * L + 1);
    const kCell = k0 / (T * H);
    const gT = dot(heads.gamma_proj.data, tHat);
    const bT = dot(heads.beta_proj.data, tHat);
    for (let b = 0; b < BATCH; b++) {
      const [mu, sigma, norm] = [out.ln_mean.data[b], out.ln_std.data[b], out.norm.data[b]];
      let total = dot(at(out.embed_term, b), tHat);
      for (let l = 0; l < L; l++) total += dot(at(out.mlp, b, l), tHat);
      for (let l = 0; l < L; l++) {
        const boutT = dot(at(heads.bout_proj, l), tHat);
        for (let h = 0; h < H; h++) {
          const m = at(heads.head_proj, l, h); // [E, D]
          const mT = Array.from({ length: E }, (_, e) => dot(m.subarray(e * D, (e + 1) * D), tHat));
          for (let i = 0; i < T; i++) {
            const score = (dot(at(out.cells, b, l, i, h), mT) + boutT / (T * H) - kCell * mu * gT + kCell * sigma * bT) / (sigma * norm);
            total += score;
            const k = tokenLayers.indexOf(l);
            if (k >= 0) expect(Math.abs(score - dot(at(out.tokens, b, k, i, h), tHat))).toBeLessThan(1e-6);
          }
        }
      }
      expect(Math.abs(total - dot(at(out.embedding, b), tHat))).toBeLessThan(1e-5);
    }
  });
});

describe('buildImageGraph options', () => {
  const WEIGHTS_FILE = 'open_clip_model.safetensors';
  let ckpt: ClipCheckpoint;
  beforeAll(async () => { ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P16_GELU, { layout: 'openclip', seed: 3 }))); });

  it('rejects tokenLayers outside the tower', () => {
    expect(() => buildImageGraph(ckpt, { decompose: true, tokenLayers: [ckpt.vision.layers] })).toThrow(RangeError);
  });

  it('omits tokens when no token layers are asked for, and debug outputs unless asked', async () => {
    const s = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true }), ckpt);
    expect([...s.outputNames].sort()).toEqual(['attention', 'cells', 'class_class', 'embed_term', 'embedding', 'heads', 'ln_mean', 'ln_std', 'mlp', 'norm']);
    await s.release();
  });

  it('keeps every weight out of the protobuf: external initializers pointing at the safetensors byte ranges', () => {
    const g = buildImageGraph(ckpt, { decompose: true, tokenLayers: [0] });
    const model = decodeModelProto(g.model);
    const external = model.graph.initializer.filter((t) => t.dataLocation === 1);
    const inline = model.graph.initializer.filter((t) => t.dataLocation !== 1);
    const visionWeights = [...ckpt.weights].filter(([name]) => name.startsWith('v.')).map(([, ref]) => ref); // canonical vision names
    expect(visionWeights.length).toBeGreaterThan(0);
    expect(external.length).toBe(visionWeights.length);
    for (const t of external) {
      expect(t.rawData?.length ?? 0).toBe(0);
      const kv = Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
      const ref = visionWeights.find((r) => r.byteOffset === Number(kv.offset));
      expect(ref, `initializer ${t.name}`).toBeDefined();
      expect([kv.location, Number(kv.length), t.dims]).toEqual([WEIGHTS_FILE, ref!.byteLength, [...ref!.shape]]);
    }
    for (const t of inline) expect(t.rawData!.length).toBeLessThanOrEqual(64); // shapes and scalars only
    expect(g.externalData).toEqual({ placedLocations: [WEIGHTS_FILE], derived: [] });
  });

  it('a custom placer decides where each weight is read from', () => {
    const g = buildImageGraph(ckpt, { decompose: false, placer: (ref) => ({ location: 'packed.bin', offset: ref.byteOffset - 8 }) });
    const model = decodeModelProto(g.model);
    const locations = new Set(model.graph.initializer.filter((t) => t.dataLocation === 1).map((t) => t.externalData!.find((e) => e.key === 'location')!.value));
    expect([...locations]).toEqual(['packed.bin']);
    expect(g.externalData.placedLocations).toEqual(['packed.bin']);
  });
});
