/**
 * Compares our preprocessing with a reference `.npy` made by torchvision + PIL. Pure (bytes in,
 * numbers out) so a browser test page only has to fetch the two files and call it
 * (in Node, run `initNodeImageDecoders()` from decode.node.ts first).
 */
import { readNpyFloat32 } from '../io/npy.ts';
import { decodeImage } from './decode.ts';
import { preprocessPixels } from './transform.ts';

/** OpenAI CLIP normalisation, used by the goldens in ../shared/data/reference/preprocess. */
export const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface GoldenComparison {
  /** largest |ours - golden| after un-normalising both (value * std + mean), in [0, 1] units */
  maxErr: number;
  /** mean of |ours - golden| in the same units */
  meanErr: number;
  /** values differing by more than 1/255 (with a tiny float allowance) */
  countOverOneLevel: number;
  size: number;
}

export async function comparePreprocessToGolden(
  photoBytes: Uint8Array,
  goldenBytes: Uint8Array,
  size: number,
  options: { mean?: readonly [number, number, number]; std?: readonly [number, number, number]; name?: string } = {},
): Promise<GoldenComparison> {
  const mean = options.mean ?? OPENAI_CLIP_MEAN;
  const std = options.std ?? OPENAI_CLIP_STD;
  const golden = readNpyFloat32(goldenBytes, 3);
  if (golden.shape[0] !== 3 || golden.shape[1] !== size || golden.shape[2] !== size) {
    throw new RangeError(`golden has shape [${golden.shape.join(', ')}], expected [3, ${size}, ${size}]`);
  }
  const img = await decodeImage(photoBytes, options.name);
  const ours = preprocessPixels(img, { size, resizeShortSide: size, mean, std, interpolation: 'bicubic' });
  const n = size * size;
  let maxErr = 0;
  let sumErr = 0;
  let countOverOneLevel = 0;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const k = c * n + i;
      const err = Math.abs(ours.data[k] * std[c] - golden.data[k] * std[c]);
      maxErr = Math.max(maxErr, err);
      sumErr += err;
      if (err > 1 / 255 + 1e-6) countOverOneLevel++;
    }
  }
  return { maxErr, meanErr: sumErr / (3 * n), countOverOneLevel, size };
}
