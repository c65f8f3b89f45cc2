/**
 * The per-model constants of METHOD §9's fast form for one MLP layer ℓ, as a graph without inputs
 * (run once per model and layer): `neuron_q` [K,H,M,dh] and `neuron_out` [K,H,dh,D] for the K later
 * layers. With the per-image `neuron_post` p and `neuron_token_weights` w of the image graph,
 *   φ_n = Σ_{ℓ',h} (Σ_i w_{ℓ',h,i} p_{i,n}) · neuron_q[ℓ',h,n] · neuron_out[ℓ',h]
 * and token i's summand of φ_n is the same with only its own term, which is what a neuron's token
 * map scores.
 */
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import { NEURON_PROJECTION_OUTPUT_SHAPES, type GraphIO } from './graphSpec.ts';
import { finishGraph, type BuiltGraph } from './builtGraph.ts';
import { WeightBinder, type WeightPlacer } from './externalData.ts';
import { GraphBuilder } from './graphBuilder.ts';
import type { TowerContext } from './layers.ts';
import { lnPostProjection } from './projection.ts';
import { OnnxDataType } from './proto.ts';
import { secondOrderConstants } from './secondOrder.ts';

export function buildNeuronProjectionGraph(ckpt: ClipCheckpoint, layer: number, options: { placer?: WeightPlacer } = {}): BuiltGraph {
  const v = ckpt.vision;
  if (!Number.isInteger(layer) || layer < 0 || layer >= v.layers - 1) {
    throw new RangeError(`neuron projections: layer ${layer} has no later layer in a ${v.layers}-layer tower (METHOD §9)`);
  }
  const g = new GraphBuilder('clipscope_neuron_projection');
  const weights = new WeightBinder(g, ckpt, { placer: options.placer });
  const ctx: TowerContext = { g, weights, tower: 'vision' };
  const proj = lnPostProjection(ctx, v);
  const qs: string[] = [];
  const outs: string[] = [];
  for (let later = layer + 1; later < v.layers; later++) {
    const c = secondOrderConstants(ctx, v, layer, later, proj.gammaPi, proj.gammaProj);
    qs.push(g.unsqueeze(c.q, [0]));
    outs.push(g.unsqueeze(c.mTildeHeads, [0]));
  }
  const K = v.layers - layer - 1;
  const outputs: GraphIO[] = [];
  const emit = (name: keyof typeof NEURON_PROJECTION_OUTPUT_SHAPES, value: string, dims: number[]) => {
    g.output(name, value, OnnxDataType.FLOAT, dims);
    outputs.push({ name, shape: NEURON_PROJECTION_OUTPUT_SHAPES[name], dtype: 'float32' });
  };
  emit('neuron_q', g.concat(qs, 0), [K, v.heads, v.mlpWidth, v.headWidth]);
  emit('neuron_out', g.concat(outs, 0), [K, v.heads, v.headWidth, v.embedDim]);
  return finishGraph(g, weights, 'neuron-projection', [], outputs);
}
