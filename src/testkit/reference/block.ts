/**
 * One pre-LN residual block, by the definitions of METHOD §1.3 step 5 (shared by both towers;
 * the text tower sets `causal`). Returns the new residual stream and everything the
 * decomposition needs from inside the block.
 */
import { activationFn, layerNormRows, linear, softmax } from './kernels.ts';
import type { RefBlock, RefTransformerShape } from './towers.ts';

export interface BlockResult {
  /** s + O + m, [T, w] */
  readonly residual: Float64Array;
  /** O = concat_h(A_h V_h)·W_outᵀ + b_out, [T, w] */
  readonly attnOut: Float64Array;
  /** m, the MLP output incl. b_pr, [T, w] */
  readonly mlpOut: Float64Array;
  /** post-activation MLP values (the neurons), [T, m] */
  readonly hidden: Float64Array;
  /** attention probabilities A_h[query, key], [H, T, T] */
  readonly probs: Float64Array;
  /** values incl. their bias, [T, w]; head h owns columns h·dh … (h+1)·dh−1 */
  readonly values: Float64Array;
}

export function runBlock(
  s: Float64Array,
  tokens: number,
  block: RefBlock,
  shape: RefTransformerShape,
  causal: boolean,
): BlockResult {
  const { width: w, heads: H, headWidth: dh, mlpWidth: m, layerNormEps: eps } = shape;
  const T = tokens;

  // Attention: [Q|K|V] = LN₁(s)·W_inᵀ + b_in
  const a = layerNormRows(s, T, w, block.ln1, eps);
  const qkv = linear(a, T, w, block.inProjWeight, 3 * w, block.inProjBias);
  const query = (t: number, h: number, d: number) => qkv[t * 3 * w + h * dh + d];
  const key = (t: number, h: number, d: number) => qkv[t * 3 * w + w + h * dh + d];
  const values = new Float64Array(T * w);
  for (let t = 0; t < T; t++) values.set(qkv.subarray(t * 3 * w + 2 * w, t * 3 * w + 3 * w), t * w);

  const probs = new Float64Array(H * T * T);
  const headsConcat = new Float64Array(T * w);
  const scale = 1 / Math.sqrt(dh);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const logits = new Float64Array(T);
      for (let j = 0; j < T; j++) {
        if (causal && j > t) {
          logits[j] = -Infinity;
          continue;
        }
        let acc = 0;
        for (let d = 0; d < dh; d++) acc += query(t, h, d) * key(j, h, d);
        logits[j] = acc * scale;
      }
      const p = softmax(logits);
      probs.set(p, (h * T + t) * T);
      for (let d = 0; d < dh; d++) {
        let acc = 0;
        for (let j = 0; j < T; j++) acc += p[j] * values[j * w + h * dh + d];
        headsConcat[t * w + h * dh + d] = acc;
      }
    }
  }
  const attnOut = linear(headsConcat, T, w, block.outProjWeight, w, block.outProjBias);
  const mid = new Float64Array(T * w);
  for (let n = 0; n < T * w; n++) mid[n] = s[n] + attnOut[n];

  // MLP: m = act(LN₂(s)·W_fcᵀ + b_fc)·W_prᵀ + b_pr
  const act = activationFn(shape.act);
  const hidden = linear(layerNormRows(mid, T, w, block.ln2, eps), T, w, block.fcWeight, m, block.fcBias).map(act);
  const mlpOut = linear(hidden, T, m, block.projWeight, w, block.projBias);
  const residual = new Float64Array(T * w);
  for (let n = 0; n < T * w; n++) residual[n] = mid[n] + mlpOut[n];

  return { residual, attnOut, mlpOut, hidden, probs, values };
}
