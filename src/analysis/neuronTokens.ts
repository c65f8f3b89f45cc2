/**
 * A neuron's effect φ_n split over the image tokens it is read from (METHOD §9), scored against a
 * direction t of the joint space:
 *
 *   s_i = p_{i,n} · Σ_{ℓ',h} w_{ℓ',h,i} · g_{ℓ',h,n},   g_{ℓ',h,n} = Q_{ℓ',h}[n] · (M̃_{ℓ',h} t)
 *
 * with p the layer's post-activation values, w = c·α/σ¹ the per-token weights of the image graph
 * and Q, M̃ the model constants of the fast form. Σ_i s_i = ⟨φ_n, t⟩ exactly: the token map shows
 * where on the image the neuron's share of the similarity comes from.
 */
import { ShapeError, tensor, type Tensor } from '../math/tensor.ts';

export interface NeuronFactors {
  /** p [T, M] */
  readonly post: Tensor<'T U', Float32Array | Float64Array>;
  /** w [K, H, T] */
  readonly tokenWeights: Tensor<'K H T', Float32Array | Float64Array>;
}

export interface NeuronConstants {
  /** Q [K, H, M, E] */
  readonly q: Tensor<'K H U E', Float32Array | Float64Array>;
  /** M̃ [K, H, E, D] */
  readonly out: Tensor<'K H E D', Float32Array | Float64Array>;
}

/** g_{ℓ',h,n} for one neuron and direction t: [K, H] */
export function neuronProbe(constants: NeuronConstants, neuron: number, t: ArrayLike<number>): Float64Array {
  const [K, H, M, E] = constants.q.dims;
  const D = constants.out.dims[3];
  if (t.length !== D) throw new ShapeError(`neuron probe: direction has ${t.length} values, D = ${D}`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= M) throw new RangeError(`neuron ${neuron} is outside 0-${M - 1}`);
  const g = new Float64Array(K * H);
  for (let kh = 0; kh < K * H; kh++) {
    let acc = 0;
    for (let e = 0; e < E; e++) {
      let mt = 0;
      const row = (kh * E + e) * D;
      for (let d = 0; d < D; d++) mt += constants.out.data[row + d] * t[d];
      acc += constants.q.data[(kh * M + neuron) * E + e] * mt;
    }
    g[kh] = acc;
  }
  return g;
}

/** s_i for every token i (class token included) [T] */
export function neuronTokenScores(factors: NeuronFactors, neuron: number, probe: Float64Array): Tensor<'T', Float64Array> {
  const [T, M] = factors.post.dims;
  const [K, H, Tw] = factors.tokenWeights.dims;
  if (Tw !== T || probe.length !== K * H) throw new ShapeError(`neuron token scores: weights [${factors.tokenWeights.dims}], post [${factors.post.dims}], probe ${probe.length}`);
  const out = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let acc = 0;
    for (let kh = 0; kh < K * H; kh++) acc += factors.tokenWeights.data[kh * T + i] * probe[kh];
    out[i] = factors.post.data[i * M + neuron] * acc;
  }
  return tensor('T', out, [T]);
}
