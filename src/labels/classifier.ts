/**
 * The zero-shot classifier W [C, D] of a label set (METHOD §3.1): embed every prompt with the
 * text tower, normalise each, average per class, normalise. The text encoder is passed in (the
 * engine's `encodeText`, or a cache in front of it), so this runs in Node and in the browser.
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import { zeroShotClassifier } from '../analysis/zeroshot.ts';
import { labelPrompts, type LabelSet } from './labelSet.ts';

/** texts -> their embeddings [n, D], one row per text, in order (any scale) */
export type TextEncoder = (texts: readonly string[]) => Promise<Tensor<string, Float32Array | Float64Array>>;

export interface ClassifierOptions {
  /** prompts embedded per encoder call (default 256) */
  readonly chunk?: number;
  /** called after each chunk with the number of prompts embedded so far and the total */
  readonly onProgress?: (done: number, total: number) => void;
}

export async function buildClassifier(
  set: LabelSet,
  encode: TextEncoder,
  options: ClassifierOptions = {},
): Promise<Tensor<'C D', Float64Array>> {
  const prompts = labelPrompts(set);
  const chunk = options.chunk ?? 256;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be a positive integer, got ${chunk}`);
  let all: Float64Array | undefined;
  let D = 0;
  for (let start = 0; start < prompts.length; start += chunk) {
    const texts = prompts.slice(start, start + chunk);
    const emb = await encode(texts);
    if (emb.dims.length !== 2 || emb.dims[0] !== texts.length) {
      throw new RangeError(`the text encoder returned [${emb.dims.join(', ')}] for ${texts.length} texts`);
    }
    if (!all) {
      D = emb.dims[1];
      all = new Float64Array(prompts.length * D);
    } else if (emb.dims[1] !== D) {
      throw new RangeError(`the text encoder changed its width from ${D} to ${emb.dims[1]}`);
    }
    all.set(emb.data, start * D);
    options.onProgress?.(start + texts.length, prompts.length);
  }
  const C = set.classes.length;
  const P = set.templates.length;
  return zeroShotClassifier(tensor('C P D', all as Float64Array, [C, P, D]));
}
