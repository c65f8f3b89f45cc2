/**
 * The per-image projected token matrix of the all-heads prompt map (METHOD §2.6, scalar path):
 *
 *   P[i] = Σ_{ℓ,h} M_{ℓ,h}ᵀ · (α_i v_i)_{ℓ,h}     [T, D]
 *
 * so that ⟨P[i], t⟩ = Σ_{ℓ,h} ⟨α_i v_i, M_{ℓ,h} t⟩, the text-dependent part of the all-heads map
 * at token i: a prompt then costs one [T, D]·t product per image instead of a pass over the
 * [L, T, H, E] cells. One batched MatMul and a sum over layers, on the same runtime as the other
 * graphs (in JavaScript the L·T·H·E·D multiply-adds take about a second per ViT-B/16 image).
 * Inputs: `cells` [L, T, H, E] (an image's decomposition output) and `head_proj` [L, H, E, D]
 * (the head-projection graph's output); no weights.
 */
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import type { GraphIO } from './graphSpec.ts';
import { finishGraph, type BuiltGraph } from './builtGraph.ts';
import { WeightBinder } from './externalData.ts';
import { GraphBuilder } from './graphBuilder.ts';
import { OnnxDataType } from './proto.ts';

export const TOKEN_PROJECTION_OUTPUT = 'projected_tokens';

export function buildTokenProjectionGraph(ckpt: ClipCheckpoint, tokens: number): BuiltGraph {
  const v = ckpt.vision;
  const [L, T, H, E, D] = [v.layers, tokens, v.heads, v.headWidth, v.embedDim];
  const g = new GraphBuilder('clipscope_token_projection');
  const weights = new WeightBinder(g, ckpt);
  const cells = g.input('cells', OnnxDataType.FLOAT, [L, T, H, E]);
  const headProj = g.input('head_proj', OnnxDataType.FLOAT, [L, H, E, D]);
  // [L, T, H·E] · [L, H·E, D] -> [L, T, D], summed over the layers
  const perLayer = g.matmul(g.reshape(cells, [L, T, H * E]), g.reshape(headProj, [L, H * E, D]), 'per_layer');
  g.output(TOKEN_PROJECTION_OUTPUT, g.reduceSum(perLayer, [0], false, 'projected'), OnnxDataType.FLOAT, [T, D]);
  const inputs: GraphIO[] = [
    { name: 'cells', shape: 'L T H E', dtype: 'float32' },
    { name: 'head_proj', shape: 'L H E D', dtype: 'float32' },
  ];
  return finishGraph(g, weights, 'token-projection', inputs, [{ name: TOKEN_PROJECTION_OUTPUT, shape: 'T D', dtype: 'float32' }]);
}
