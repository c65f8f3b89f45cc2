import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { visionGrid } from '../arch.ts';
import { weightName } from '../checkpoint/types.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { buildHeadProjectionGraph } from './headProjectionGraph.ts';
import { buildImageGraph } from './imageGraph.ts';
import { decodeModelProto } from './proto.ts';
import { randomPixels, seededRandom, writeTinyCheckpoint, type TinyCheckpoint, type TinyDType } from './testing/tinyCheckpoint.node.ts';
import { project, tinyImageForward, type TinyImageForward } from './testing/tinyForward.ts';

const BATCH = 2;
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
/** the contiguous sub-array at a leading index tuple */
const at = (t: Tensor, ...index: number[]): Float32Array => {
  let offset = 0;
  let stride = t.data.length;
  for (let k = 0; k < index.length; k++) {
    stride /= t.dims[k];
    offset += index[k] * stride;
  }
  return t.data.subarray(offset, offset + stride);
};
const sumInto = (acc: Float64Array, x: ArrayLike<number>, scale = 1) => {
  for (let i = 0; i < acc.length; i++) acc[i] += scale * x[i];
  return acc;
};

interface Case { dtype: TinyDType; projLayout: 'in_out' | 'out_in'; act: 'gelu' | 'quick_gelu' }
const CASES: Case[] = [
  { dtype: 'F32', projLayout: 'in_out', act: 'gelu' },
  { dtype: 'F32', projLayout: 'out_in', act: 'quick_gelu' },
  { dtype: 'F16', projLayout: 'in_out', act: 'gelu' },
  { dtype: 'BF16', projLayout: 'out_in', act: 'gelu' },
];

describe.each(CASES)('buildImageGraph on a tiny $dtype checkpoint (proj $projLayout, $act)', ({ dtype, projLayout, act }) => {
  let tiny: TinyCheckpoint;
  let out: Record<string, Tensor>;
  let plain: Record<string, Tensor>;
  let heads: Record<string, Tensor>;
  let refs: TinyImageForward[];
  const tokenLayers = [2, 0];

  beforeAll(async () => {
    tiny = writeTinyCheckpoint({ dtype, projLayout, seed: 7, vision: { layers: 3, act } });
    const v = tiny.ckpt.vision;
    const S = v.imageSize;
    const pixels = randomPixels(BATCH, S, 11);
    const feed = { pixel_values: tensor('B C S S', pixels, [BATCH, 3, S, S]) };
    const dec = await createOrtNodeSession(buildImageGraph(tiny.ckpt, { decompose: true, tokenLayers, debugResidual: true }), tiny.ckpt);
    out = await dec.run(feed);
    await dec.release();
    const pl = await createOrtNodeSession(buildImageGraph(tiny.ckpt, { decompose: false }), tiny.ckpt);
    plain = await pl.run(feed);
    await pl.release();
    const hp = await createOrtNodeSession(buildHeadProjectionGraph(tiny.ckpt), tiny.ckpt);
    heads = await hp.run({});
    await hp.release();
    const px = 3 * S * S;
    refs = [0, 1].map((b) => tinyImageForward(tiny.values, v, projLayout, pixels.subarray(b * px, (b + 1) * px)));
  });
  afterAll(() => rmSync(tiny.dir, { recursive: true, force: true }));

  it('outputs every named tensor with the documented dims', () => {
    const v = tiny.ckpt.vision;
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

  it('matches a float64 loop forward: û, r, e, A_ℓ, F_ℓ, α, cells, ln_post statistics', () => {
    const v = tiny.ckpt.vision;
    const { tokens: T } = visionGrid(v);
    const [w, H, E] = [v.width, v.heads, v.headWidth];
    for (let b = 0; b < BATCH; b++) {
      const ref = refs[b];
      expect(maxAbsDiff(at(out.embedding, b), ref.uHat)).toBeLessThan(1e-4);
      expect(maxAbsDiff(at(out.resid, b), ref.r)).toBeLessThan(1e-4);
      expect(maxAbsDiff(at(out.embed_resid, b), ref.s0.subarray(0, w))).toBeLessThan(1e-4);
      expect(Math.abs(out.ln_mean.data[b] - ref.mu)).toBeLessThan(1e-5);
      expect(Math.abs(out.ln_std.data[b] - ref.sigma)).toBeLessThan(1e-5);
      expect(Math.abs(out.norm.data[b] - Math.hypot(...ref.u))).toBeLessThan(1e-4);
      ref.blocks.forEach((blk, l) => {
        expect(maxAbsDiff(at(out.attn_out, b, l), blk.attnOut.subarray(0, w))).toBeLessThan(1e-4);
        expect(maxAbsDiff(at(out.mlp_out, b, l), blk.mlpOut.subarray(0, w))).toBeLessThan(1e-4);
        for (let h = 0; h < H; h++) {
          expect(maxAbsDiff(at(out.attention, b, l, h), blk.probs.subarray(h * T * T, h * T * T + T))).toBeLessThan(1e-5);
          for (let i = 0; i < T; i++) {
            const alpha = blk.probs[h * T * T + i];
            const cell = Array.from({ length: E }, (_, e) => alpha * blk.values[i * w + h * E + e]);
            expect(maxAbsDiff(at(out.cells, b, l, i, h), cell)).toBeLessThan(1e-5);
          }
        }
      });
    }
  });

  it('residual identity: e + Σ A_ℓ + Σ F_ℓ = r', () => {
    const L = tiny.ckpt.vision.layers;
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
    const { layers: L, heads: H, embedDim: D } = tiny.ckpt.vision;
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
    const v = tiny.ckpt.vision;
    const { layers: L, heads: H, embedDim: D, width: w } = v;
    const gamma = tiny.values.get(weightName('vision', 'ln_post.g'))!;
    const beta = tiny.values.get(weightName('vision', 'ln_post.b'))!;
    const proj = tiny.values.get(weightName('vision', 'proj'))!;
    const k0 = 1 / (2 * L + 1);
    for (let b = 0; b < BATCH; b++) {
      const [mu, sigma, norm] = [out.ln_mean.data[b], out.ln_std.data[b], out.norm.data[b]];
      const phi = (z: ArrayLike<number>, k: number) =>
        project(Array.from({ length: w }, (_, j) => (gamma[j] * (z[j] - k * mu)) / sigma + k * beta[j]), proj, w, D, projLayout).map((x) => x / norm);
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
    const v = tiny.ckpt.vision;
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
    const v = tiny.ckpt.vision;
    const { tokens: T } = visionGrid(v);
    const { layers: L, heads: H, embedDim: D, headWidth: E } = v;
    const rand = seededRandom(5);
    const raw = Array.from({ length: D }, () => rand() - 0.5);
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
  let tiny: TinyCheckpoint;
  beforeAll(() => { tiny = writeTinyCheckpoint({ seed: 3 }); });
  afterAll(() => rmSync(tiny.dir, { recursive: true, force: true }));

  it('rejects tokenLayers outside the tower', () => {
    expect(() => buildImageGraph(tiny.ckpt, { decompose: true, tokenLayers: [tiny.ckpt.vision.layers] })).toThrow(RangeError);
  });

  it('omits tokens when no token layers are asked for, and debug outputs unless asked', async () => {
    const s = await createOrtNodeSession(buildImageGraph(tiny.ckpt, { decompose: true }), tiny.ckpt);
    expect([...s.outputNames].sort()).toEqual(['attention', 'cells', 'class_class', 'embed_term', 'embedding', 'heads', 'ln_mean', 'ln_std', 'mlp', 'norm']);
    await s.release();
  });

  it('keeps every weight out of the protobuf: external initializers pointing at the safetensors byte ranges', () => {
    const g = buildImageGraph(tiny.ckpt, { decompose: true, tokenLayers: [0] });
    const model = decodeModelProto(g.model);
    const external = model.graph.initializer.filter((t) => t.dataLocation === 1);
    const inline = model.graph.initializer.filter((t) => t.dataLocation !== 1);
    const visionWeights = [...tiny.ckpt.weights.values()].filter((r) => r.source.startsWith('v.'));
    expect(external.length).toBe(visionWeights.length);
    for (const t of external) {
      expect(t.rawData?.length ?? 0).toBe(0);
      const kv = Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
      const ref = visionWeights.find((r) => r.byteOffset === Number(kv.offset));
      expect(ref, `initializer ${t.name}`).toBeDefined();
      expect([kv.location, Number(kv.length), t.dims]).toEqual(['tiny.safetensors', ref!.byteLength, [...ref!.shape]]);
    }
    for (const t of inline) expect(t.rawData!.length).toBeLessThanOrEqual(64); // shapes and scalars only
    expect(g.externalData).toEqual({ placedLocations: ['tiny.safetensors'], derived: [] });
  });

  it('a custom placer decides where each weight is read from', () => {
    const g = buildImageGraph(tiny.ckpt, { decompose: false, placer: (ref) => ({ location: 'packed.bin', offset: ref.byteOffset - 8 }) });
    const model = decodeModelProto(g.model);
    const locations = new Set(model.graph.initializer.filter((t) => t.dataLocation === 1).map((t) => t.externalData!.find((e) => e.key === 'location')!.value));
    expect([...locations]).toEqual(['packed.bin']);
    expect(g.externalData.placedLocations).toEqual(['packed.bin']);
  });
});
