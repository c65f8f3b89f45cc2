/**
 * Heavy matrix products as requests, so one algorithm runs on two engines: an algorithm written as
 * a generator yields each product it needs (`yield* kernelMatmulTransB(...)`) and receives the
 * result. `runKernelSteps` answers with the JavaScript kernels of linalg.ts (synchronous; the
 * browser's path), `runKernelStepsAsync` with any `LinalgKernels`, e.g. onnxruntime-node in float64
 * (src/model/runtime/linalgKernels.node.ts). Everything between the products stays in one place.
 */
import { gram, matmulTransBInto, transposeInto, type FloatArray } from './linalg.ts';
import { tensor } from './tensor.ts';

export type KernelCall =
  /** out[n×m] = a[n×k] · b[m×k]ᵀ */
  | { readonly op: 'matmulTransB'; readonly a: FloatArray; readonly b: FloatArray; readonly n: number; readonly m: number; readonly k: number }
  /** out[d×d] = (c − 1·meanᵀ)ᵀ (c − 1·meanᵀ), c [rows×d]: the centred Gram matrix */
  | { readonly op: 'centredGram'; readonly c: FloatArray; readonly mean: Float64Array; readonly rows: number; readonly d: number }
  /**
   * out[count×n] = rows − ((rows·vᵀ)·tᵀ)·v: the b Householder reflectors v [b×n] in compact WY form
   * (H_0 … H_{b−1} = I − vᵀ t v, t [b×b] upper triangular) applied to each row of rows [count×n]
   */
  | { readonly op: 'blockReflector'; readonly rows: Float64Array; readonly v: Float64Array; readonly t: Float64Array; readonly count: number; readonly n: number; readonly b: number };

export type KernelSteps<T> = Generator<KernelCall, T, Float64Array>;

/** products in float64, row-major; results are fresh arrays the caller owns */
export interface LinalgKernels {
  matmulTransB(a: FloatArray, b: FloatArray, n: number, m: number, k: number): Promise<Float64Array>;
  centredGram(c: FloatArray, mean: Float64Array, rows: number, d: number): Promise<Float64Array>;
  blockReflector(rows: Float64Array, v: Float64Array, t: Float64Array, count: number, n: number, b: number): Promise<Float64Array>;
}

export function* kernelMatmulTransB(a: FloatArray, b: FloatArray, n: number, m: number, k: number): KernelSteps<Float64Array> {
  if (a.length < n * k || b.length < m * k) throw new RangeError(`matmulTransB: [${n}×${k}]·[${m}×${k}]ᵀ needs ${n * k} and ${m * k} values, got ${a.length} and ${b.length}`);
  return yield { op: 'matmulTransB', a, b, n, m, k };
}

export function* kernelCentredGram(c: FloatArray, mean: Float64Array, rows: number, d: number): KernelSteps<Float64Array> {
  return yield { op: 'centredGram', c, mean, rows, d };
}

export function* kernelBlockReflector(rows: Float64Array, v: Float64Array, t: Float64Array, count: number, n: number, b: number): KernelSteps<Float64Array> {
  if (rows.length < count * n || v.length < b * n || t.length < b * b) throw new RangeError(`blockReflector: rows [${count}×${n}], v [${b}×${n}], t [${b}×${b}] need more values`);
  return yield { op: 'blockReflector', rows, v, t, count, n, b };
}

/** the JavaScript blockReflector: the two products through matmulTransBInto, tᵀ applied from its upper triangle */
function jsBlockReflector(rows: Float64Array, v: Float64Array, t: Float64Array, count: number, n: number, b: number): Float64Array {
  const zv = new Float64Array(count * b);
  matmulTransBInto(zv, rows, v, count, b, n);
  // w = zv·tᵀ, t upper triangular
  const w = new Float64Array(count * b);
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < b; i++) {
      let sum = 0;
      for (let l = i; l < b; l++) sum += t[i * b + l] * zv[r * b + l];
      w[r * b + i] = sum;
    }
  }
  const vT = new Float64Array(n * b);
  transposeInto(vT, v, b, n);
  const out = new Float64Array(count * n);
  matmulTransBInto(out, w, vT, count, n, b);
  for (let i = 0; i < count * n; i++) out[i] = rows[i] - out[i];
  return out;
}

function asF64(x: FloatArray, length: number): Float64Array {
  if (x instanceof Float64Array) return x.length === length ? x : x.subarray(0, length);
  return Float64Array.from(x.subarray(0, length));
}

/** the JavaScript answer to one request */
export function jsKernel(call: KernelCall): Float64Array {
  if (call.op === 'matmulTransB') {
    const out = new Float64Array(call.n * call.m);
    matmulTransBInto(out, asF64(call.a, call.n * call.k), asF64(call.b, call.m * call.k), call.n, call.m, call.k);
    return out;
  }
  if (call.op === 'blockReflector') return jsBlockReflector(call.rows, call.v, call.t, call.count, call.n, call.b);
  return gram(tensor('K D', call.c, [call.rows, call.d]), { subtract: call.mean }).data;
}

export function runKernelSteps<T>(steps: KernelSteps<T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next(jsKernel(next.value));
  return next.value;
}

export async function runKernelStepsAsync<T>(steps: KernelSteps<T>, kernels: LinalgKernels): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const call = next.value;
    const result =
      call.op === 'matmulTransB'
        ? await kernels.matmulTransB(call.a, call.b, call.n, call.m, call.k)
        : call.op === 'blockReflector'
          ? await kernels.blockReflector(call.rows, call.v, call.t, call.count, call.n, call.b)
          : await kernels.centredGram(call.c, call.mean, call.rows, call.d);
    next = steps.next(result);
  }
  return next.value;
}
