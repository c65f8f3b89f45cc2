/**
 * Test-only: a second, deliberately different formulation of the CLIP forward pass, used to
 * check the oracle without its decomposition. Whole-matrix algebra on number[][] straight from
 * the OpenCLIP-named raw tensors (im2col patch embedding, per-head Q/K/V matrices, LayerNorm
 * via E[x²] − μ²), sharing nothing with towers.ts, block.ts or kernels.ts.
 */
import { erf } from './erf.ts';
import type { RawCheckpoint } from './rawCheckpoint.ts';

type Matrix = number[][];

function get(raw: RawCheckpoint, name: string): { shape: number[]; values: number[] } {
  const t = raw.tensors.get(name);
  if (!t) throw new Error(`brute force: no tensor ${name}`);
  return { shape: t.shape, values: Array.from(t.data) };
}

function matrix(raw: RawCheckpoint, name: string): Matrix {
  const { shape, values } = get(raw, name);
  const [rows, cols] = shape;
  return Array.from({ length: rows }, (_, i) => values.slice(i * cols, (i + 1) * cols));
}

const vector = (raw: RawCheckpoint, name: string): number[] => get(raw, name).values;
const transpose = (a: Matrix): Matrix => a[0].map((_, j) => a.map((row) => row[j]));
const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
const addRow = (a: Matrix, v: number[]): Matrix => a.map((row) => row.map((x, j) => x + v[j]));
const add = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((x, j) => x + b[i][j]));
const columns = (a: Matrix, from: number, to: number): Matrix => a.map((row) => row.slice(from, to));
const rowsOf = (a: Matrix, from: number, to: number): Matrix => a.slice(from, to);

function layerNorm(a: Matrix, gamma: number[], beta: number[], eps: number): Matrix {
  return a.map((row) => {
    const mean = row.reduce((s, x) => s + x, 0) / row.length;
    const meanSquare = row.reduce((s, x) => s + x * x, 0) / row.length;
    const sd = Math.sqrt(meanSquare - mean * mean + eps);
    return row.map((x, j) => (gamma[j] * (x - mean)) / sd + beta[j]);
  });
}

function softmaxRows(a: Matrix): Matrix {
  return a.map((row) => {
    const exps = row.map((x) => (x === -Infinity ? 0 : Math.exp(x)));
    const sum = exps.reduce((s, x) => s + x, 0);
    return exps.map((x) => x / sum);
  });
}

export interface BruteForceConfig {
  heads: number;
  act: 'gelu' | 'quick_gelu';
  eps: number;
}

function residualBlock(raw: RawCheckpoint, prefix: string, x: Matrix, cfg: BruteForceConfig, causal: boolean): Matrix {
  const w = x[0].length;
  const dh = w / cfg.heads;
  const inProj = matrix(raw, `${prefix}.attn.in_proj_weight`);
  const inBias = vector(raw, `${prefix}.attn.in_proj_bias`);
  const a = layerNorm(x, vector(raw, `${prefix}.ln_1.weight`), vector(raw, `${prefix}.ln_1.bias`), cfg.eps);
  const project = (part: number) => addRow(matmul(a, transpose(rowsOf(inProj, part * w, (part + 1) * w))), inBias.slice(part * w, (part + 1) * w));
  const [Q, K, V] = [project(0), project(1), project(2)];
  const headOutputs: Matrix[] = [];
  for (let h = 0; h < cfg.heads; h++) {
    const [q, k, v] = [Q, K, V].map((m) => columns(m, h * dh, (h + 1) * dh));
    const scores = matmul(q, transpose(k)).map((row, i) => row.map((s, j) => (causal && j > i ? -Infinity : s / Math.sqrt(dh))));
    headOutputs.push(matmul(softmaxRows(scores), v));
  }
  const concat = x.map((_, i) => headOutputs.flatMap((o) => o[i]));
  const attn = addRow(matmul(concat, transpose(matrix(raw, `${prefix}.attn.out_proj.weight`))), vector(raw, `${prefix}.attn.out_proj.bias`));
  const mid = add(x, attn);
  const act = cfg.act === 'gelu' ? (z: number) => 0.5 * z * (1 + erf(z / Math.SQRT2)) : (z: number) => z / (1 + Math.exp(-1.702 * z));
  const ln2 = layerNorm(mid, vector(raw, `${prefix}.ln_2.weight`), vector(raw, `${prefix}.ln_2.bias`), cfg.eps);
  const hidden = addRow(matmul(ln2, transpose(matrix(raw, `${prefix}.mlp.c_fc.weight`))), vector(raw, `${prefix}.mlp.c_fc.bias`)).map((r) => r.map(act));
  const mlp = addRow(matmul(hidden, transpose(matrix(raw, `${prefix}.mlp.c_proj.weight`))), vector(raw, `${prefix}.mlp.c_proj.bias`));
  return add(mid, mlp);
}

function countBlocks(raw: RawCheckpoint, prefix: string): number {
  let n = 0;
  while (raw.tensors.has(`${prefix}.${n}.ln_1.weight`)) n++;
  return n;
}

/** u = LN_post(r)·Π (not normalised) for an OpenCLIP-layout checkpoint. */
export function bruteForceImageEmbedding(raw: RawCheckpoint, pixels: ArrayLike<number>, cfg: BruteForceConfig): number[] {
  const conv = get(raw, 'visual.conv1.weight');
  const [w, , p] = conv.shape;
  const kernel = Array.from({ length: w }, (_, o) => conv.values.slice(o * 3 * p * p, (o + 1) * 3 * p * p)); // [w, 3·p·p]
  const S = Math.round(Math.sqrt(pixels.length / 3));
  const G = S / p;
  const patches: Matrix = []; // im2col, [N, 3·p·p] in (c, ky, kx) order
  for (let gy = 0; gy < G; gy++) {
    for (let gx = 0; gx < G; gx++) {
      const column: number[] = [];
      for (let c = 0; c < 3; c++) for (let ky = 0; ky < p; ky++) for (let kx = 0; kx < p; kx++) column.push(pixels[c * S * S + (gy * p + ky) * S + gx * p + kx]);
      patches.push(column);
    }
  }
  let x = add([vector(raw, 'visual.class_embedding'), ...matmul(patches, transpose(kernel))], matrix(raw, 'visual.positional_embedding'));
  x = layerNorm(x, vector(raw, 'visual.ln_pre.weight'), vector(raw, 'visual.ln_pre.bias'), cfg.eps);
  const L = countBlocks(raw, 'visual.transformer.resblocks');
  for (let l = 0; l < L; l++) x = residualBlock(raw, `visual.transformer.resblocks.${l}`, x, cfg, false);
  const pooled = layerNorm([x[0]], vector(raw, 'visual.ln_post.weight'), vector(raw, 'visual.ln_post.bias'), cfg.eps);
  return matmul(pooled, matrix(raw, 'visual.proj'))[0];
}

/** Unit text embedding for an OpenCLIP-layout checkpoint, pooled at the first `endTokenId`. */
export function bruteForceTextEmbedding(raw: RawCheckpoint, ids: readonly number[], endTokenId: number, cfg: BruteForceConfig): number[] {
  const tokenEmbedding = matrix(raw, 'token_embedding.weight');
  let x = add(ids.map((id) => tokenEmbedding[id]), matrix(raw, 'positional_embedding'));
  const L = countBlocks(raw, 'transformer.resblocks');
  for (let l = 0; l < L; l++) x = residualBlock(raw, `transformer.resblocks.${l}`, x, cfg, true);
  x = layerNorm(x, vector(raw, 'ln_final.weight'), vector(raw, 'ln_final.bias'), cfg.eps);
  const embedding = matmul([x[ids.indexOf(endTokenId)]], matrix(raw, 'text_projection'))[0];
  const norm = Math.hypot(...embedding);
  return embedding.map((v) => v / norm);
}
