/**
 * The per-model matrices of METHOD 2.6 for the scalar scoring path, as a graph without inputs:
 * run once per model. Outputs `head_proj` [L,H,dh,D], `gamma_proj` [D], `beta_proj` [D],
 * `bout_proj` [L,D].
 */
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import { HEAD_PROJECTION_OUTPUT_SHAPES, type GraphIO } from './graphSpec.ts';
import { finishGraph, type BuiltGraph } from './builtGraph.ts';
import { WeightBinder, type GraphPrecision, type WeightPlacer } from './externalData.ts';
import { GraphBuilder } from './graphBuilder.ts';
import type { TowerContext } from './layers.ts';
import { layerHeadProjection, lnPostProjection } from './projection.ts';
import { OnnxDataType } from './proto.ts';

export function buildHeadProjectionGraph(ckpt: ClipCheckpoint, options: { placer?: WeightPlacer; precision?: GraphPrecision } = {}): BuiltGraph {
  const v = ckpt.vision;
  const g = new GraphBuilder('clipscope_head_projection');
  const weights = new WeightBinder(g, ckpt, { placer: options.placer, precision: options.precision });
  const ctx: TowerContext = { g, weights, tower: 'vision' };
  const proj = lnPostProjection(ctx, v);
  const perHead: string[] = [];
  const bout: string[] = [];
  for (let l = 0; l < v.layers; l++) {
    const hp = layerHeadProjection(ctx, v, l, proj.gammaPi);
    perHead.push(g.unsqueeze(hp.perHead, [0]));
    bout.push(g.unsqueeze(hp.boutProj, [0]));
  }
  const outputs: GraphIO[] = [];
  const emit = (name: keyof typeof HEAD_PROJECTION_OUTPUT_SHAPES, value: string, dims: number[]) => {
    g.output(name, value, OnnxDataType.FLOAT, dims);
    outputs.push({ name, shape: HEAD_PROJECTION_OUTPUT_SHAPES[name], dtype: 'float32' });
  };
  emit('head_proj', g.concat(perHead, 0), [v.layers, v.heads, v.headWidth, v.embedDim]);
  emit('gamma_proj', proj.gammaProj, [v.embedDim]);
  emit('beta_proj', proj.betaProj, [v.embedDim]);
  emit('bout_proj', g.concat(bout, 0), [v.layers, v.embedDim]);
  return finishGraph(g, weights, 'head-projection', [], outputs);
}
