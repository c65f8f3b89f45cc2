/**
 * `LinalgKernels` (src/math/kernelSteps.ts) on onnxruntime-node: TEXTSPAN's matrix products in
 * float64 through MLAS's double-precision GEMM, an order of magnitude faster than the JavaScript
 * loops with the same numbers up to rounding. Node only; the browser keeps the JavaScript kernels.
 */
import * as ort from 'onnxruntime-node';
import type { LinalgKernels } from '../../math/kernelSteps.ts';
import type { FloatArray } from '../../math/linalg.ts';
import { buildCentredGramGraph, buildMatmulTransBGraph, LINALG_IO } from '../onnx/linalgGraph.ts';

export interface OrtLinalgKernels extends LinalgKernels {
  release(): Promise<void>;
}

export interface OrtLinalgKernelsOptions {
  /** threads for one product (default 1: TEXTSPAN runs heads on several worker threads instead) */
  intraOpNumThreads?: number;
}

/** Rows of c per Gram product: bounds onnxruntime's float64 copies of a tall matrix (K = 50,000). */
const GRAM_CHUNK_ROWS = 8192;

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
      const kind = c instanceof Float64Array ? 'float64' : 'float32';
      const s = await session(`gram-${kind}`, () => buildCentredGramGraph(kind));
      const meanT = new ort.Tensor('float64', mean, [d]);
      let total: Float64Array | undefined;
      for (let start = 0; start < rows; start += GRAM_CHUNK_ROWS) {
        const count = Math.min(GRAM_CHUNK_ROWS, rows - start);
        const part = c.subarray(start * d, (start + count) * d);
        const g = await run(s, { [LINALG_IO.c]: new ort.Tensor(kind, part, [count, d]), [LINALG_IO.mean]: meanT });
        if (!total) total = g;
        else for (let i = 0; i < g.length; i++) total[i] += g[i];
      }
      return total ?? new Float64Array(d * d);
    },
    async release() {
      const all = await Promise.allSettled(sessions.values());
      sessions.clear();
      await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : [])));
    },
  };
}
