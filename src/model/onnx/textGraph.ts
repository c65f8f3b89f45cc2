/**
 * The text tower as an ONNX graph (METHOD 1.4): token + position embedding, causal pre-LN
 * blocks, ln_final at the end-of-text position, projection, L2 normalisation.
 * The input may be shorter than the context (n ≤ ctx): under the causal mask the rows up to the
 * end token do not depend on later tokens, so truncating after the longest end token is exact.
 */
import { weightName, type ClipCheckpoint } from '../checkpoint/types.ts';
import { CheckpointError } from '../checkpoint/errors.ts';
import { TEXT_INPUTS, TEXT_OUTPUT_SHAPES } from './graphSpec.ts';
import { finishGraph, type BuiltGraph } from './builtGraph.ts';
import { WeightBinder, type WeightPlacer } from './externalData.ts';
import { GraphBuilder } from './graphBuilder.ts';
import { l2Normalize, layerNorm, linear, residualBlock, type BlockDims, type TowerContext } from './layers.ts';
import { OnnxDataType } from './proto.ts';

export interface TextGraphOptions {
  placer?: WeightPlacer;
}

/** large negative instead of −∞: exp underflows to exactly 0 without any inf − inf risk */
const MASKED = -1e9;

export function buildTextGraph(ckpt: ClipCheckpoint, options: TextGraphOptions = {}): BuiltGraph {
  const t = ckpt.text;
  if (!t) throw new CheckpointError('missing-tensor', 'this checkpoint has no text tower');
  const w = t.width;
  const ctxLen = t.contextLength;
  const g = new GraphBuilder('clipscope_text');
  const weights = new WeightBinder(g, ckpt, { placer: options.placer });
  const ctx: TowerContext = { g, weights, tower: 'text' };
  const dims: BlockDims = { width: w, heads: t.heads, headWidth: t.headWidth, act: t.act, eps: t.layerNormEps };

  const ids = g.input(TEXT_INPUTS[0].name, OnnxDataType.INT64, ['batch', 'tokens']);
  const eot = g.input(TEXT_INPUTS[1].name, OnnxDataType.INT64, ['batch']);
  // Shapes come from Shape nodes (with start/end) and Reshape's copy-dim 0, never from int64
  // Slice/Concat/Expand arithmetic: the WebGPU EP runs no int64 math, which would put those
  // nodes on the CPU.
  const zero = g.constInt64([0]);
  const tokens = g.node('Gather', [weights.f32(weightName('text', 'tok')), ids], { axis: 0 }, 'tok_embed'); // [B,n,w]
  const n = g.node('Shape', [tokens], { start: 1, end: 2 }, 'n'); // [1] (Shape of a float tensor: WebGPU has no int64 Shape)
  const positions = g.node('Slice', [weights.f32(weightName('text', 'pos')), zero, n, zero], {}, 'pos_n'); // [n,w]
  const x = g.add(tokens, positions, 'embedded');

  // causal mask: the [ctx, ctx] upper triangle (inline, small) cut to [n, n]
  const triangle = new Float32Array(ctxLen * ctxLen);
  for (let i = 0; i < ctxLen; i++) for (let j = i + 1; j < ctxLen; j++) triangle[i * ctxLen + j] = MASKED;
    const rows = g.node('Slice', [g.constFloat(triangle, [ctxLen, ctxLen]), zero, n, zero], {}, 'causal_rows'); // [n, ctx]
  const mask = g.node('Slice', [rows, zero, n, g.constInt64([1])], {}, 'causal_mask'); // [n, n]

  const splitShape = g.node('Shape', [g.reshape(tokens, [0, 0, t.heads, t.headWidth])], {}, 'split_shape'); // [B,n,H,dh]
  let stream = g.reshape(x, [-1, w]);
  for (let l = 0; l < t.layers; l++) stream = residualBlock(ctx, stream, l, dims, splitShape, mask).stream;

  // pick each sequence's end-token row, then ln_final (per token, so order does not matter)
  // eot_row[b] = b·n + (position of b's end token): one Gather on the flattened [B·n, w] stream
  const pooled = g.node('Gather', [stream, eot], { axis: 0 }, 'pooled'); // [B, w]
  const normed = layerNorm(ctx, pooled, weightName('text', 'ln_final.g'), weightName('text', 'ln_final.b'), t.layerNormEps, 'ln_final');
  const projected = linear(ctx, normed, weightName('text', 'proj'), undefined, 'text_proj');
  const { unit, norm } = l2Normalize(g, projected);
  g.output('text_embedding', unit, OnnxDataType.FLOAT, ['batch', t.embedDim]);
  g.output('text_norm', g.reshape(norm, [-1]), OnnxDataType.FLOAT, ['batch']);
  return finishGraph(g, weights, 'text', TEXT_INPUTS, [
    { name: 'text_embedding', shape: TEXT_OUTPUT_SHAPES.text_embedding, dtype: 'float32' },
    { name: 'text_norm', shape: TEXT_OUTPUT_SHAPES.text_norm, dtype: 'float32' },
  ]);
}
