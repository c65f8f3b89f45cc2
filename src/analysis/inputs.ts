/**
 * What the analyses read from the decomposition engine (METHOD §2.4–2.6). The engine's own
 * result types only need to be structurally compatible with these (field for field); the
 * analyses never see the model or the runtime.
 *
 * Every D-space vector here is already ln-linearised and divided by ‖u‖ (METHOD §2.2), so a dot
 * product with a unit text embedding is a contribution to cos(image, text).
 */
import type { Tensor } from '../math/tensor.ts';

type F = Float32Array | Float64Array;

/** Token-summed per-image terms (METHOD §2.5): the inputs of mean-ablation and retrieval. */
export interface ImageComponents {
  /** û [D], the unit image embedding (= sum of all terms up to float error) */
  readonly embedding: Tensor<'D', F>;
  /** c_e [D], the embedding (ln_pre output) term */
  readonly embedTerm: Tensor<'D', F>;
  /** c_F,ℓ [L, D], the MLP terms */
  readonly mlp: Tensor<'L D', F>;
  /** c_head^{ℓ,h} [L, H, D], each head summed over all tokens (class token included) */
  readonly heads: Tensor<'L H D', F>;
  /** Σ_h c_{ℓ,h,0} [L, D], the class-token→class-token cell of each layer */
  readonly classClass: Tensor<'L D', F>;
}

/** Per-image quantities of the scalar path (METHOD §2.6) for token-level maps. */
export interface SpatialTerms {
  /** α_i^{ℓ,h} · v_i^{ℓ,h} [L, T, H, E]: attention-weighted values (E = dh) */
  readonly cells: Tensor<'L T H E', F>;
  /** μ*, the ln_post mean of the final class-token residual */
  readonly lnMean: number;
  /** σ* = sqrt(var + eps) of the same */
  readonly lnStd: number;
  /** ‖u‖, norm of the unnormalised image embedding */
  readonly norm: number;
}

/** Per-model matrices of METHOD §2.6 (independent of the image). */
export interface HeadProjections {
  /** M_{ℓ,h} = W_out,ℓ[:, h-slice]ᵀ · diag(γ) · Π  [L, H, E, D] */
  readonly headProj: Tensor<'L H E D', F>;
  /** gΠ = γ·Π [D] */
  readonly gammaProj: Tensor<'D', F>;
  /** bΠ = β·Π [D] */
  readonly betaProj: Tensor<'D', F>;
  /** oΠ_ℓ = (γ ⊙ b_out,ℓ)·Π [L, D] */
  readonly boutProj: Tensor<'L D', F>;
}

/** Layer and head counts an analysis is sized for. */
export interface HeadGrid {
  readonly layers: number;
  readonly heads: number;
  /** MLP width: needed only to resolve neuron items (L9.N123) */
  readonly mlpWidth?: number;
}
