/**
 * Bilinear resize of a single-channel image with PyTorch `interpolate(mode='bilinear',
 * align_corners=False)` semantics (METHOD 5.1 step 3): output pixel `d` samples source
 * coordinate `(d + 0.5)·(in/out) − 0.5`, clamped to ≥ 0; the upper neighbour index is clamped to
 * `in − 1`. With an integer factor p, `in/out = 1/p` exactly as PyTorch's `scale_factor=p`.
 */
import { tensor, type Tensor } from './tensor.ts';

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

function taps(inSize: number, outSize: number): Taps {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const src = Math.max((d + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    lo[d] = i0;
    hi[d] = Math.min(i0 + 1, inSize - 1);
    // past the last source pixel both taps are the same pixel: weight 0 on the second keeps the
    // value exact (w·v + (1 − w)·v can be off by an ulp, which breaks ties that metrics rely on)
    frac[d] = hi[d] === i0 ? 0 : src - i0;
  }
  return { lo, hi, frac };
}

/** Resize a `[Y, X]` map to `[outH, outW]`. Output is float64 (maps feed thresholds and metrics). */
export function upsampleBilinear(
  src: Tensor<'Y X', Float32Array | Float64Array>,
  outH: number,
  outW: number,
): Tensor<'Y X', Float64Array> {
  const [inH, inW] = src.dims;
  if (inH < 1 || inW < 1) throw new RangeError(`cannot resize an empty map [${inH}, ${inW}]`);
  if (!(Number.isInteger(outH) && Number.isInteger(outW) && outH > 0 && outW > 0)) {
    throw new RangeError(`invalid output size ${outH}x${outW}`);
  }
  const ty = taps(inH, outH);
  const tx = taps(inW, outW);
  const s = src.data;
  // separable: each source row resized along x once ([inH, outW]), then the output rows blend two
  // of those; the same products and sums per pixel as blending four source pixels, a third of the work
  const rows = new Float64Array(inH * outW);
  for (let r = 0; r < inH; r++) {
    const row = r * inW;
    for (let x = 0; x < outW; x++) {
      const fx = tx.frac[x];
      rows[r * outW + x] = (1 - fx) * s[row + tx.lo[x]] + fx * s[row + tx.hi[x]];
    }
  }
  const out = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const top = ty.lo[y] * outW;
    const bottom = ty.hi[y] * outW;
    const fy = ty.frac[y];
    for (let x = 0; x < outW; x++) out[y * outW + x] = (1 - fy) * rows[top + x] + fy * rows[bottom + x];
  }
  return tensor('Y X', out, [outH, outW]);
}
