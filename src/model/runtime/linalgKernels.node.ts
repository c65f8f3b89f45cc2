/**
 * `LinalgKernels` (src/math/kernelSteps.ts) on onnxruntime-node: TEXTSPAN's matrix products in
 * float64 through MLAS's double-precision GEMM, an order of magnitude faster than the JavaScript
 * loops with the same numbers up to rounding. Node only; the browser keeps the JavaScript kernels.
 */
import * as ort from 'onnxruntime-node';
import { jsKernel, type LinalgKernels } from '../../math/kernelSteps.ts';
import type { FloatArray } from '../../math/linalg.ts';
import { buildBlockReflectorGraph, buildCentredGramGraph, buildMatmulTransBGraph, LINALG_IO } from '../onnx/linalgGraph.ts';

export interface OrtLinalgKernels extends LinalgKernels {
  release(): Promise<void>;
}

export interface OrtLinalgKernelsOptions {
  /** threads for one product (default 1: TEXTSPAN runs heads on several worker threads instead) */
  intraOpNumThreads?: number;
}

/** Rows of c per Gram product: bounds onnxruntime's float64 copies of a tall matrix (K = 50,000). */
const GRAM_CHUNK_ROWS = 8192;

function addInto(acc: Float64Array, part: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += part[i];
}

/** G [d×d] from its rows 0..h−1 (`top`) and its block G[h.., h..] (`bottom`), by symmetry */
function assembleSymmetric(top: Float64Array, bottom: Float64Array, d: number, h: number): Float64Array {
  const g = new Float64Array(d * d);
  g.set(top);
  for (let i = h; i < d; i++) {
    for (let j = 0; j < h; j++) g[i * d + j] = top[j * d + i];
    g.set(bottom.subarray((i - h) * (d - h), (i - h + 1) * (d - h)), i * d + h);
  }
  return g;
}

export async function createOrtLinalgKernels(options: OrtLinalgKernelsOptions = {}): Promise<OrtLinalgKernels> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const session = (name: string, build: () => Uint8Array) => {
    let s = sessions.get(name);
    if (!s) {
      s = ort.InferenceSession.create(build(), sessionOptions);
      sessions.set(name, s);
    }
    return s;
  };
  // float32 operands (e.g. the text pool, the same for every head) are widened once
  const widened = new WeakMap<Float32Array, Float64Array>();
  const f64 = (x: FloatArray, length: number): Float64Array => {
    if (x instanceof Float64Array) return x.length === length ? x : x.subarray(0, length);
    let w = widened.get(x);
    if (!w) {
      w = Float64Array.from(x);
      widened.set(x, w);
    }
    return w.length === length ? w : w.subarray(0, length);
  };
  const run = async (s: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Float64Array> => {
    const out = (await s.run(feeds))[LINALG_IO.out];
    return out.data as Float64Array;
  };

  return {
    async matmulTransB(a, b, n, m, k) {
      if (n === 0 || m === 0) return new Float64Array(n * m);
      if (k === 0) return new Float64Array(n * m);
      const s = await session('matmulTransB', buildMatmulTransBGraph);
      return run(s, {
        [LINALG_IO.a]: new ort.Tensor('float64', f64(a, n * k), [n, k]),
        [LINALG_IO.b]: new ort.Tensor('float64', f64(b, m * k), [m, k]),
      });
    },
    async centredGram(c, mean, rows, d) {
      if (d < 2) return jsKernel({ op: 'centredGram', c, mean, rows, d });
      const kind = c instanceof Float64Array ? 'float64' : 'float32';
      const s = await session(`gram-${kind}-${d}`, () => buildCentredGramGraph(kind, d));
      const meanT = new ort.Tensor('float64', mean, [d]);
      const h = Math.ceil(d / 2);
      const top = new Float64Array(h * d);
      const bottom = new Float64Array((d - h) * (d - h));
      for (let start = 0; start < rows; start += GRAM_CHUNK_ROWS) {
        const count = Math.min(GRAM_CHUNK_ROWS, rows - start);
        const part = c.subarray(start * d, (start + count) * d);
        const out = await s.run({ [LINALG_IO.c]: new ort.Tensor(kind, part, [count, d]), [LINALG_IO.mean]: meanT });
        addInto(top, out[LINALG_IO.top].data as Float64Array);
        addInto(bottom, out[LINALG_IO.bottom].data as Float64Array);
      }
      return assembleSymmetric(top, bottom, d, h);
    },
    async blockReflector(rows, v, t, count, n, b) {
      if (count === 0 || n === 0 || b === 0) return jsKernel({ op: 'blockReflector', rows, v, t, count, n, b });
      const s = await session('blockReflector', buildBlockReflectorGraph);
      return run(s, {
        [LINALG_IO.rows]: new ort.Tensor('float64', f64(rows, count * n), [count, n]),
        [LINALG_IO.v]: new ort.Tensor('float64', f64(v, b * n), [b, n]),
        [LINALG_IO.t]: new ort.Tensor('float64', f64(t, b * b), [b, b]),
      });
    },
    async release() {
      const all = await Promise.allSettled(sessions.values());
      sessions.clear();
      await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : [])));
    },
  };
}
