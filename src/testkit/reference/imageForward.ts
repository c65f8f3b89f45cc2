/**
 * The oracle's image forward pass and its exact decomposition (METHOD §1.3 and §2), in float64,
 * computed by the plain definitions. This file is the executable form of METHOD §2.1–2.6.
 */
import { tensor, type Tensor } from '../../math/tensor.ts';
import { runBlock } from './block.ts';
import { l2Norm, layerNormRows, layerNormStats, vecMat } from './kernels.ts';
import type { RawCheckpoint } from './rawCheckpoint.ts';
import { readVisionTower, type RefVisionTower } from './towers.ts';

type F64<S extends string> = Tensor<S, Float64Array>;

export interface ReferenceImageForwardOptions {
  /**
   * Compute every cell c_{ℓ,h,i} explicitly as Φ_κ(q_{ℓ,h,i}) (default true). Off for models too
   * big for L·T·H explicit cells: the per-head and class→class terms then come from Φ of the
   * summed residual cells with the summed share (equal by linearity), and `cells`/`tokens` are absent.
   */
  explicitCells?: boolean;
}

/** Projected, ln_post-linearised, ‖u‖-scaled contributions (METHOD §2.2–2.4); all sum to û. */
export interface ReferenceTerms {
  /** c_e = Φ_{1/(2L+1)}(e) */
  readonly embedding: F64<'D'>;
  /** c_F,ℓ = Φ_{1/(2L+1)}(F_ℓ) */
  readonly mlp: F64<'L D'>;
  /** Σ_i c_{ℓ,h,i} (class token included) */
  readonly heads: F64<'L H D'>;
  /** Σ_h c_{ℓ,h,0} */
  readonly classToClass: F64<'L D'>;
  /** Φ_{1/(2L+1)}(A_ℓ) */
  readonly layers: F64<'L D'>;
  /** c_{ℓ,h,i} = Φ_κ(q_{ℓ,h,i}), κ = 1/((2L+1)·T·H) (explicitCells only) */
  readonly cells?: F64<'L T H D'>;
  /** c_tok^i = Σ_{ℓ,h} c_{ℓ,h,i} (explicitCells only) */
  readonly tokens?: F64<'T D'>;
}

/** Per-model matrices of the fast path (METHOD §2.6). */
export interface ReferenceHeadMatrices {
  /** M_{ℓ,h} = W_out,ℓ[:, h-slice]ᵀ · diag(γ) · Π */
  readonly M: F64<'L H E D'>;
  /** γ·Π */
  readonly gPi: F64<'D'>;
  /** β·Π */
  readonly bPi: F64<'D'>;
  /** oΠ_ℓ = (γ ⊙ b_out,ℓ)·Π */
  readonly oPi: F64<'L D'>;
}

export interface ReferenceImageForward {
  readonly tower: RefVisionTower;
  /** κ of a layer-level component (1/(2L+1)) and of one attention cell (1/((2L+1)·T·H)) */
  readonly shares: { readonly layer: number; readonly cell: number };
  /** ln_pre output at the class token */
  readonly e: F64<'W'>;
  /** attention outputs at the class row, incl. b_out */
  readonly A: F64<'L W'>;
  /** MLP outputs at the class row, incl. b_pr */
  readonly F: F64<'L W'>;
  /** class-token row entering ln_post */
  readonly r: F64<'W'>;
  /** μ* and σ* = sqrt(var + eps) of r (population variance) */
  readonly muStar: number;
  readonly sigmaStar: number;
  /** u = LN_post(r)·Π, its norm and û = u/‖u‖ */
  readonly u: F64<'D'>;
  readonly norm: number;
  readonly uHat: F64<'D'>;
  /** α_i^{ℓ,h}: attention of the class-token query on token i */
  readonly alpha: F64<'L H T'>;
  /** α_i^{ℓ,h}·v_i^{ℓ,h} (value incl. its bias) */
  readonly headSpaceCells: F64<'L T H E'>;
  readonly terms: ReferenceTerms;
  readonly headMatrices: ReferenceHeadMatrices;
}

/** Tokens before ln_pre, [T, w]: class embedding at 0, conv patches 1..N row-major, + positions. */
export function patchEmbed(tower: RefVisionTower, pixels: ArrayLike<number>): Float64Array {
  const { width: w, patchSize: p, grid: G, imageSize: S, tokens: T } = tower;
  if (pixels.length !== 3 * S * S) throw new Error(`reference: pixels have ${pixels.length} values, expected [3, ${S}, ${S}]`);
  const x = new Float64Array(T * w);
  x.set(tower.classEmbedding, 0);
  for (let gy = 0; gy < G; gy++) {
    for (let gx = 0; gx < G; gx++) {
      const token = 1 + gy * G + gx;
      for (let o = 0; o < w; o++) {
        let acc = 0;
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < p; ky++) {
            for (let kx = 0; kx < p; kx++) {
              const weight = tower.patchWeight[((o * 3 + c) * p + ky) * p + kx];
              acc += weight * pixels[(c * S + gy * p + ky) * S + gx * p + kx];
            }
          }
        }
        x[token * w + o] = acc;
      }
    }
  }
  for (let n = 0; n < T * w; n++) x[n] += tower.positionalEmbedding[n];
  return x;
}

/** What Φ_κ needs: the frozen ln_post statistics and the final norm. */
interface Linearisation {
  readonly tower: RefVisionTower;
  readonly muStar: number;
  readonly sigmaStar: number;
  readonly norm: number;
}

/** Φ_κ(z) = [γ ⊙ (z − κ·μ*·𝟙)/σ* + κ·β]·Π / ‖u‖  (METHOD §2.2). */
function phi(lin: Linearisation, z: ArrayLike<number>, kappa: number): Float64Array {
  const { gamma, beta } = lin.tower.lnPost;
  const normalised = new Float64Array(lin.tower.width);
  for (let k = 0; k < normalised.length; k++) {
    normalised[k] = (gamma[k] * (z[k] - kappa * lin.muStar)) / lin.sigmaStar + kappa * beta[k];
  }
  const out = vecMat(normalised, lin.tower.proj, lin.tower.embedDim);
  for (let k = 0; k < out.length; k++) out[k] /= lin.norm;
  return out;
}

/** Φ_κ of a residual-space component z [w] for this image. */
export function referencePhi(fwd: ReferenceImageForward, z: ArrayLike<number>, kappa: number): Float64Array {
  return phi(fwd, z, kappa);
}

/** q_{ℓ,h,i} = α_i v_i · W_out[:, h-slice]ᵀ + b_out/(T·H), in residual space [w] (METHOD §2.3). */
function cellResidual(
  tower: RefVisionTower,
  headSpaceCells: Float64Array,
  layer: number,
  head: number,
  token: number,
): Float64Array {
  const { width: w, heads: H, headWidth: dh, tokens: T } = tower;
  const { outProjWeight, outProjBias } = tower.blocks[layer];
  const cellOffset = ((layer * T + token) * H + head) * dh;
  const q = new Float64Array(w);
  for (let o = 0; o < w; o++) {
    let acc = outProjBias[o] / (T * H);
    for (let d = 0; d < dh; d++) acc += headSpaceCells[cellOffset + d] * outProjWeight[o * w + head * dh + d];
    q[o] = acc;
  }
  return q;
}

export function referenceCellResidual(fwd: ReferenceImageForward, layer: number, head: number, token: number): Float64Array {
  return cellResidual(fwd.tower, fwd.headSpaceCells.data, layer, head, token);
}

function headMatrices(tower: RefVisionTower): ReferenceHeadMatrices {
  const { width: w, layers: L, heads: H, headWidth: dh, embedDim: D, proj } = tower;
  const { gamma, beta } = tower.lnPost;
  const M = new Float64Array(L * H * dh * D);
  const oPi = new Float64Array(L * D);
  for (let l = 0; l < L; l++) {
    const { outProjWeight, outProjBias } = tower.blocks[l];
    for (let h = 0; h < H; h++) {
      for (let d = 0; d < dh; d++) {
        for (let k = 0; k < D; k++) {
          let acc = 0;
          for (let o = 0; o < w; o++) acc += outProjWeight[o * w + h * dh + d] * gamma[o] * proj[o * D + k];
          M[((l * H + h) * dh + d) * D + k] = acc;
        }
      }
    }
    oPi.set(vecMat(gamma.map((g, o) => g * outProjBias[o]), proj, D), l * D);
  }
  return {
    M: tensor('L H E D', M, [L, H, dh, D]),
    gPi: tensor('D', vecMat(gamma, proj, D), [D]),
    bPi: tensor('D', vecMat(beta, proj, D), [D]),
    oPi: tensor('L D', oPi, [L, D]),
  };
}

export function referenceImageForward(
  raw: RawCheckpoint,
  pixels: ArrayLike<number>,
  options: ReferenceImageForwardOptions = {},
): ReferenceImageForward {
  const explicitCells = options.explicitCells ?? true;
  const tower = readVisionTower(raw);
  const { width: w, layers: L, heads: H, headWidth: dh, tokens: T, embedDim: D, layerNormEps: eps } = tower;

  // Embedding and the residual stream (METHOD §1.3 steps 1–5).
  let s = layerNormRows(patchEmbed(tower, pixels), T, w, tower.lnPre, eps);
  const e = s.slice(0, w);
  const A = new Float64Array(L * w);
  const F = new Float64Array(L * w);
  const alpha = new Float64Array(L * H * T);
  const headSpaceCells = new Float64Array(L * T * H * dh);
  for (let l = 0; l < L; l++) {
    const block = runBlock(s, T, tower.blocks[l], tower, false);
    A.set(block.attnOut.subarray(0, w), l * w);
    F.set(block.mlpOut.subarray(0, w), l * w);
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const a = block.probs[(h * T + 0) * T + i]; // query row 0 = class token
        alpha[(l * H + h) * T + i] = a;
        for (let d = 0; d < dh; d++) {
          headSpaceCells[((l * T + i) * H + h) * dh + d] = a * block.values[i * w + h * dh + d];
        }
      }
    }
    s = block.residual;
  }

  // ln_post and the projection (step 6), with the statistics the decomposition freezes.
  const r = s.slice(0, w);
  const { mean: muStar, std: sigmaStar } = layerNormStats(r, eps);
  const u = vecMat(layerNormRows(r, 1, w, tower.lnPost, eps), tower.proj, D);
  const norm = l2Norm(u);
  const uHat = u.map((x) => x / norm);

  // Decomposition (METHOD §2.2–2.4).
  const lin: Linearisation = { tower, muStar, sigmaStar, norm };
  const layerShare = 1 / (2 * L + 1);
  const cellShare = layerShare / (T * H);
  const embedding = phi(lin, e, layerShare);
  const mlp = new Float64Array(L * D);
  const layers = new Float64Array(L * D);
  const heads = new Float64Array(L * H * D);
  const classToClass = new Float64Array(L * D);
  const cells = explicitCells ? new Float64Array(L * T * H * D) : undefined;
  const tokenTerms = explicitCells ? new Float64Array(T * D) : undefined;
  for (let l = 0; l < L; l++) {
    mlp.set(phi(lin, F.subarray(l * w, (l + 1) * w), layerShare), l * D);
    layers.set(phi(lin, A.subarray(l * w, (l + 1) * w), layerShare), l * D);
    for (let h = 0; h < H; h++) {
      if (cells && tokenTerms) {
        for (let i = 0; i < T; i++) {
          const c = phi(lin, cellResidual(tower, headSpaceCells, l, h, i), cellShare);
          cells.set(c, ((l * T + i) * H + h) * D);
          for (let k = 0; k < D; k++) {
            heads[(l * H + h) * D + k] += c[k];
            tokenTerms[i * D + k] += c[k];
            if (i === 0) classToClass[l * D + k] += c[k];
          }
        }
      } else {
        const summed = new Float64Array(w);
        for (let i = 0; i < T; i++) {
          const q = cellResidual(tower, headSpaceCells, l, h, i);
          for (let o = 0; o < w; o++) summed[o] += q[o];
        }
        heads.set(phi(lin, summed, T * cellShare), (l * H + h) * D);
        const self = phi(lin, cellResidual(tower, headSpaceCells, l, h, 0), cellShare);
        for (let k = 0; k < D; k++) classToClass[l * D + k] += self[k];
      }
    }
  }

  return {
    tower,
    shares: { layer: layerShare, cell: cellShare },
    e: tensor('W', e, [w]),
    A: tensor('L W', A, [L, w]),
    F: tensor('L W', F, [L, w]),
    r: tensor('W', r, [w]),
    muStar,
    sigmaStar,
    u: tensor('D', u, [D]),
    norm,
    uHat: tensor('D', uHat, [D]),
    alpha: tensor('L H T', alpha, [L, H, T]),
    headSpaceCells: tensor('L T H E', headSpaceCells, [L, T, H, dh]),
    terms: {
      embedding: tensor('D', embedding, [D]),
      mlp: tensor('L D', mlp, [L, D]),
      heads: tensor('L H D', heads, [L, H, D]),
      classToClass: tensor('L D', classToClass, [L, D]),
      layers: tensor('L D', layers, [L, D]),
      ...(cells && tokenTerms ? { cells: tensor('L T H D', cells, [L, T, H, D]), tokens: tensor('T D', tokenTerms, [T, D]) } : {}),
    },
    headMatrices: headMatrices(tower),
  };
}
