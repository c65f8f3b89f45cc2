/**
 * Tiny float64 graphs for TEXTSPAN's matrix products on onnxruntime (src/math/kernelSteps.ts):
 * `a·bᵀ`, and the centred Gram matrix of a float32 or float64 matrix. Symbolic dims, so one
 * session serves every shape.
 */
import { GraphBuilder } from './graphBuilder.ts';
import { OnnxDataType } from './proto.ts';

export const LINALG_IO = {
  a: 'a',
  b: 'b',
  c: 'c',
  mean: 'mean',
  out: 'out',
} as const;

/** out[n×m] = a[n×k] · b[m×k]ᵀ, all float64 */
export function buildMatmulTransBGraph(): Uint8Array {
  const g = new GraphBuilder('matmul_trans_b');
  const a = g.input(LINALG_IO.a, OnnxDataType.DOUBLE, ['n', 'k']);
  const b = g.input(LINALG_IO.b, OnnxDataType.DOUBLE, ['m', 'k']);
  g.output(LINALG_IO.out, g.matmul(a, g.transpose(b, [1, 0])), OnnxDataType.DOUBLE, ['n', 'm']);
  return g.toModel();
}

/** out[d×d] = xᵀx with x = double(c) − mean, c [rows×d] float32 or float64 */
export function buildCentredGramGraph(input: 'float32' | 'float64'): Uint8Array {
  const g = new GraphBuilder(`centred_gram_${input}`);
  const c = g.input(LINALG_IO.c, input === 'float32' ? OnnxDataType.FLOAT : OnnxDataType.DOUBLE, ['rows', 'd']);
  const mean = g.input(LINALG_IO.mean, OnnxDataType.DOUBLE, ['d']);
  const x = g.sub(input === 'float32' ? g.cast(c, OnnxDataType.DOUBLE) : c, mean);
  g.output(LINALG_IO.out, g.matmul(g.transpose(x, [1, 0]), x), OnnxDataType.DOUBLE, ['d', 'd']);
  return g.toModel();
}
