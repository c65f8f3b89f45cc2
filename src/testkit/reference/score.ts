/**
 * The scalar path of METHOD §2.6: the score of one component against a unit text direction
 * t̂, computed in residual space without forming the projected D-vector:
 *   g_t = γ ⊙ (Π·t̂),  score(z, κ) = [⟨z, g_t⟩ − κ·μ*·Σ g_t]/(σ*‖u‖) + κ·⟨β, Π·t̂⟩/‖u‖.
 * Invariant 7 says this equals ⟨Φ_κ(z), t̂⟩.
 */
import { dot } from './kernels.ts';
import { referenceCellResidual, type ReferenceImageForward } from './imageForward.ts';

/** Π·t̂ (length w) */
function projectText(fwd: ReferenceImageForward, tHat: ArrayLike<number>): Float64Array {
  const { width: w, embedDim: D, proj } = fwd.tower;
  if (tHat.length !== D) throw new Error(`reference: text direction has ${tHat.length} values, expected ${D}`);
  const out = new Float64Array(w);
  for (let o = 0; o < w; o++) {
    let acc = 0;
    for (let k = 0; k < D; k++) acc += proj[o * D + k] * tHat[k];
    out[o] = acc;
  }
  return out;
}

/** Score of a residual-space component z [w] carrying share κ. */
export function referenceScoreComponent(
  fwd: ReferenceImageForward,
  z: ArrayLike<number>,
  kappa: number,
  tHat: ArrayLike<number>,
): number {
  const piT = projectText(fwd, tHat);
  const { gamma, beta } = fwd.tower.lnPost;
  const gT = gamma.map((g, o) => g * piT[o]);
  const sumGT = gT.reduce((a, b) => a + b, 0);
  return (dot(z, gT) - kappa * fwd.muStar * sumGT) / (fwd.sigmaStar * fwd.norm) + (kappa * dot(beta, piT)) / fwd.norm;
}

export interface CellIndex {
  readonly layer: number;
  readonly head: number;
  readonly token: number;
}

/** ⟨c_{ℓ,h,i}, t̂⟩ by the scalar path: z = q_{ℓ,h,i}, κ = 1/((2L+1)·T·H). */
export function referenceScoreCell(fwd: ReferenceImageForward, tHat: ArrayLike<number>, cell: CellIndex): number {
  const z = referenceCellResidual(fwd, cell.layer, cell.head, cell.token);
  return referenceScoreComponent(fwd, z, fwd.shares.cell, tHat);
}
