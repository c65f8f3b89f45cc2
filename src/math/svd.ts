/**
 * The top right singular vectors of a tall matrix, through the eigenvectors of its Gram matrix
 * (apart from linalg.ts, which symmetricEigen's kernels build on: no import cycle).
 */
import { gram, matrixDims, type AnyTensor } from './linalg.ts';
import { symmetricEigen } from './symmetricEigen.ts';
import { tensor, type Tensor } from './tensor.ts';

export interface TopSingular {
  /** singular values σ₁ ≥ σ₂ ≥ … (length r) */
  values: Float64Array;
  /** squared singular values = the top eigenvalues of aᵀa */
  gramEigenvalues: Float64Array;
  /** the top r right singular vectors as orthonormal rows [r×D] */
  vectors: Tensor<'R D', Float64Array>;
}

/**
 * The top r right singular vectors of a[K×D] (any K, D up to ~1024), via the eigen-decomposition
 * of the D×D Gram matrix. r is clamped to min(r, K, D). Squaring the condition number is harmless
 * here: the leading subspace is what matters, and the Gram is accumulated in doubles.
 * Pass `gramMatrix` when aᵀa is already at hand.
 */
export function topRightSingularVectors(
  a: AnyTensor,
  r: number,
  gramMatrix: Tensor<'D D', Float64Array> = gram(a),
): TopSingular {
  const [rows, d] = matrixDims(a, 'topRightSingularVectors input');
  const count = Math.max(0, Math.min(r, rows, d));
  const { values, vectors } = symmetricEigen(gramMatrix, { count });
  const sigma = new Float64Array(count);
  for (let i = 0; i < count; i++) sigma[i] = Math.sqrt(Math.max(0, values[i]));
  return { values: sigma, gramEigenvalues: values, vectors: tensor('R D', vectors.data, [count, d]) };
}
