/**
 * Tiny float64 graphs for TEXTSPAN's matrix products on onnxruntime (src/math/kernelSteps.ts):
 * `a·bᵀ`, the centred Gram matrix of a float32 or float64 matrix, and a block of Householder
 * reflectors applied to rows. Symbolic dims (but the Gram's d), so one session serves every shape.
 */
import { GraphBuilder } from './graphBuilder.ts';
import { OnnxDataType } from './proto.ts';

export const LINALG_IO = {
  a: 'a',
  b: 'b',
  c: 'c',
  mean: 'mean',
  out: 'out',
  top: 'top',
  bottom: 'bottom',
  rows: 'rows',
  v: 'v',
  t: 't',
} as const;

/** out[n×m] = a[n×k] · b[m×k]ᵀ, all float64 */
export function buildMatmulTransBGraph(): Uint8Array {
  const g = new GraphBuilder('matmul_trans_b');
  const a = g.input(LINALG_IO.a, OnnxDataType.DOUBLE, ['n', 'k']);
  const b = g.input(LINALG_IO.b, OnnxDataType.DOUBLE, ['m', 'k']);
  g.output(LINALG_IO.out, g.matmul(a, g.transpose(b, [1, 0])), OnnxDataType.DOUBLE, ['n', 'm']);
  return g.toModel();
}

/**
 * The centred Gram matrix G = xᵀx of x = double(c) − mean, c [rows×d] float32 or float64, without
 * its lower-left block (G is symmetric): `top` = rows 0..h−1 of G [h×d] and `bottom` = G[h.., h..]
 * [(d−h)×(d−h)], h = ⌈d/2⌉, three quarters of the full product's work. Built for one d.
 */
export function buildCentredGramGraph(input: 'float32' | 'float64', d: number): Uint8Array {
  const h = Math.ceil(d / 2);
  const g = new GraphBuilder(`centred_gram_${input}_${d}`);
  const c = g.input(LINALG_IO.c, input === 'float32' ? OnnxDataType.FLOAT : OnnxDataType.DOUBLE, ['rows', d]);
  const mean = g.input(LINALG_IO.mean, OnnxDataType.DOUBLE, [d]);
  const x = g.sub(input === 'float32' ? g.cast(c, OnnxDataType.DOUBLE) : c, mean);
  const xT = g.transpose(x, [1, 0]);
  g.output(LINALG_IO.top, g.matmul(g.slice(xT, [0], [h], [0]), x), OnnxDataType.DOUBLE, [h, d]);
  g.output(LINALG_IO.bottom, g.matmul(g.slice(xT, [h], [d], [0]), g.slice(x, [h], [d], [1])), OnnxDataType.DOUBLE, [d - h, d - h]);
  return g.toModel();
}

/**
 * out[c×n] = rows − ((rows·vᵀ)·tᵀ)·v, all float64: a block of b Householder reflectors v [b×n] in
 * compact WY form (t [b×b]) applied to each row of rows [c×n], in one run.
 */
export function buildBlockReflectorGraph(): Uint8Array {
  const g = new GraphBuilder('block_reflector');
  const rows = g.input(LINALG_IO.rows, OnnxDataType.DOUBLE, ['c', 'n']);
  const v = g.input(LINALG_IO.v, OnnxDataType.DOUBLE, ['b', 'n']);
  const t = g.input(LINALG_IO.t, OnnxDataType.DOUBLE, ['b', 'b']);
  const w = g.matmul(g.matmul(rows, g.transpose(v, [1, 0])), g.transpose(t, [1, 0]));
  g.output(LINALG_IO.out, g.sub(rows, g.matmul(w, v)), OnnxDataType.DOUBLE, ['c', 'n']);
  return g.toModel();
}
