/**
 * Second-order effects of the neurons of one MLP layer ℓ (METHOD §9), as graph nodes, by the fast
 * form: with the attention rows α and the LN₁ statistics σ¹ of every later layer frozen,
 *
 *   φ_n = c · Σ_{ℓ'>ℓ} Σ_h a_{n,ℓ',h} · Q_{ℓ',h}[n] · M̃_{ℓ',h},     c = 1/(σ*·‖u‖)
 *   a_{n,ℓ',h} = Σ_i α_i^{ℓ',h} p_{n,i} / σ¹_{ℓ',i}                  (per image, [H, M] per layer)
 *   Q_{ℓ'}   = ((W_prᵀ − row means) ⊙ γ₁^{ℓ'}) · W_Vᵀ                (model constant [M, w], head-major columns)
 *   M̃_{ℓ'}   = W_outᵀ · (diag(γ)Π − 𝟙·γΠ/w)                          (model constant [w, D]: J_post with its own mean, then Π)
 *
 * so the largest per-image tensor is [B, H, M, dh] per later layer, never [T, M, D]. The same path
 * applied to b_pr (the bias, written at every token) and to the whole MLP output m^{(ℓ)} gives
 * the two terms of the identity Σ_n φ_n + φ_bias = φ_MLP, which tests check through onnxruntime.
 */
import { visionGrid, type VisionArch } from '../arch.ts';
import { weightName } from '../checkpoint/types.ts';
import type { Value } from './graphBuilder.ts';
import { matrixInOut, type TowerContext } from './layers.ts';

export interface SecondOrderInputs {
  /** the MLP layer ℓ whose neurons are analysed (not the last) */
  readonly layer: number;
  /** stream entering each block [B·T, w] */
  readonly streamsIn: readonly Value[];
  /** class-token attention row of each block [B, H, 1, T] */
  readonly alphaRows: readonly Value[];
  /** post-activation values of block ℓ [B·T, M] */
  readonly hidden: Value;
  /** MLP output of block ℓ incl. b_pr [B·T, w] */
  readonly mlpOut: Value;
  /** diag(γ)·Π [w, D] and γ·Π [D] of ln_post */
  readonly gammaPi: Value;
  readonly gammaProj: Value;
  /** 1/(σ*·‖u‖) [B, 1] */
  readonly scale: Value;
}

export interface SecondOrderOutputs {
  /** φ_n for every neuron n of layer ℓ [B, M, D] */
  readonly neuronEffects: Value;
  /** p: the layer's post-activation values at every token [B, T, M] */
  readonly post: Value;
  /** c·α_i^{ℓ',h}/σ¹_{ℓ',i} for every later layer ℓ' and head h [B, L', H, T]: token i's weight in a */
  readonly tokenWeights: Value;
  /** φ_bias: the path applied to b_pr [B, D] */
  readonly biasEffect: Value;
  /** the path applied to the whole MLP output of block ℓ [B, D] */
  readonly mlpEffect: Value;
}

/** The model constants of the fast form for one later layer: Q_{ℓ'} [H, M, dh] and M̃_{ℓ'} split by head [H, dh, D]. */
export function secondOrderConstants(ctx: TowerContext, v: VisionArch, layer: number, later: number, gammaPi: Value, gammaProj: Value) {
  const { g } = ctx;
  const { width: w, heads: H, headWidth: dh, mlpWidth: M, embedDim: D } = v;
  const centreRows = (x: Value) => g.sub(x, g.reduceMean(x, [-1], true));
  const postCentred = g.sub(gammaPi, g.mul(g.reshape(gammaProj, [1, D]), g.scalar(1 / w)), 'gamma_pi_centred');
  const gamma1 = ctx.weights.f32(weightName('vision', 'ln1.g', later));
  const wVT = matrixInOut(ctx, weightName('vision', 'v.w', later));
  const mTilde = g.matmul(matrixInOut(ctx, weightName('vision', 'o.w', later)), postCentred, `m_tilde_${later}`); // [w, D]
  const wPrCentred = centreRows(matrixInOut(ctx, weightName('vision', 'fc2.w', layer))); // [M, w]
  const q = g.transpose(g.reshape(g.matmul(g.mul(wPrCentred, gamma1), wVT), [M, H, dh]), [1, 0, 2], `neuron_q_${later}`); // [H, M, dh]
  return { gamma1, wVT, mTilde, q, mTildeHeads: g.reshape(mTilde, [H, dh, D]) };
}

export function secondOrderEffects(ctx: TowerContext, v: VisionArch, inputs: SecondOrderInputs): SecondOrderOutputs {
  const { g, weights } = ctx;
  const { width: w, heads: H, headWidth: dh, mlpWidth: M } = v;
  const { tokens: T } = visionGrid(v);
  const { layer } = inputs;
  if (!Number.isInteger(layer) || layer < 0 || layer >= v.layers - 1) {
    throw new RangeError(
      layer === v.layers - 1
        ? `layer ${layer} is the last layer: no later attention heads carry its neurons' effects (METHOD §9)`
        : `neuron layer ${layer} is not a layer of a ${v.layers}-layer tower before its last`,
    );
  }
  const centreRows = (x: Value) => g.sub(x, g.reduceMean(x, [-1], true));
  const biasCentred = centreRows(g.reshape(weights.f32(weightName('vision', 'fc2.b', layer)), [1, w]));
  const p = g.reshape(inputs.hidden, [-1, T, M], 'neurons_p'); // [B, T, M]
  const mlpCentred = centreRows(g.reshape(inputs.mlpOut, [-1, T, w])); // [B, T, w]

  const neuronTerms: Value[] = [];
  const biasTerms: Value[] = [];
  const mlpTerms: Value[] = [];
  const omegas: Value[] = [];
  for (let later = layer + 1; later < v.layers; later++) {
    const { gamma1, wVT, mTilde, q } = secondOrderConstants(ctx, v, layer, later, inputs.gammaPi, inputs.gammaProj);
    // σ¹ of the stream entering `later`, per token: [B, 1, T]
    const s = g.reshape(inputs.streamsIn[later], [-1, T, w]);
    const dev = centreRows(s);
    const sigma1 = g.sqrt(g.add(g.reduceMean(g.mul(dev, dev), [-1], false), g.scalar(v.layerNormEps)), `sigma1_${later}`); // [B, T]
    const omega = g.div(g.reshape(inputs.alphaRows[later], [-1, H, T]), g.reshape(sigma1, [-1, 1, T]), `omega_${later}`); // [B, H, T]
    omegas.push(g.unsqueeze(omega, [1]));

    // neurons: a [B, H, M] scales the rows of Q_h [M, dh]
    const a = g.matmul(omega, p, `neuron_a_${later}`);
    const scaled = g.mul(g.unsqueeze(a, [3]), q); // [B, H, M, dh]
    const perNeuron = g.reshape(g.transpose(scaled, [0, 2, 1, 3]), [-1, M, w]); // [B, M, w]
    neuronTerms.push(g.matmul(perNeuron, mTilde, `neuron_effects_${later}`)); // [B, M, D]

    // bias b_pr at every token: a = Σ_i ω_i
    const aBias = g.reduceSum(omega, [-1], true); // [B, H, 1]
    const qBias = g.reshape(g.matmul(g.mul(biasCentred, gamma1), wVT), [1, H, dh]);
    biasTerms.push(g.matmul(g.reshape(g.mul(aBias, qBias), [-1, w]), mTilde)); // [B, D]

    // the whole MLP output, token by token: Σ_i α_i · J₁(m_i; i) · W_Vᵀ, then M̃
    const j1 = g.div(g.mul(mlpCentred, gamma1), g.reshape(sigma1, [-1, T, 1])); // [B, T, w]
    const valuesHT = g.transpose(g.reshape(g.matmul(j1, wVT), [-1, T, H, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
    const pooled = g.matmul(inputs.alphaRows[later], valuesHT); // [B, H, 1, dh]
    mlpTerms.push(g.matmul(g.reshape(pooled, [-1, w]), mTilde)); // [B, D]
  }
  const sum = (terms: Value[]) => terms.slice(1).reduce((acc, t) => g.add(acc, t), terms[0]);
  const c3 = g.reshape(inputs.scale, [-1, 1, 1]);
  return {
    neuronEffects: g.mul(sum(neuronTerms), c3, 'neuron_effects'),
    biasEffect: g.mul(sum(biasTerms), inputs.scale, 'neuron_bias_effect'),
    mlpEffect: g.mul(sum(mlpTerms), inputs.scale, 'mlp_second_order'),
    post: p,
    tokenWeights: g.mul(g.concat(omegas, 1), g.reshape(inputs.scale, [-1, 1, 1, 1]), 'neuron_token_weights'),
  };
}
