/**
 * The one adapter between the engine's outputs (graph names, snake_case, per image; typed from
 * onnx/graphSpec.ts) and what the analyses read (src/analysis/inputs.ts, camelCase), used by the
 * CLI, the analysis cache, the explorer and the worker. The result types below match
 * analysis/inputs.ts field for field, so src/model needs no import from src/analysis.
 */
import type { Tensor } from '../math/tensor.ts';
import {
  DECOMPOSITION_OUTPUTS,
  HEAD_PROJECTION_OUTPUT_SHAPES,
  IMAGE_OUTPUT_SHAPES,
  type Decomposition,
  type HeadProjectionOutputs,
  type ImageOutput,
  type ImageOutputName,
} from './onnx/graphSpec.ts';

export type { Decomposition, HeadProjectionOutputs };

const rankOf = (shape: string) => shape.split(' ').filter(Boolean).length;

function checkOutput(outputs: Readonly<Record<string, Tensor>>, name: string, shape: string): void {
  const t = outputs[name];
  if (!t) throw new Error(`the engine output has no '${name}' (outputs: ${Object.keys(outputs).join(', ')})`);
  if (t.dims.length !== rankOf(shape)) throw new Error(`engine output '${name}' has dims [${t.dims.join(', ')}], expected ${rankOf(shape)} dims (${shape || 'a scalar'})`);
}

const unbatched = (shape: string) => shape.split(' ').slice(1).join(' ');

/** one image's unbatched outputs as a Decomposition, after checking every output the graph always returns and those requested */
export function decompositionFromOutputs(outputs: Readonly<Record<string, Tensor>>, requested: readonly ImageOutputName[] = []): Decomposition {
  for (const name of [...DECOMPOSITION_OUTPUTS, ...requested]) checkOutput(outputs, name, unbatched(IMAGE_OUTPUT_SHAPES[name]));
  for (const name of Object.keys(outputs)) {
    if (!(name in IMAGE_OUTPUT_SHAPES)) throw new Error(`the engine output '${name}' is not in the image graph's contract (onnx/graphSpec.ts)`);
    checkOutput(outputs, name, unbatched(IMAGE_OUTPUT_SHAPES[name as ImageOutputName]));
  }
  return outputs as unknown as Decomposition;
}

/** the head-projection graph's outputs, checked */
export function headProjectionsFromOutputs(outputs: Readonly<Record<string, Tensor>>): HeadProjectionOutputs {
  for (const [name, shape] of Object.entries(HEAD_PROJECTION_OUTPUT_SHAPES)) checkOutput(outputs, name, shape);
  return outputs as unknown as HeadProjectionOutputs;
}

/** an output looked up by a name that arrives as text (the worker API, a CLI file list) */
export function outputNamed(outputs: Decomposition | HeadProjectionOutputs, name: string): Tensor | undefined {
  return Object.hasOwn(outputs, name) ? (outputs as unknown as Readonly<Record<string, Tensor | undefined>>)[name] : undefined;
}

/** an output the caller asked for through a request the types cannot see (a run-time neuron layer) */
export function requiredOutput<K extends ImageOutputName>(d: Decomposition, name: K): ImageOutput<K> {
  const t = d[name];
  if (!t) throw new Error(`the decomposition has no '${name}' output (request it from ClipEngine.decompose)`);
  return t as ImageOutput<K>;
}

/** Token-summed terms of one image (analysis ImageComponents) */
export interface ComponentTerms {
  readonly embedding: ImageOutput<'embedding'>;
  readonly embedTerm: ImageOutput<'embed_term'>;
  readonly mlp: ImageOutput<'mlp'>;
  readonly heads: ImageOutput<'heads'>;
  readonly classClass: ImageOutput<'class_class'>;
}

/** Scalar-path inputs of one image (analysis SpatialTerms) */
export interface ScalarPathTerms {
  readonly cells: ImageOutput<'cells'>;
  readonly lnMean: number;
  readonly lnStd: number;
  readonly norm: number;
}

/** The per-model matrices of METHOD 2.6 (analysis HeadProjections) */
export interface ProjectionTerms {
  readonly headProj: HeadProjectionOutputs['head_proj'];
  readonly gammaProj: HeadProjectionOutputs['gamma_proj'];
  readonly betaProj: HeadProjectionOutputs['beta_proj'];
  readonly boutProj: HeadProjectionOutputs['bout_proj'];
}

export function imageComponents(d: Decomposition): ComponentTerms {
  return { embedding: d.embedding, embedTerm: d.embed_term, mlp: d.mlp, heads: d.heads, classClass: d.class_class };
}

export function spatialTerms(d: Decomposition): ScalarPathTerms {
  return { cells: d.cells, lnMean: d.ln_mean.data[0], lnStd: d.ln_std.data[0], norm: d.norm.data[0] };
}

export function headProjections(p: HeadProjectionOutputs): ProjectionTerms {
  return { headProj: p.head_proj, gammaProj: p.gamma_proj, betaProj: p.beta_proj, boutProj: p.bout_proj };
}
