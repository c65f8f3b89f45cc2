/**
 * Switching MLP neurons off in the what-if view (METHOD §9 with §3's mean-ablation): neuron n's
 * second-order effect on image I is φ_n(I) = Σ_{ℓ',h} a_{ℓ',h}(I) · r_{ℓ',h}, a sum over the later
 * heads that carry it, with per-image scalars a (token weights · post-activations) and model rows
 * r = Q[n]·M̃. Switching the neuron off replaces each path's a by its mean over the loaded images.
 *
 * How it combines with head switch-offs: a mean-ablated head (ℓ', h) — alone or as part of its
 * whole layer — already carries its mean term, the neuron's path through it included. So the
 * neuron switch-off acts only through the later heads that stay on:
 *
 *   Δ_n(I) = Σ_{(ℓ',h) on} (mean_J a_{ℓ',h}(J) − a_{ℓ',h}(I)) · r_{ℓ',h}
 *
 * With every later head on this is mean φ_n − φ_n(I); with every later head off it is 0.
 */
import type { NeuronConstants, NeuronFactors } from './neuronTokens.ts';

/** a_{ℓ',h} = Σ_i w_{ℓ',h,i} · p_{i,n} for one image and neuron [K·H] */
export function neuronHeadScalars(factors: NeuronFactors, neuron: number): Float64Array {
  const [T, M] = factors.post.dims;
  const [K, H] = factors.tokenWeights.dims;
  const a = new Float64Array(K * H);
  for (let kh = 0; kh < K * H; kh++) {
    let acc = 0;
    for (let i = 0; i < T; i++) acc += factors.tokenWeights.data[kh * T + i] * factors.post.data[i * M + neuron];
    a[kh] = acc;
  }
  return a;
}

/** r_{ℓ',h} = Q_{ℓ',h}[n] · M̃_{ℓ',h} for one neuron [K·H, D] */
export function neuronHeadRows(constants: NeuronConstants, neuron: number): Float64Array {
  const [K, H, M, E] = constants.q.dims;
  const D = constants.out.dims[3];
  const rows = new Float64Array(K * H * D);
  for (let kh = 0; kh < K * H; kh++) {
    for (let e = 0; e < E; e++) {
      const q = constants.q.data[(kh * M + neuron) * E + e];
      for (let d = 0; d < D; d++) rows[kh * D + d] += q * constants.out.data[(kh * E + e) * D + d];
    }
  }
  return rows;
}

/**
 * Δ_n(I) [D] for one neuron of layer `layer`: `a` its scalars on the image, `aMean` their mean over
 * the loaded images, `rows` its head rows, `headOff` the what-if head mask [L·H] (1 = mean-ablated).
 */
export function neuronSwitchOffDelta(
  a: Float64Array,
  aMean: Float64Array,
  rows: Float64Array,
  layer: number,
  headOff: Uint8Array,
  heads: number,
): Float64Array {
  const KH = a.length;
  const D = rows.length / KH;
  const delta = new Float64Array(D);
  for (let kh = 0; kh < KH; kh++) {
    const later = layer + 1 + Math.floor(kh / heads);
    if (headOff[later * heads + (kh % heads)]) continue;
    const shift = aMean[kh] - a[kh];
    for (let d = 0; d < D; d++) delta[d] += shift * rows[kh * D + d];
  }
  return delta;
}
