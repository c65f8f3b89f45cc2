/**
 * A dense row-major float tensor whose shape letters travel in the type.
 *
 * Dim letters (one vocabulary across the code base): B batch, L layer, H head, T token
 * (class token = 0), P patch, W residual width, E head width (dh), D joint embedding width,
 * K chosen layers / components, C prompts or classes, S image side, M pool size.
 * `Tensor<'L H D'>` is a `[L, H, D]` tensor. Build tensors only through `tensor()`, which
 * checks that the data length matches the dims.
 */
export interface Tensor<S extends string = string, A extends Float32Array | Float64Array = Float32Array> {
  readonly shape: S;
  readonly dims: readonly number[];
  readonly data: A;
}

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function dimsSize(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid dimension ${d} in [${dims.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function tensor<S extends string, A extends Float32Array | Float64Array>(
  shape: S,
  data: A,
  dims: readonly number[],
): Tensor<S, A> {
  const letters = shape.trim().split(/\s+/).filter(Boolean);
  if (letters.length !== dims.length) {
    throw new ShapeError(`shape '${shape}' has ${letters.length} letters but dims are [${dims.join(', ')}]`);
  }
  const n = dimsSize(dims);
  if (data.length !== n) {
    throw new ShapeError(`tensor '${shape}' [${dims.join(', ')}] needs ${n} values, got ${data.length}`);
  }
  return { shape, dims: Object.freeze([...dims]), data };
}
