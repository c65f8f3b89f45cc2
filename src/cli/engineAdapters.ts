/**
 * The one adapter from the engine's outputs (graph names, snake_case, per image) to the types
 * the analyses take (src/analysis/inputs.ts, camelCase), so src/analysis never imports src/model.
 */
import type { HeadProjections, ImageComponents, SpatialTerms } from '../analysis/inputs.ts';
import type { Tensor } from '../math/tensor.ts';
import type { Decomposition } from '../model/engine.ts';

function pick<S extends string>(parts: Record<string, Tensor>, name: string, shape: S, rank: number): Tensor<S> {
  const t = parts[name];
  if (!t) throw new Error(`the engine output has no '${name}' (outputs: ${Object.keys(parts).join(', ')})`);
  if (t.dims.length !== rank) throw new Error(`engine output '${name}' has dims [${t.dims.join(', ')}], expected ${rank} dims (${shape})`);
  return t as Tensor<S>;
}

function scalar(parts: Record<string, Tensor>, name: string): number {
  const t = parts[name];
  if (!t || t.data.length !== 1) throw new Error(`the engine output has no scalar '${name}'`);
  return t.data[0];
}

/** Token-summed terms of one image (embedding, embed_term, mlp, heads, class_class). */
export function imageComponents(parts: Decomposition): ImageComponents {
  return {
    embedding: pick(parts, 'embedding', 'D', 1),
    embedTerm: pick(parts, 'embed_term', 'D', 1),
    mlp: pick(parts, 'mlp', 'L D', 2),
    heads: pick(parts, 'heads', 'L H D', 3),
    classClass: pick(parts, 'class_class', 'L D', 2),
  };
}

/** Scalar-path inputs of one image (cells and the ln_post / norm scalars). */
export function spatialTerms(parts: Decomposition): SpatialTerms {
  return {
    cells: pick(parts, 'cells', 'L T H E', 4),
    lnMean: scalar(parts, 'ln_mean'),
    lnStd: scalar(parts, 'ln_std'),
    norm: scalar(parts, 'norm'),
  };
}

/** The per-model matrices of ClipEngine.headProjections(). */
export function headProjections(out: Record<string, Tensor>): HeadProjections {
  return {
    headProj: pick(out, 'head_proj', 'L H E D', 4),
    gammaProj: pick(out, 'gamma_proj', 'D', 1),
    betaProj: pick(out, 'beta_proj', 'D', 1),
    boutProj: pick(out, 'bout_proj', 'L D', 2),
  };
}
