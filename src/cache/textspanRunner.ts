/**
 * One head's TEXTSPAN for the atlas: with the JavaScript kernels (`textspan`, the browser's path),
 * or with injected float64 kernels (`textspanWith`, e.g. onnxruntime-node): the same algorithm.
 */
import { textspan, textspanWith, type TextspanPick } from '../analysis/textspan.ts';
import type { LinalgKernels } from '../math/kernelSteps.ts';
import type { Tensor } from '../math/tensor.ts';

/** what the atlas and the reconstruction check need of a head's TEXTSPAN */
export interface HeadTextspan {
  picks: TextspanPick[];
  imagesUsed: number;
  spanRank: number;
  totalVariance: number;
  /** present when asked for */
  reconstruction?: Tensor<'K D', Float32Array>;
}

export type HeadTextspanRunner = (C: Tensor<'K D', Float32Array>, options: { m: number; rank: number; reconstruction: boolean }) => Promise<HeadTextspan>;

export function headTextspanRunner(R: Tensor<'M D', Float32Array>, kernels?: LinalgKernels): HeadTextspanRunner {
  return async (C, { m, rank, reconstruction }) => {
    const r = kernels ? await textspanWith(C, R, { m, rank, reconstruction }, kernels) : textspan(C, R, { m, rank });
    const out: HeadTextspan = { picks: r.picks, imagesUsed: r.imagesUsed, spanRank: r.spanRank, totalVariance: r.totalVariance };
    if (reconstruction && r.reconstruction) out.reconstruction = r.reconstruction;
    return out;
  };
}
