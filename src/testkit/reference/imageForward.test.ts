import { beforeAll, describe, expect, it } from 'vitest';
import { bruteForceImageEmbedding } from './bruteForce.ts';
import {
  patchEmbed,
  referenceCellResidual,
  referenceImageForward,
  referencePhi,
  type ReferenceImageForward,
} from './imageForward.ts';
import { dot, l2Norm } from './kernels.ts';
import { readRawCheckpoint, type RawCheckpoint } from './rawCheckpoint.ts';
import { referenceScoreCell, referenceScoreComponent } from './score.ts';
import { referenceTextForward } from './textForward.ts';
import { makeToyClipWeights, TOY_SPEC, toyCheckpointFiles, toyPixels, type ToyClipSpec } from './toyCheckpoint.ts';
import { readVisionTower } from './towers.ts';
import { maxAbsDiff } from '../compare.ts';

const TOL = 1e-12;

/** max |a − b| over two equal-length vectors */

function row(data: Float64Array, index: number, width: number): Float64Array {
  return data.subarray(index * width, (index + 1) * width);
}

function sumInto(acc: Float64Array, v: ArrayLike<number>): void {
  for (let k = 0; k < acc.length; k++) acc[k] += v[k];
}

const raw = readRawCheckpoint(toyCheckpointFiles(TOY_SPEC, 'openclip'));
const pixels = toyPixels(TOY_SPEC, 99);
const L = TOY_SPEC.vision.layers;
const H = TOY_SPEC.vision.heads;
const T = TOY_SPEC.vision.grid ** 2 + 1;
const w = TOY_SPEC.vision.width;
const dh = w / H;
const D = TOY_SPEC.embedDim;

let fwd: ReferenceImageForward;
let tHat: Float64Array;
beforeAll(() => {
  fwd = referenceImageForward(raw, pixels);
  tHat = referenceTextForward(raw, [18, 3, 7, 19, 0, 0, 0]).data;
});

describe('referenceImageForward: forward pass', () => {
  it('returns the documented shapes and a unit û = u/‖u‖', () => {
    expect(fwd.A.dims).toEqual([L, w]);
    expect(fwd.alpha.dims).toEqual([L, H, T]);
    expect(fwd.headSpaceCells.dims).toEqual([L, T, H, dh]);
    expect(fwd.terms.cells!.dims).toEqual([L, T, H, D]);
    expect(fwd.headMatrices.M.dims).toEqual([L, H, dh, D]);
    expect(fwd.norm).toBeCloseTo(l2Norm(fwd.u.data), 14);
    expect(maxAbsDiff(fwd.uHat.data, fwd.u.data.map((x) => x / fwd.norm))).toBeLessThan(TOL);
    expect(fwd.shares).toEqual({ layer: 1 / 7, cell: 1 / (7 * T * H) });
  });

  it('u equals LN_post(r)·Π of an independent brute-force forward pass (no decomposition)', () => {
    const u = bruteForceImageEmbedding(raw, pixels, { heads: H, act: 'gelu', eps: 1e-5 });
    expect(maxAbsDiff(fwd.u.data, u)).toBeLessThan(TOL * fwd.norm);
  });

  it('σ* and μ* are the population statistics of r (σ* = sqrt(var + eps))', () => {
    const r = Array.from(fwd.r.data);
    const mean = r.reduce((a, b) => a + b, 0) / w;
    const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / w;
    expect(fwd.muStar).toBeCloseTo(mean, 14);
    expect(fwd.sigmaStar).toBeCloseTo(Math.sqrt(variance + 1e-5), 14);
  });

  it('patchEmbed: conv with kernel = stride = p, row-major tokens, class token at 0, + positions', () => {
    // Channel o of the kernel reads exactly one pixel (c, ky, kx) = unravel(o), so token t's
    // channels are a copy of its patch; positions and the class embedding are zero.
    const tower = readVisionTower(raw);
    const p = tower.patchSize;
    const patchWeight = new Float64Array(tower.patchWeight.length);
    for (let o = 0; o < 3 * p * p; o++) patchWeight[o * 3 * p * p + o] = 1;
    const probe = { ...tower, patchWeight, classEmbedding: new Float64Array(w).fill(7), positionalEmbedding: new Float64Array(T * w) };
    const S = tower.imageSize;
    const image = Float64Array.from({ length: 3 * S * S }, (_, k) => k); // value = flat CHW index
    const x = patchEmbed(probe, image);
    expect(Array.from(row(x, 0, w))).toEqual(new Array(w).fill(7));
    for (let gy = 0; gy < tower.grid; gy++) {
      for (let gx = 0; gx < tower.grid; gx++) {
        const token = row(x, 1 + gy * tower.grid + gx, w);
        for (let c = 0; c < 3; c++) for (let ky = 0; ky < p; ky++) for (let kx = 0; kx < p; kx++) {
          expect(token[(c * p + ky) * p + kx]).toBe((c * S + gy * p + ky) * S + gx * p + kx);
        }
      }
    }
    const withPositions = patchEmbed({ ...probe, positionalEmbedding: tower.positionalEmbedding }, image);
    expect(maxAbsDiff(withPositions, x.map((v, k) => v + tower.positionalEmbedding[k]))).toBe(0);
  });

  it('known answer: with all-zero blocks, A = F = 0, α is uniform, and u = LN_post(LN_pre(cls + pos₀))·Π', () => {
    const weights = makeToyClipWeights(TOY_SPEC);
    for (const [name, t] of weights) if (name.startsWith('visual.transformer.')) t.data.fill(0);
    const zeroRaw = readRawCheckpoint(toyCheckpointFiles(TOY_SPEC, 'openclip', { weights }));
    const z = referenceImageForward(zeroRaw, pixels);
    expect(Math.max(...z.A.data.map(Math.abs), ...z.F.data.map(Math.abs))).toBe(0);
    expect(maxAbsDiff(z.alpha.data, new Float64Array(L * H * T).fill(1 / T))).toBeLessThan(1e-15);
    const ln = (x: number[], g: Float64Array, b: Float64Array) => {
      const m = x.reduce((s, v) => s + v, 0) / x.length;
      const sd = Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length + 1e-5);
      return x.map((v, k) => (g[k] * (v - m)) / sd + b[k]);
    };
    const get = (n: string) => weights.get(n)!.data;
    const cls = Array.from(get('visual.class_embedding'), (v, k) => v + get('visual.positional_embedding')[k]);
    const post = ln(ln(cls, get('visual.ln_pre.weight'), get('visual.ln_pre.bias')), get('visual.ln_post.weight'), get('visual.ln_post.bias'));
    const proj = get('visual.proj');
    const u = Array.from({ length: D }, (_, j) => post.reduce((s, v, k) => s + v * proj[k * D + j], 0));
    expect(maxAbsDiff(z.u.data, u)).toBeLessThan(TOL);
  });
});

describe('referenceImageForward: METHOD 2.7 invariants 2-9 (float64)', () => {
  it('(2) e + Σ A_ℓ + Σ F_ℓ = r', () => {
    const sum = Float64Array.from(fwd.e.data);
    for (let l = 0; l < L; l++) {
      sumInto(sum, row(fwd.A.data, l, w));
      sumInto(sum, row(fwd.F.data, l, w));
    }
    expect(maxAbsDiff(sum, fwd.r.data)).toBeLessThan(TOL * l2Norm(fwd.r.data));
  });

  it('(3) Σ_i α_i^{ℓ,h} = 1 with α ≥ 0, and α is not uniform (the toy attends)', () => {
    for (let lh = 0; lh < L * H; lh++) {
      const a = row(fwd.alpha.data, lh, T);
      expect(Math.abs(a.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-15);
      expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    }
    expect(Math.max(...fwd.alpha.data) - Math.min(...fwd.alpha.data)).toBeGreaterThan(0.05);
  });

  it('(4) Σ_{h,i} q_{ℓ,h,i} = A_ℓ', () => {
    for (let l = 0; l < L; l++) {
      const sum = new Float64Array(w);
      for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) sumInto(sum, referenceCellResidual(fwd, l, h, i));
      expect(maxAbsDiff(sum, row(fwd.A.data, l, w))).toBeLessThan(TOL);
    }
  });

  it('(5) exactness: c_e + Σ c_F,ℓ + Σ c_{ℓ,h,i} = û, of unit norm', () => {
    const sum = Float64Array.from(fwd.terms.embedding.data);
    for (let l = 0; l < L; l++) sumInto(sum, row(fwd.terms.mlp.data, l, D));
    for (let c = 0; c < L * T * H; c++) sumInto(sum, row(fwd.terms.cells!.data, c, D));
    expect(maxAbsDiff(sum, fwd.uHat.data)).toBeLessThan(TOL);
    expect(Math.abs(l2Norm(sum) - 1)).toBeLessThan(TOL);
  });

  it('(6) Σ_{h,i} c_{ℓ,h,i} = Φ_{1/(2L+1)}(A_ℓ), and the per-layer terms also close the sum to û', () => {
    const total = Float64Array.from(fwd.terms.embedding.data);
    for (let l = 0; l < L; l++) {
      const sum = new Float64Array(D);
      for (let i = 0; i < T; i++) for (let h = 0; h < H; h++) sumInto(sum, row(fwd.terms.cells!.data, (l * T + i) * H + h, D));
      expect(maxAbsDiff(sum, row(fwd.terms.layers.data, l, D))).toBeLessThan(TOL);
      expect(maxAbsDiff(row(fwd.terms.layers.data, l, D), referencePhi(fwd, row(fwd.A.data, l, w), 1 / (2 * L + 1)))).toBe(0);
      sumInto(total, row(fwd.terms.layers.data, l, D));
      sumInto(total, row(fwd.terms.mlp.data, l, D));
    }
    expect(maxAbsDiff(total, fwd.uHat.data)).toBeLessThan(TOL);
  });

  it('(7) the scalar score path equals the explicit ⟨c, t̂⟩ for every cell and every layer-level term', () => {
    expect(Math.abs(l2Norm(tHat) - 1)).toBeLessThan(1e-15);
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          const explicit = dot(row(fwd.terms.cells!.data, (l * T + i) * H + h, D), tHat);
          expect(Math.abs(referenceScoreCell(fwd, tHat, { layer: l, head: h, token: i }) - explicit)).toBeLessThan(TOL);
        }
      }
      const layerShare = fwd.shares.layer;
      expect(Math.abs(referenceScoreComponent(fwd, row(fwd.F.data, l, w), layerShare, tHat) - dot(row(fwd.terms.mlp.data, l, D), tHat))).toBeLessThan(TOL);
      expect(Math.abs(referenceScoreComponent(fwd, row(fwd.A.data, l, w), layerShare, tHat) - dot(row(fwd.terms.layers.data, l, D), tHat))).toBeLessThan(TOL);
    }
    expect(Math.abs(referenceScoreComponent(fwd, fwd.e.data, fwd.shares.layer, tHat) - dot(fwd.terms.embedding.data, tHat))).toBeLessThan(TOL);
  });

  it('(8) Σ_i ⟨c_tok^i, t̂⟩ + ⟨c_e + Σ c_F,ℓ, t̂⟩ = ⟨û, t̂⟩, with c_tok^i = Σ_{ℓ,h} c_{ℓ,h,i}', () => {
    let score = dot(fwd.terms.embedding.data, tHat);
    for (let l = 0; l < L; l++) score += dot(row(fwd.terms.mlp.data, l, D), tHat);
    for (let i = 0; i < T; i++) {
      const tok = new Float64Array(D);
      for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) sumInto(tok, row(fwd.terms.cells!.data, (l * T + i) * H + h, D));
      expect(maxAbsDiff(tok, row(fwd.terms.tokens!.data, i, D))).toBeLessThan(TOL);
      score += dot(tok, tHat);
    }
    expect(Math.abs(score - dot(fwd.uHat.data, tHat))).toBeLessThan(TOL);
  });

  it('(9) Σ_i c_{ℓ,h,i} equals the non-spatial head path Φ_{1/((2L+1)H)}(Σ_i α_i v_i W_O,hᵀ + b_out/H)', () => {
    const tower = fwd.tower;
    for (let l = 0; l < L; l++) {
      const { outProjWeight, outProjBias } = tower.blocks[l];
      for (let h = 0; h < H; h++) {
        const headOut = Float64Array.from(outProjBias, (b) => b / H);
        for (let i = 0; i < T; i++) {
          const cell = row(fwd.headSpaceCells.data, (l * T + i) * H + h, dh);
          for (let o = 0; o < w; o++) for (let d = 0; d < dh; d++) headOut[o] += cell[d] * outProjWeight[o * w + h * dh + d];
        }
        const noSpatial = referencePhi(fwd, headOut, 1 / ((2 * L + 1) * H));
        expect(maxAbsDiff(noSpatial, row(fwd.terms.heads.data, l * H + h, D))).toBeLessThan(TOL);
      }
    }
  });
});

describe('referenceImageForward: contractions and the fast path of METHOD 2.6', () => {
  it('per-head terms and class→class terms are the stated sums of the explicit cells', () => {
    for (let l = 0; l < L; l++) {
      const classToClass = new Float64Array(D);
      for (let h = 0; h < H; h++) {
        const head = new Float64Array(D);
        for (let i = 0; i < T; i++) sumInto(head, row(fwd.terms.cells!.data, (l * T + i) * H + h, D));
        expect(maxAbsDiff(head, row(fwd.terms.heads.data, l * H + h, D))).toBeLessThan(TOL);
        sumInto(classToClass, row(fwd.terms.cells!.data, (l * T + 0) * H + h, D));
      }
      expect(maxAbsDiff(classToClass, row(fwd.terms.classToClass.data, l, D))).toBeLessThan(TOL);
    }
  });

  it('c_{ℓ,h,i} = [α_i(v_i·M_{ℓ,h}) + oΠ_ℓ/(TH) − κμ*gΠ]/(σ*‖u‖) + κ bΠ/‖u‖ for every cell', () => {
    const { M, gPi, bPi, oPi } = fwd.headMatrices;
    const kappa = fwd.shares.cell;
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          const av = row(fwd.headSpaceCells.data, (l * T + i) * H + h, dh); // α_i v_i
          const fast = new Float64Array(D);
          for (let k = 0; k < D; k++) {
            let avM = 0;
            for (let d = 0; d < dh; d++) avM += av[d] * M.data[((l * H + h) * dh + d) * D + k];
            fast[k] = (avM + oPi.data[l * D + k] / (T * H) - kappa * fwd.muStar * gPi.data[k]) / (fwd.sigmaStar * fwd.norm) + (kappa * bPi.data[k]) / fwd.norm;
          }
          expect(maxAbsDiff(fast, row(fwd.terms.cells!.data, (l * T + i) * H + h, D))).toBeLessThan(TOL);
        }
      }
    }
  });

  it('explicitCells: false gives the same heads and class→class terms and omits the cells', () => {
    const lean = referenceImageForward(raw, pixels, { explicitCells: false });
    expect(lean.terms.cells).toBeUndefined();
    expect(lean.terms.tokens).toBeUndefined();
    expect(maxAbsDiff(lean.terms.heads.data, fwd.terms.heads.data)).toBeLessThan(TOL);
    expect(maxAbsDiff(lean.terms.classToClass.data, fwd.terms.classToClass.data)).toBeLessThan(TOL);
    expect(lean.uHat.data).toEqual(fwd.uHat.data);
  });
});

describe('referenceImageForward: checkpoints and configs', () => {
  it('the HF and OpenCLIP layouts of the same weights give identical outputs', () => {
    const hf = referenceImageForward(readRawCheckpoint(toyCheckpointFiles(TOY_SPEC, 'hf')), pixels);
    expect(hf.u.data).toEqual(fwd.u.data);
    expect(hf.terms.cells!.data).toEqual(fwd.terms.cells!.data);
    expect(hf.headMatrices.M.data).toEqual(fwd.headMatrices.M.data);
  });

  it('QuickGELU and exact GELU give different embeddings, each exactly decomposed', () => {
    const quickSpec: ToyClipSpec = { ...TOY_SPEC, act: 'quick_gelu' };
    const quickOpenClip: RawCheckpoint = readRawCheckpoint(toyCheckpointFiles(quickSpec, 'openclip'));
    const quick = referenceImageForward(quickOpenClip, pixels);
    expect(maxAbsDiff(quick.uHat.data, fwd.uHat.data)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(quick.u.data, bruteForceImageEmbedding(quickOpenClip, pixels, { heads: H, act: 'quick_gelu', eps: 1e-5 }))).toBeLessThan(TOL * quick.norm);
    const quickHf = referenceImageForward(readRawCheckpoint(toyCheckpointFiles(quickSpec, 'hf')), pixels);
    expect(quickHf.u.data).toEqual(quick.u.data);
    const sum = Float64Array.from(quick.terms.embedding.data);
    for (let l = 0; l < L; l++) sumInto(sum, row(quick.terms.mlp.data, l, D));
    for (let lh = 0; lh < L * H; lh++) sumInto(sum, row(quick.terms.heads.data, lh, D));
    expect(maxAbsDiff(sum, quick.uHat.data)).toBeLessThan(TOL);
  });

  it('the HF config\'s layer_norm_eps is used', () => {
    const spec: ToyClipSpec = { ...TOY_SPEC, layerNormEps: 0.5 };
    const wide = referenceImageForward(readRawCheckpoint(toyCheckpointFiles(spec, 'hf')), pixels);
    expect(maxAbsDiff(wide.uHat.data, fwd.uHat.data)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(wide.u.data, bruteForceImageEmbedding(raw, pixels, { heads: H, act: 'gelu', eps: 0.5 }))).toBeLessThan(TOL * wide.norm);
  });

  it('a BF16 checkpoint gives exactly the forward of the same (bf16-valued) weights stored as F32', () => {
    const bf16Spec: ToyClipSpec = { ...TOY_SPEC, dtype: 'BF16' };
    const fromBf16 = referenceImageForward(readRawCheckpoint(toyCheckpointFiles(bf16Spec, 'hf')), pixels);
    const asF32 = toyCheckpointFiles(TOY_SPEC, 'openclip', { weights: makeToyClipWeights(bf16Spec) });
    expect(referenceImageForward(readRawCheckpoint(asF32), pixels).u.data).toEqual(fromBf16.u.data);
    expect(maxAbsDiff(fromBf16.uHat.data, fwd.uHat.data)).toBeGreaterThan(0);
  });

  it('refuses pixels of the wrong size', () => {
    expect(() => referenceImageForward(raw, new Float64Array(10))).toThrow(/expected \[3, 6, 6\]/);
  });
});
