/**
 * The closure residual of a decomposition: max_d |û_d − (c_e + Σ_ℓ c_F,ℓ + Σ_ℓ,h c_head^{ℓ,h})_d|
 * (METHOD 2.7 invariant 5). û comes from the model's own ln_post → projection → normalise path,
 * the parts from the linearised one; the parts are summed in float64 so the residual measures the
 * decomposition, not the summation. On real weights in float32 it stays far below 1e-4; above that
 * the parts no longer add up to the embedding and every contribution shown is suspect.
 */
import type { ImageComponents } from './inputs.ts';

/** a residual above this is flagged (METHOD 2.7: ≤ 1e-5 expected in float32, 10× headroom) */
export const CLOSURE_TOLERANCE = 1e-4;

export interface ClosureResidual {
  /** max over the D entries of |û − Σ parts| (NaN when an input holds NaN) */
  maxAbs: number;
  tolerance: number;
  /** true when maxAbs is above the tolerance or not a number */
  flagged: boolean;
}

export function closureResidual(parts: Pick<ImageComponents, 'embedding' | 'embedTerm' | 'mlp' | 'heads'>): ClosureResidual {
  const D = parts.embedding.dims[0];
  const [L, Dm] = parts.mlp.dims;
  const [Lh, H, Dh] = parts.heads.dims;
  if (parts.embedTerm.dims[0] !== D || Dm !== D || Dh !== D || Lh !== L) {
    throw new RangeError(
      `closureResidual: parts disagree in shape (embedding [${D}], embed_term [${parts.embedTerm.dims}], mlp [${parts.mlp.dims}], heads [${parts.heads.dims}])`,
    );
  }
  const sum = Float64Array.from(parts.embedTerm.data);
  for (let l = 0; l < L; l++) for (let d = 0; d < D; d++) sum[d] += parts.mlp.data[l * D + d];
  for (let k = 0; k < L * H; k++) for (let d = 0; d < D; d++) sum[d] += parts.heads.data[k * D + d];
  let maxAbs = 0;
  for (let d = 0; d < D; d++) {
    const r = Math.abs(parts.embedding.data[d] - sum[d]);
    // NaN must win: Math.max propagates it, a plain comparison would drop it
    maxAbs = Math.max(maxAbs, r);
  }
  return { maxAbs, tolerance: CLOSURE_TOLERANCE, flagged: !(maxAbs <= CLOSURE_TOLERANCE) };
}
