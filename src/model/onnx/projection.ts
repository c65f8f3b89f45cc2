/**
 * Per-model matrices of METHOD 2.6, written as graph nodes over initializers only, so
 * onnxruntime constant-folds them once at session creation:
 *   G = diag(γ)·Π [w, D],  γΠ = γ·Π [D],  βΠ = β·Π [D],
 *   per layer: W_outᵀ·G [w, D] (rows h·dh…(h+1)·dh−1 are M_{ℓ,h}), (γ⊙b_out)·Π = b_out·G [D].
 */
import type { VisionArch } from '../arch.ts';
import { weightName } from '../checkpoint/types.ts';
import type { Value } from './graphBuilder.ts';
import { matrixInOut, type TowerContext } from './layers.ts';

export interface LnPostProjection {
  /** diag(γ)·Π [w, D] */
  readonly gammaPi: Value;
  /** γ·Π [D] */
  readonly gammaProj: Value;
  /** β·Π [D] */
  readonly betaProj: Value;
}

export function lnPostProjection(ctx: TowerContext, v: VisionArch): LnPostProjection {
  const { g, weights } = ctx;
  const pi = matrixInOut(ctx, weightName('vision', 'proj'));
  const gamma = weights.f32(weightName('vision', 'ln_post.g'));
  const beta = weights.f32(weightName('vision', 'ln_post.b'));
  return {
    gammaPi: g.mul(g.reshape(gamma, [v.width, 1]), pi, 'gamma_pi'),
    gammaProj: g.matmul(gamma, pi, 'gamma_proj'),
    betaProj: g.matmul(beta, pi, 'beta_proj'),
  };
}

export interface LayerHeadProjection {
  /** W_outᵀ·G [w, D]: maps concat_h(per-head vectors) to the joint space */
  readonly outGammaPi: Value;
  /** M_{ℓ,h} stacked [H, dh, D] */
  readonly perHead: Value;
  /** (γ⊙b_out,ℓ)·Π [D] */
  readonly boutProj: Value;
}

export function layerHeadProjection(ctx: TowerContext, v: VisionArch, layer: number, gammaPi: Value): LayerHeadProjection {
  const { g, weights } = ctx;
  const outGammaPi = g.matmul(matrixInOut(ctx, weightName('vision', 'o.w', layer)), gammaPi, `out_gamma_pi_${layer}`);
  return {
    outGammaPi,
    perHead: g.reshape(outGammaPi, [v.heads, v.headWidth, v.embedDim], `head_proj_${layer}`),
    boutProj: g.matmul(weights.f32(weightName('vision', 'o.b', layer)), gammaPi, `bout_proj_${layer}`),
  };
}
