/**
 * Token heatmaps through the scalar path of METHOD §2.6 — never building the [L, T, H, D]
 * cell vectors. For a direction t in the joint space (normally a unit text embedding; the path
 * is linear in t, so differences of texts work too), the score of cell (ℓ, h, i) is
 *
 *   ⟨c_{ℓ,h,i}, t⟩ = [ ⟨α_i v_i, M_{ℓ,h} t⟩ + ⟨oΠ_ℓ, t⟩/(T·H) − κ μ* ⟨gΠ, t⟩ ] / (σ* ‖u‖)
 *                    + κ ⟨bΠ, t⟩ / ‖u‖ ,        κ = 1 / ((2L+1)·T·H)
 *
 * including the b_out and ln_post shares, so summing every cell plus the embedding and MLP
 * terms gives ⟨û, t⟩. The text-dependent part (`textProbe`, M_{ℓ,h}·t for every head) is
 * separate: changing the prompt costs one dh×D product per head, not a pass over the image.
 */
import { upsampleBilinear } from '../math/bilinear.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { vecDot } from '../math/vector.ts';
import { expandRange, formatAblationItem, parseAblation, AblationSyntaxError, type AblationSpec } from './ablationSyntax.ts';
import type { HeadGrid, HeadProjections, SpatialTerms } from './inputs.ts';
import { headLabel } from './partNames.ts';

/** The text side of the constant terms: all projectedPatchMap needs besides t itself. */
export interface ProbeConstants {
  /** ⟨oΠ_ℓ, t⟩ [L] */
  readonly bout: Float64Array;
  /** ⟨gΠ, t⟩ */
  readonly gamma: number;
  /** ⟨bΠ, t⟩ */
  readonly beta: number;
}

/** The per-text half of the scalar path. */
export interface TextProbe extends ProbeConstants {
  /** M_{ℓ,h}·t  [L, H, E] */
  readonly headDir: Tensor<'L H E', Float64Array>;
}

/** The constant terms' text side for direction t [D] (cost (L+2)·D). */
export function probeConstants(model: HeadProjections, t: ArrayLike<number>): ProbeConstants {
  const [L, , , D] = model.headProj.dims;
  if (t.length !== D) throw new RangeError(`text vector has ${t.length} entries, the model's joint width is ${D}`);
  const bout = new Float64Array(L);
  for (let l = 0; l < L; l++) bout[l] = vecDot(model.boutProj.data, t, D, l * D, 0);
  return { bout, gamma: vecDot(model.gammaProj.data, t), beta: vecDot(model.betaProj.data, t) };
}

/** Precompute the text side for direction t [D] (cost L·H·E·D, once per prompt). */
export function textProbe(model: HeadProjections, t: ArrayLike<number>): TextProbe {
  const [L, H, E, D] = model.headProj.dims;
  const constants = probeConstants(model, t);
  const M = model.headProj.data;
  const tt = Float64Array.from(t);
  const headDir = new Float64Array(L * H * E);
  for (let row = 0; row < L * H * E; row++) headDir[row] = dotUnrolled(M.subarray(row * D, (row + 1) * D), tt);
  return { headDir: tensor('L H E', headDir, [L, H, E]), ...constants };
}

/** ⟨c_{ℓ,h,i}, t⟩ for every layer, head and token (class token = 0 included): [L, H, T]. */
export function tokenScores(image: SpatialTerms, probe: TextProbe): Tensor<'L H T', Float64Array> {
  const [L, T, H, E] = image.cells.dims;
  const pd = probe.headDir.dims;
  if (pd[0] !== L || pd[1] !== H || pd[2] !== E) {
    throw new RangeError(`probe is [${pd.join(', ')}] but the image cells are [L=${L}, T=${T}, H=${H}, E=${E}]`);
  }
  const kappa = 1 / ((2 * L + 1) * T * H);
  const scale = 1 / (image.lnStd * image.norm);
  const betaShare = (kappa * probe.beta) / image.norm;
  const cells = image.cells.data;
  const dir = probe.headDir.data;
  const out = new Float64Array(L * H * T);
  for (let l = 0; l < L; l++) {
    const offset = probe.bout[l] / (T * H) - kappa * image.lnMean * probe.gamma;
    for (let i = 0; i < T; i++) {
      for (let h = 0; h < H; h++) {
        const dot = vecDot(cells, dir, E, ((l * T + i) * H + h) * E, (l * H + h) * E);
        out[(l * H + h) * T + i] = (dot + offset) * scale + betaShare;
      }
    }
  }
  return tensor('L H T', out, [L, H, T]);
}

/**
 * ⟨a, b⟩ over a's length with four running sums: the adds pipeline, and rows passed as subarrays
 * keep the index arithmetic out of the loop; about twice vecDot's speed on the long rows of the
 * scalar path, with vecDot's rounding but for the order of the terms.
 */
function dotUnrolled(a: Float32Array | Float64Array, b: Float64Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n4 = n - (n % 4);
  let k = 0;
  for (; k < n4; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (; k < n; k++) s0 += a[k] * b[k];
  return s0 + s1 + s2 + s3;
}

/**
 * The patch map of one image for one probe over the selected heads (`headMask` [L·H], all when
 * omitted): the sum patchMap(tokenScores(image, probe), headMask) computes, term by term the same,
 * without the [L, H, T] scores: per layer and patch, one dot product of the token's H·E values with
 * the layer's head directions (unselected heads' set to 0). What the app's prompt heatmaps run:
 * a prompt over many images costs L·G²·H·E multiply-adds per image and nothing else.
 */
export function promptPatchMap(image: SpatialTerms, probe: TextProbe, headMask?: Uint8Array): Tensor<'Y X', Float64Array> {
  const [L, T, H, E] = image.cells.dims;
  const pd = probe.headDir.dims;
  if (pd[0] !== L || pd[1] !== H || pd[2] !== E) {
    throw new RangeError(`probe is [${pd.join(', ')}] but the image cells are [L=${L}, T=${T}, H=${H}, E=${E}]`);
  }
  if (headMask && headMask.length !== L * H) throw new RangeError(`head mask has ${headMask.length} entries, expected ${L * H}`);
  const G = gridSide(T);
  const HE = H * E;
  const { scale, perHead } = headConstants(probe, image, T, H);
  const cells = image.cells.data;
  // the head directions with unselected heads zeroed: one H·E row per layer
  const dir = headMask ? probe.headDir.data.map((v, k) => (headMask[Math.floor(k / E)] ? v : 0)) : probe.headDir.data;
  const out = new Float64Array(G * G);
  for (let l = 0; l < L; l++) {
    let selected = 0;
    for (let h = 0; h < H; h++) if (!headMask || headMask[l * H + h]) selected++;
    if (selected === 0) continue;
    const constant = selected * perHead[l];
    const layerDir = dir.subarray(l * HE, (l + 1) * HE);
    for (let p = 0; p < G * G; p++) {
      const token = (l * T + 1 + p) * HE;
      out[p] += dotUnrolled(cells.subarray(token, token + HE), layerDir) * scale + constant;
    }
  }
  return tensor('Y X', out, [G, G]);
}

/**
 * The scalar path's text-independent-per-patch terms, shared by promptPatchMap and
 * projectedPatchMap: the factor on each ⟨c, t⟩ (`scale`) and, per layer, what each of its heads adds
 * to every patch (its b_out share minus its ln_post mean share, scaled, plus its β share).
 */
function headConstants(probe: ProbeConstants, image: { lnMean: number; lnStd: number; norm: number }, T: number, H: number): { scale: number; perHead: Float64Array } {
  const L = probe.bout.length;
  const kappa = 1 / ((2 * L + 1) * T * H);
  const scale = 1 / (image.lnStd * image.norm);
  const betaShare = (kappa * probe.beta) / image.norm;
  const perHead = new Float64Array(L);
  for (let l = 0; l < L; l++) perHead[l] = (probe.bout[l] / (T * H) - kappa * image.lnMean * probe.gamma) * scale + betaShare;
  return { scale, perHead };
}

/**
 * An image's all-heads scalar path folded into one matrix: row p of `patches` is P[1 + p] =
 * Σ_{ℓ,h} M_{ℓ,h}ᵀ (α v)_{ℓ,h,1+p} (the class token's row dropped), with the scalars the
 * constant terms need. Computed once per image (ClipEngine.projectTokens).
 */
export interface ProjectedTokens {
  /** [G², D] */
  readonly patches: Tensor<'P D', Float32Array>;
  readonly layers: number;
  readonly heads: number;
  /** T = 1 + G² */
  readonly tokens: number;
  readonly lnMean: number;
  readonly lnStd: number;
  readonly norm: number;
}

/** P [T, D] of `image` (class token included) -> the patch rows and the scalars projectedPatchMap needs */
export function projectedTokens(P: Tensor<'T D', Float32Array>, image: SpatialTerms): ProjectedTokens {
  const [L, T, H] = image.cells.dims;
  const [PT, D] = P.dims;
  if (PT !== T) throw new RangeError(`projected tokens have ${PT} rows, the image has ${T} tokens`);
  const patches = tensor('P D', P.data.subarray(D), [T - 1, D]);
  return { patches, layers: L, heads: H, tokens: T, lnMean: image.lnMean, lnStd: image.lnStd, norm: image.norm };
}

/**
 * promptPatchMap over all heads through P: per patch ⟨P[p], t⟩·scale plus the same constant
 * terms (each of the L·H heads adds offset_ℓ·scale + betaShare). `t` is the direction the probe
 * was made from. Cost G²·D per image instead of L·G²·H·E, and no M_{ℓ,h}·t (probeConstants suffices).
 */
export function projectedPatchMap(image: ProjectedTokens, probe: ProbeConstants, t: ArrayLike<number>): Tensor<'Y X', Float64Array> {
  const { layers: L, heads: H, tokens: T } = image;
  const [P, D] = image.patches.dims;
  if (t.length !== D) throw new RangeError(`text vector has ${t.length} entries, the projected tokens have ${D}`);
  if (probe.bout.length !== L) throw new RangeError(`probe has ${probe.bout.length} layers, the image ${L}`);
  const G = gridSide(T);
  const { scale, perHead } = headConstants(probe, image, T, H);
  let constant = 0;
  for (let l = 0; l < L; l++) constant += H * perHead[l];
  const tt = Float64Array.from(t);
  const rows = image.patches.data;
  const out = new Float64Array(G * G);
  for (let p = 0; p < P; p++) out[p] = dotUnrolled(rows.subarray(p * D, (p + 1) * D), tt) * scale + constant;
  return tensor('Y X', out, [G, G]);
}

/** Grid side G of T = 1 + G² tokens. */
export function gridSide(tokens: number): number {
  const g = Math.round(Math.sqrt(tokens - 1));
  if (g < 1 || g * g + 1 !== tokens) throw new RangeError(`${tokens} tokens is not 1 + G² (class token + square grid)`);
  return g;
}

/**
 * Patch map [G, G] (row-major, class token excluded): the sum of `scores` over the selected heads
 * (`headMask` [L·H], index l·H + h, nonzero = included; all heads when omitted).
 */
export function patchMap(scores: Tensor<'L H T', Float64Array>, headMask?: Uint8Array): Tensor<'Y X', Float64Array> {
  const [L, H, T] = scores.dims;
  const G = gridSide(T);
  if (headMask && headMask.length !== L * H) throw new RangeError(`head mask has ${headMask.length} entries, expected ${L * H}`);
  const out = new Float64Array(G * G);
  for (let lh = 0; lh < L * H; lh++) {
    if (headMask && !headMask[lh]) continue;
    const off = lh * T + 1;
    for (let p = 0; p < G * G; p++) out[p] += scores.data[off + p];
  }
  return tensor('Y X', out, [G, G]);
}

/** Patch map of one head (ℓ, h). */
export function headPatchMap(scores: Tensor<'L H T', Float64Array>, layer: number, head: number): Tensor<'Y X', Float64Array> {
  const [L, H] = scores.dims;
  if (layer < 0 || layer >= L || head < 0 || head >= H) throw new RangeError(`head ${headLabel(layer, head)} is outside ${L}x${H}`);
  const mask = new Uint8Array(L * H);
  mask[layer * H + head] = 1;
  return patchMap(scores, mask);
}

/** Contrastive maps: each map minus the mean of all maps (METHOD §5.1 step 2). */
export function contrastiveMaps(maps: readonly Tensor<'Y X', Float64Array>[]): Tensor<'Y X', Float64Array>[] {
  if (maps.length === 0) return [];
  const n = maps[0].data.length;
  const mean = new Float64Array(n);
  for (const m of maps) {
    if (m.data.length !== n) throw new RangeError('contrastive maps need maps of one size');
    for (let p = 0; p < n; p++) mean[p] += m.data[p] / maps.length;
  }
  return maps.map((m) => tensor('Y X', m.data.map((v, p) => v - mean[p]), m.dims));
}

/** Maps for several directions (one probe each) over the selected heads, optionally contrastive. */
export function promptMaps(
  image: SpatialTerms,
  probes: readonly TextProbe[],
  options: { headMask?: Uint8Array; contrastive?: boolean } = {},
): Tensor<'Y X', Float64Array>[] {
  const maps = probes.map((p) => promptPatchMap(image, p, options.headMask));
  return options.contrastive ? contrastiveMaps(maps) : maps;
}

/** Upsample a [G, G] map by the patch size to the input side (bilinear, align_corners=False). */
export function upsampleMap(map: Tensor<'Y X', Float64Array>, patchSize: number): Tensor<'Y X', Float64Array> {
  return upsampleBilinear(map, map.dims[0] * patchSize, map.dims[1] * patchSize);
}

/**
 * Head selection for maps written in the ablation syntax, using only its `L<layers>` and
 * `L<layers>.H<heads>` items (e.g. `L20-23` or `L22.H1,L23.H*`): a [L·H] mask.
 */
export function headMaskFromSpec(spec: AblationSpec | string, grid: HeadGrid): Uint8Array {
  const items = typeof spec === 'string' ? parseAblation(spec) : spec;
  const { layers: L, heads: H } = grid;
  const mask = new Uint8Array(L * H);
  for (const it of items) {
    if (it.kind === 'layer') {
      for (const l of expandRange(it.layers, L, 'layer', it)) mask.fill(1, l * H, (l + 1) * H);
    } else if (it.kind === 'heads') {
      const hs = expandRange(it.heads, H, 'head', it);
      for (const l of expandRange(it.layers, L, 'layer', it)) for (const h of hs) mask[l * H + h] = 1;
    } else {
      const text = formatAblationItem(it);
      throw new AblationSyntaxError(
        `'${text}' cannot select heads for a map: use L<layers> or L<layers>.H<heads> items`,
        text,
        -1,
      );
    }
  }
  return mask;
}
