/**
 * METHOD 2.7 invariants 2-9 through onnxruntime (f32 graphs) for EVERY generated checkpoint preset
 * in both file layouts, via the engine the CLI and the worker use.
 */
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { visionGrid } from '../arch.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import { ClipEngine } from '../engine.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_PRESETS } from '../checkpoint/checkpointGenerator.ts';

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>, n = a.length, ao = 0, bo = 0) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
  return s;
};
/** sum over the leading `lead` axes of a tensor whose trailing block has `block` values */
const sumRows = (t: Tensor, block: number) => {
  const out = new Float64Array(block);
  for (let i = 0; i < t.data.length; i++) out[i % block] += t.data[i];
  return out;
};

const CASES = TINY_PRESETS.flatMap((spec) => (['hf', 'openclip'] as const).map((layout) => ({ spec, layout, name: spec.name })));

describe.each(CASES)('METHOD 2.7 invariants through onnxruntime: $name ($layout, f32)', ({ spec, layout }) => {
  it('invariants 2-9 hold within 1e-5', async () => {
    const files = generateCheckpoint(spec, { layout, seed: 21, dtype: 'F32' });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const engine = new ClipEngine(ckpt, (g, c) => createOrtNodeSession(g, c));
    const v = ckpt.vision;
    const { tokens: T } = visionGrid(v);
    const { layers: L, heads: H, embedDim: D, width: W, headWidth: E } = v;
    const S = v.imageSize;
    const px = new Float32Array(3 * S * S);
    for (let i = 0; i < px.length; i++) px[i] = Math.cos(i * 0.21) * 1.3;
    const all = Array.from({ length: L }, (_, l) => l);
    const o = await engine.decompose(tensor('C S S', px, [3, S, S]), { tokenLayers: all, debugResidual: true });
    const hp = await engine.headProjections();
    await engine.release();

    // 2: e + Σ A + Σ F = r
    const r = Float64Array.from(o.embed_resid.data);
    const A = sumRows(o.attn_out, W);
    const F = sumRows(o.mlp_out, W);
    for (let i = 0; i < W; i++) r[i] += A[i] + F[i];
    const rScale = Math.max(...Array.from(o.resid.data, Math.abs));
    expect(maxAbs(r, o.resid.data)).toBeLessThanOrEqual(1e-4 * rScale);
    // 3: attention rows sum to 1
    for (let k = 0; k < L * H; k++) expect(Math.abs(dot(o.attention.data, new Float32Array(T).fill(1), T, k * T) - 1)).toBeLessThan(1e-6);
    // 5: c_e + Σ c_F + Σ cells = û, unit norm
    const total = Float64Array.from(o.embed_term.data);
    const mlp = sumRows(o.mlp, D);
    const tok = sumRows(o.tokens, D);
    for (let d = 0; d < D; d++) total[d] += mlp[d] + tok[d];
    expect(maxAbs(total, o.embedding.data)).toBeLessThanOrEqual(1e-5);
    expect(Math.sqrt(dot(total, total))).toBeCloseTo(1, 5);
    // 4 + 6 + 9: per layer, Σ_{h,i} cells = Σ_h heads (the layer term); per head, Σ_i c = heads[l,h]
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const s = new Float64Array(D);
        for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) s[d] += o.tokens.data[((l * T + t) * H + h) * D + d];
        expect(maxAbs(s, o.heads.data.subarray((l * H + h) * D, (l * H + h + 1) * D))).toBeLessThanOrEqual(1e-5);
      }
      const cc = new Float64Array(D);
      for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) cc[d] += o.tokens.data[((l * T + 0) * H + h) * D + d];
      expect(maxAbs(cc, o.class_class.data.subarray(l * D, (l + 1) * D))).toBeLessThanOrEqual(1e-5);
    }
    // 7 + 8: the cell scalar path (METHOD 2.6) equals ⟨c, t̂⟩ and the token scores add up to ⟨û, t̂⟩
    const tHat = new Float64Array(D).map((_, d) => Math.sin(d + 1));
    const tn = Math.sqrt(dot(tHat, tHat));
    for (let d = 0; d < D; d++) tHat[d] /= tn;
    const mu = o.ln_mean.data[0], sigma = o.ln_std.data[0], norm = o.norm.data[0];
    const kCell = 1 / ((2 * L + 1) * T * H);
    const gT = dot(hp.gamma_proj.data, tHat), bT = dot(hp.beta_proj.data, tHat);
    let tokenScores = 0;
    for (let l = 0; l < L; l++) {
      const boutT = dot(hp.bout_proj.data, tHat, D, l * D);
      for (let h = 0; h < H; h++) {
        const mT = new Float64Array(E);
        for (let e = 0; e < E; e++) mT[e] = dot(hp.head_proj.data, tHat, D, ((l * H + h) * E + e) * D);
        for (let t = 0; t < T; t++) {
          const cell = dot(o.cells.data, mT, E, ((l * T + t) * H + h) * E);
          const scalar = (cell + boutT / (T * H) - kCell * mu * gT) / (sigma * norm) + (kCell * bT) / norm;
          const explicit = dot(o.tokens.data, tHat, D, ((l * T + t) * H + h) * D);
          expect(Math.abs(scalar - explicit)).toBeLessThan(1e-6);
          tokenScores += scalar;
        }
      }
    }
    const rest = dot(o.embed_term.data, tHat) + dot(mlp, tHat);
    expect(Math.abs(tokenScores + rest - dot(o.embedding.data, tHat))).toBeLessThan(1e-5);
  });
});
