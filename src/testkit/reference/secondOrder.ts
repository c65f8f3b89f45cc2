/**
 * The oracle's second-order effects of MLP neurons (METHOD §9), in float64, written out per
 * neuron, per later layer, per head and per token exactly as the definition reads:
 *
 *   z_n = Σ_{ℓ'>ℓ} Σ_h Σ_i α_i^{ℓ',h} · J₁^{ℓ'}(p_{n,i}·w_n; i) · W_V,hᵀ · W_out[:, h-slice]ᵀ
 *   φ_n = J_post(z_n) · Π / ‖u‖
 *
 * No fast form, no shared matrices: each term is built from the checkpoint's own weights.
 */
import { tensor, type Tensor } from '../../math/tensor.ts';
import { runBlock } from './block.ts';
import { patchEmbed } from './imageForward.ts';
import { l2Norm, layerNormRows, layerNormStats, vecMat } from './kernels.ts';
import type { RawCheckpoint } from './rawCheckpoint.ts';
import { readVisionTower, type RefVisionTower } from './towers.ts';

export interface ReferenceSecondOrder {
  /** φ_n for every neuron of the layer [M, D] */
  readonly neuronEffects: Tensor<'U D', Float64Array>;
  /** the path applied to b_pr at every token [D] */
  readonly biasEffect: Tensor<'D', Float64Array>;
  /** the path applied to the layer's whole MLP output m_i at every token [D] */
  readonly mlpEffect: Tensor<'D', Float64Array>;
}

interface FrozenPath {
  readonly tower: RefVisionTower;
  /** stream entering each block [T, w] */
  readonly streams: Float64Array[];
  /** α_i^{ℓ,h}, [H, T] per block */
  readonly alpha: Float64Array[];
  readonly sigmaStar: number;
  readonly norm: number;
}

/**
 * What one residual-space write does through the later heads: `write(i)` is the vector written at
 * token i (length w) by the analysed layer; returns J_post(z)·Π/‖u‖.
 */
function throughLaterHeads(path: FrozenPath, layer: number, write: (token: number) => ArrayLike<number>): Float64Array {
  const { tower } = path;
  const { width: w, heads: H, headWidth: dh, tokens: T, layers: L, layerNormEps: eps } = tower;
  const z = new Float64Array(w);
  const writes = Array.from({ length: T }, (_, i) => write(i));
  for (let later = layer + 1; later < L; later++) {
    const block = tower.blocks[later];
    const stream = path.streams[later];
    for (let i = 0; i < T; i++) {
      const x = writes[i];
      const sigma = layerNormStats(stream.subarray(i * w, (i + 1) * w), eps).std;
      let mean = 0;
      for (let k = 0; k < w; k++) mean += x[k];
      mean /= w;
      const j1 = new Float64Array(w);
      for (let k = 0; k < w; k++) j1[k] = (block.ln1.gamma[k] * (x[k] - mean)) / sigma;
      for (let h = 0; h < H; h++) {
        const a = path.alpha[later][h * T + i];
        // value of head h without its bias: rows 2w + h·dh … of the in-projection
        const value = new Float64Array(dh);
        for (let d = 0; d < dh; d++) {
          let acc = 0;
          for (let k = 0; k < w; k++) acc += j1[k] * block.inProjWeight[(2 * w + h * dh + d) * w + k];
          value[d] = a * acc;
        }
        for (let o = 0; o < w; o++) {
          let acc = 0;
          for (let d = 0; d < dh; d++) acc += value[d] * block.outProjWeight[o * w + h * dh + d];
          z[o] += acc;
        }
      }
    }
  }
  let zMean = 0;
  for (let k = 0; k < w; k++) zMean += z[k];
  zMean /= w;
  const post = new Float64Array(w);
  for (let k = 0; k < w; k++) post[k] = (tower.lnPost.gamma[k] * (z[k] - zMean)) / path.sigmaStar;
  const out = vecMat(post, tower.proj, tower.embedDim);
  for (let k = 0; k < out.length; k++) out[k] /= path.norm;
  return out;
}

export function referenceSecondOrder(raw: RawCheckpoint, pixels: ArrayLike<number>, layer: number): ReferenceSecondOrder {
  const tower = readVisionTower(raw);
  const { width: w, layers: L, heads: H, tokens: T, mlpWidth: M, embedDim: D, layerNormEps: eps } = tower;
  if (layer < 0 || layer >= L - 1) throw new RangeError(`reference second order: layer ${layer} has no later layer in a ${L}-layer tower`);
  const streams: Float64Array[] = [];
  const alpha: Float64Array[] = [];
  let hidden: Float64Array = new Float64Array(0);
  let mlpOut: Float64Array = new Float64Array(0);
  let s = layerNormRows(patchEmbed(tower, pixels), T, w, tower.lnPre, eps);
  for (let l = 0; l < L; l++) {
    streams.push(s);
    const block = runBlock(s, T, tower.blocks[l], tower, false);
    const rows = new Float64Array(H * T);
    for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) rows[h * T + i] = block.probs[h * T * T + i];
    alpha.push(rows);
    if (l === layer) ({ hidden, mlpOut } = block);
    s = block.residual;
  }
  const r = s.subarray(0, w);
  const sigmaStar = layerNormStats(r, eps).std;
  const u = vecMat(layerNormRows(r.slice(), 1, w, tower.lnPost, eps), tower.proj, D);
  const path: FrozenPath = { tower, streams, alpha, sigmaStar, norm: l2Norm(u) };

  const { projWeight, projBias } = tower.blocks[layer]; // W_pr [w, M], b_pr [w]
  const effects = new Float64Array(M * D);
  for (let n = 0; n < M; n++) {
    const wn = new Float64Array(w);
    for (let o = 0; o < w; o++) wn[o] = projWeight[o * M + n];
    effects.set(throughLaterHeads(path, layer, (i) => wn.map((x) => hidden[i * M + n] * x)), n * D);
  }
  return {
    neuronEffects: tensor('U D', effects, [M, D]),
    biasEffect: tensor('D', throughLaterHeads(path, layer, () => projBias), [D]),
    mlpEffect: tensor('D', throughLaterHeads(path, layer, (i) => mlpOut.subarray(i * w, (i + 1) * w)), [D]),
  };
}
