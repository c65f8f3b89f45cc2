/**
 * The image tower as an ONNX graph (METHOD 1.3), optionally with the exact direct-effect
 * decomposition of METHOD 2.2–2.4 computed through the per-head fast path of 2.6.
 *
 * Notation inside: for a residual-space component z with share κ,
 *   Φ_κ(z) = c·(z·G + κ·o),  c = 1/(σ*‖u‖),  o = σ*·βΠ − μ*·γΠ,  G = diag(γ)·Π,
 * which is METHOD's Φ_κ rearranged. Layer terms use κ₀ = 1/(2L+1); a (token, head) cell uses
 * κ₀/(T·H) and carries b_out·G/(T·H).
 */
import { visionGrid } from '../arch.ts';
import { weightName, type ClipCheckpoint } from '../checkpoint/types.ts';
import { IMAGE_INPUT, IMAGE_OUTPUT_SHAPES, type GraphIO, type ImageOutputName } from './graphSpec.ts';
import { finishGraph, type BuiltGraph } from './builtGraph.ts';
import { WeightBinder, type GraphPrecision, type WeightPlacer } from './externalData.ts';
import { GraphBuilder, type Dim, type Value } from './graphBuilder.ts';
import { l2Normalize, layerNorm, residualBlock, weightedOp, type BlockDims, type TowerContext } from './layers.ts';
import { layerHeadProjection, lnPostProjection } from './projection.ts';
import { secondOrderEffects } from './secondOrder.ts';
import { OnnxDataType } from './proto.ts';

export interface ImageGraphOptions {
  /** false: plain forward with output `embedding` only */
  decompose: boolean;
  /** layers (0-based, any order) whose full per-cell terms `tokens` are output */
  tokenLayers?: readonly number[];
  /** also output r, e, A_ℓ, F_ℓ in residual space */
  debugResidual?: boolean;
  /** an MLP layer (not the last) whose neurons' second-order effects are output (METHOD §9) */
  neuronLayer?: number;
  /** where weight bytes are found (default: the checkpoint files) */
  placer?: WeightPlacer;
  /** default 'f32' (see GraphPrecision) */
  precision?: GraphPrecision;
}

const BATCH: Dim = 'batch';

export function buildImageGraph(ckpt: ClipCheckpoint, options: ImageGraphOptions): BuiltGraph {
  const v = ckpt.vision;
  const { patches: N, tokens: T } = visionGrid(v);
  const L = v.layers;
  const H = v.heads;
  const D = v.embedDim;
  const w = v.width;
  const tokenLayers = options.decompose ? [...(options.tokenLayers ?? [])] : [];
  for (const l of tokenLayers) {
    if (!Number.isInteger(l) || l < 0 || l >= L) throw new RangeError(`tokenLayers: ${l} is not a layer of a ${L}-layer tower`);
  }
  if (v.headWidth * H !== w) throw new RangeError(`vision arch: ${H} heads × ${v.headWidth} ≠ width ${w}`);

  const g = new GraphBuilder(options.decompose ? 'clipscope_image_decomposed' : 'clipscope_image');
  const weights = new WeightBinder(g, ckpt, { placer: options.placer, precision: options.precision });
  const ctx: TowerContext = { g, weights, tower: 'vision' };
  const dims: BlockDims = { width: w, heads: H, headWidth: v.headWidth, act: v.act, eps: v.layerNormEps };
  const outputs: GraphIO[] = [];
  const emit = (name: ImageOutputName, value: Value, shape: Dim[]) => {
    g.output(name, value, OnnxDataType.FLOAT, shape);
    outputs.push({ name, shape: IMAGE_OUTPUT_SHAPES[name], dtype: 'float32' });
  };

  // --- embedding: patches, class token, positions, ln_pre ---
  const pixels = g.input(IMAGE_INPUT.name, OnnxDataType.FLOAT, [BATCH, 3, v.imageSize, v.imageSize]);
  const patchConv = { kernel_shape: [v.patchSize, v.patchSize], strides: [v.patchSize, v.patchSize] };
  const conv = weightedOp(ctx, pixels, [weightName('vision', 'patch')], (x, [kernel], h) => g.node('Conv', [x, kernel], patchConv, h), 'patch_embed');
  const patchTokens = g.transpose(g.reshape(conv, [-1, w, N]), [0, 2, 1], 'patch_tokens');
  // [B,1,w] class tokens, broadcast over the batch with float ops only (0·first patch + cls):
  // int64 shape arithmetic (Shape/Slice/Concat/Gather on shapes) has no WebGPU kernel and would
  // put nodes on the CPU. The patch tokens of a finite image are finite, so 0·x is exactly 0.
  const firstPatch = g.slice(patchTokens, [0], [1], [1], 'first_patch');
  const cls = g.add(g.mul(firstPatch, g.constFloat(new Float32Array([0]), [])), g.reshape(weights.f32(weightName('vision', 'cls')), [1, 1, w]), 'cls_tokens');
  const embedded = g.add(g.concat([cls, patchTokens], 1), weights.f32(weightName('vision', 'pos')), 'embedded');
  const s0 = layerNorm(ctx, embedded, weightName('vision', 'ln_pre.g'), weightName('vision', 'ln_pre.b'), v.layerNormEps, 'resid_pre_0');

  // --- blocks ---
  const splitShape = g.constInt64([-1, T, H, v.headWidth]);
  const classRow = (x2d: Value, hint: string) => g.slice(g.reshape(x2d, [-1, T, w]), [0], [1], [1], hint); // [B,1,w]
  const proj = options.decompose ? lnPostProjection(ctx, v) : undefined;
  const perLayer = {
    attnOut: [] as Value[], mlpOut: [] as Value[], attention: [] as Value[], cells: [] as Value[],
    headsRaw: [] as Value[], classRaw: [] as Value[], boutProj: [] as Value[],
  };
  const tokenCells = new Map<number, TokenLayerParts>();
  const neuronLayer = options.decompose ? options.neuronLayer : undefined;
  const secondOrder = { streamsIn: [] as Value[], alphaRows: [] as Value[], hidden: undefined as Value | undefined, mlpOut: undefined as Value | undefined };
  let stream = g.reshape(s0, [-1, w]);
  for (let l = 0; l < L; l++) {
    const block = residualBlock(ctx, stream, l, dims, splitShape);
    secondOrder.streamsIn.push(stream);
    if (l === neuronLayer) Object.assign(secondOrder, { hidden: block.hidden, mlpOut: block.mlp });
    stream = block.stream;
    if (!proj) continue;
    const { probs, context, values } = block.attention;
    const hp = layerHeadProjection(ctx, v, l, proj.gammaPi);
    perLayer.attnOut.push(classRow(block.attention.out, `A_${l}`));
    perLayer.mlpOut.push(classRow(block.mlp, `F_${l}`));
    perLayer.boutProj.push(g.unsqueeze(hp.boutProj, [0]));
    const alphaRow = g.slice(probs, [0], [1], [2], `alpha_${l}`); // [B,H,1,T]
    secondOrder.alphaRows.push(alphaRow);
    perLayer.attention.push(g.reshape(alphaRow, [-1, 1, H, T]));
    const cellsHT = g.mul(g.transpose(alphaRow, [0, 1, 3, 2]), values, `cells_${l}`); // [B,H,T,dh]: α_i·v_i
    perLayer.cells.push(g.unsqueeze(g.transpose(cellsHT, [0, 2, 1, 3]), [1])); // [B,1,T,H,dh]
    // Σ_i α_i v_i is the class-token row of the attention context
    const headSum = g.slice(context, [0], [1], [2], `head_sum_${l}`); // [B,H,1,dh]
    perLayer.headsRaw.push(g.reshape(g.matmul(headSum, hp.perHead), [-1, 1, H, D], `heads_raw_${l}`));
    const classCells = g.reshape(g.slice(cellsHT, [0], [1], [2]), [-1, 1, w]); // head-major concat
    perLayer.classRaw.push(g.matmul(classCells, hp.outGammaPi, `class_raw_${l}`)); // [B,1,D]
    if (tokenLayers.includes(l)) tokenCells.set(l, { cellsHT, perHead: hp.perHead, boutProj: hp.boutProj });
  }

  // --- ln_post, projection, normalisation (shared by both graphs) ---
  const r = g.pick(g.reshape(stream, [-1, T, w]), 0, 1, 'resid'); // [B,w]
  const mu = g.reduceMean(r, [-1], true, 'ln_mean'); // [B,1]
  const centred = g.sub(r, mu);
  const variance = g.reduceMean(g.mul(centred, centred), [-1], true);
  const sigma = g.sqrt(g.add(variance, g.scalar(v.layerNormEps)), 'ln_std'); // [B,1]
  const normed = g.div(centred, sigma);
  let u: Value;
  if (proj) {
    u = g.add(g.matmul(normed, proj.gammaPi), proj.betaProj, 'u');
  } else {
    const plainProj = lnPostProjection(ctx, v);
    u = g.add(g.matmul(normed, plainProj.gammaPi), plainProj.betaProj, 'u');
  }
  const { unit, norm } = l2Normalize(g, u);
  emit('embedding', unit, [BATCH, D]);
  if (!proj) return finishGraph(g, weights, 'image', [IMAGE_INPUT], outputs);

  // --- decomposition (METHOD 2.2–2.4 via 2.6) ---
  const k0 = 1 / (2 * L + 1);
  const c = g.div(g.scalar(1), g.mul(sigma, norm), 'inv_sigma_norm'); // [B,1]
  const o = g.sub(g.mul(sigma, proj.betaProj), g.mul(mu, proj.gammaProj), 'offset'); // [B,D]
  const cAt = (rank: number) => g.reshape(c, [-1, ...Array(rank - 1).fill(1)]);
  const oAt = (rank: number) => g.reshape(o, [-1, ...Array(rank - 2).fill(1), D]);
  const scaled = (x: Value, k: number) => g.mul(x, g.scalar(k));

  const e = g.pick(s0, 0, 1, 'embed_resid'); // [B,w]
  emit('embed_term', g.mul(c, g.add(g.matmul(e, proj.gammaPi), scaled(o, k0))), [BATCH, D]);

  const fStack = g.concat(perLayer.mlpOut, 1, 'mlp_out'); // [B,L,w]
  emit('mlp', g.mul(cAt(3), g.add(g.matmul(fStack, proj.gammaPi), scaled(oAt(3), k0))), [BATCH, L, D]);

  const boutAll = g.concat(perLayer.boutProj, 0, 'bout_all'); // [L,D]
  const headsRaw = g.concat(perLayer.headsRaw, 1); // [B,L,H,D]
  const headBias = g.add(scaled(g.reshape(boutAll, [L, 1, D]), 1 / H), scaled(oAt(4), k0 / H)); // [B,L,1,D]
  emit('heads', g.mul(cAt(4), g.add(headsRaw, headBias)), [BATCH, L, H, D]);

  const classRaw = g.concat(perLayer.classRaw, 1); // [B,L,D]
  const classBias = g.add(scaled(boutAll, 1 / T), scaled(oAt(3), k0 / T));
  emit('class_class', g.mul(cAt(3), g.add(classRaw, classBias)), [BATCH, L, D]);

  emit('attention', g.concat(perLayer.attention, 1), [BATCH, L, H, T]);
  emit('ln_mean', g.reshape(mu, [-1]), [BATCH]);
  emit('ln_std', g.reshape(sigma, [-1]), [BATCH]);
  emit('norm', g.reshape(norm, [-1]), [BATCH]);
  emit('cells', g.concat(perLayer.cells, 1), [BATCH, L, T, H, v.headWidth]);

  if (tokenLayers.length > 0) {
    const parts = tokenLayers.map((l) => tokenCells.get(l) as TokenLayerParts);
    emit('tokens', cellTerms(g, parts, { c, mu, sigma, k0, cellShare: 1 / (T * H), betaProj: proj.betaProj, gammaProj: proj.gammaProj }), [BATCH, tokenLayers.length, T, H, D]);
  }

  if (neuronLayer !== undefined) {
    const effects = secondOrderEffects(ctx, v, {
      layer: neuronLayer,
      streamsIn: secondOrder.streamsIn,
      alphaRows: secondOrder.alphaRows,
      hidden: secondOrder.hidden as Value,
      mlpOut: secondOrder.mlpOut as Value,
      gammaPi: proj.gammaPi,
      gammaProj: proj.gammaProj,
      scale: c,
    });
    emit('neuron_effects', effects.neuronEffects, [BATCH, v.mlpWidth, D]);
    emit('neuron_bias_effect', effects.biasEffect, [BATCH, D]);
    emit('mlp_second_order', effects.mlpEffect, [BATCH, D]);
    emit('neuron_post', effects.post, [BATCH, T, v.mlpWidth]);
    emit('neuron_token_weights', effects.tokenWeights, [BATCH, L - neuronLayer - 1, H, T]);
  }

  if (options.debugResidual) {
    emit('resid', r, [BATCH, w]);
    emit('embed_resid', e, [BATCH, w]);
    emit('attn_out', g.concat(perLayer.attnOut, 1), [BATCH, L, w]);
    emit('mlp_out', fStack, [BATCH, L, w]);
  }
  return finishGraph(g, weights, 'image', [IMAGE_INPUT], outputs);
}

interface TokenLayerParts {
  /** α_i·v_i per head [B,H,T,dh] */
  readonly cellsHT: Value;
  /** M_{ℓ,h} [H,dh,D] */
  readonly perHead: Value;
  /** (γ⊙b_out,ℓ)·Π [D] */
  readonly boutProj: Value;
}

interface CellScale {
  /** 1/(σ*‖u‖) [B,1] */
  readonly c: Value;
  /** μ*, σ* of ln_post [B,1] */
  readonly mu: Value;
  readonly sigma: Value;
  readonly k0: number;
  /** 1/(T·H) */
  readonly cellShare: number;
  readonly betaProj: Value;
  readonly gammaProj: Value;
}

/**
 * c_{ℓ,h,i} = c·(α_i v_i·M_{ℓ,h} + s·b_outΠ_ℓ + s·κ₀·(σ*·βΠ − μ*·γΠ)), s = 1/(T·H), for the
 * chosen layers [B,K,T,H,D], as ONE MatMul and ONE Transpose over the large result: the bias
 * is a linear combination of three per-model vectors with per-image coefficients, so each cell
 * row is extended by those coefficients, [c·α_i v_i, c·s, c·s·κ₀·σ*, −c·s·κ₀·μ*], and each
 * M_{ℓ,h} by the rows [b_outΠ_ℓ; βΠ; γΠ] (constant, folded at session creation). Elementwise
 * passes over the [K,T,H,D] result (broadcast Add, Mul, Concat) cost as much as the MatMul
 * itself (profiled); here only the layout change remains.
 */
function cellTerms(g: GraphBuilder, parts: readonly TokenLayerParts[], k: CellScale): Value {
  const K = parts.length;
  const cs = g.mul(k.c, g.scalar(k.cellShare)); // [B,1]
  const coef = g.concat([cs, g.mul(g.mul(cs, k.sigma), g.scalar(k.k0)), g.mul(g.mul(cs, k.mu), g.scalar(-k.k0))], 1, 'cell_bias_coef'); // [B,3]
  const c4 = g.reshape(k.c, [-1, 1, 1, 1]);
  const coef4 = g.reshape(coef, [-1, 1, 1, 3]);
  const shared = [g.reshape(k.betaProj, [1, 1, -1]), g.reshape(k.gammaProj, [1, 1, -1])];
  const rows: Value[] = [];
  const mats: Value[] = [];
  for (const p of parts) {
    // [B,H,T,3] of the coefficients: 0·(a cell column) + coef keeps to float ops (no int64 Expand shapes)
    const zeros = g.mul(g.slice(p.cellsHT, [0], [3], [3]), g.scalar(0));
    rows.push(g.unsqueeze(g.concat([g.mul(p.cellsHT, c4), g.add(zeros, coef4)], 3), [1])); // [B,1,H,T,dh+3]
    const biasRows = g.concat([g.reshape(p.boutProj, [1, 1, -1]), ...shared], 1); // [1,3,D]
    const H = g.mul(g.slice(p.perHead, [0], [3], [1]), g.scalar(0)); // [H,3,D] zeros (folded)
    mats.push(g.unsqueeze(g.concat([p.perHead, g.add(H, biasRows)], 1), [0])); // [1,H,dh+3,D]
  }
  const x = K === 1 ? rows[0] : g.concat(rows, 1); // [B,K,H,T,dh+3]
  const m = K === 1 ? mats[0] : g.concat(mats, 0); // [K,H,dh+3,D]
  return g.transpose(g.matmul(x, m, 'cell_terms'), [0, 1, 3, 2, 4], 'tokens'); // [B,K,T,H,D]
}
