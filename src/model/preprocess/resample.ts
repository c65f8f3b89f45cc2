/**
 * Resampling of 8-bit interleaved rasters, reproducing Pillow's `Image.resize` arithmetic
 * (libImaging/Resample.c and the nearest-neighbour scale in Geometry.c), so that CLIP's
 * reference preprocessing (torchvision on PIL images) is matched exactly, not approximately:
 *
 * - convolution with the filter stretched by the downscale factor (antialiasing), window
 *   bounds rounded as Pillow does, weights normalised to sum 1 in double precision;
 * - weights quantised to fixed point with 22 fractional bits, sums rounded and clipped to
 *   8 bits after EACH of the two separable passes (horizontal first, then vertical), and a
 *   pass skipped when that axis keeps its size.
 */

export interface Raster {
  readonly width: number;
  readonly height: number;
  /** interleaved 8-bit bands per pixel */
  readonly channels: number;
  readonly data: Uint8Array;
}

/** Pillow's bicubic kernel, a = -0.5 (Keys). */
function bicubicKernel(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

const BICUBIC_SUPPORT = 2;
const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Coefficients {
  /** taps per output sample (window width); rows of `weights` are padded to it */
  ksize: number;
  /** first input index of each output sample's window */
  start: Int32Array;
  /** number of valid taps of each output sample */
  count: Int32Array;
  /** fixed-point weights, outSize * ksize */
  weights: Int32Array;
}

/** Filter windows and fixed-point weights for resampling `inSize` samples to `outSize`. */
function bicubicCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const invFilterScale = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; the clamp makes that equal to floor here
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = bicubicKernel((x + xmin - center + 0.5) * invFilterScale);
      sum += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = sum !== 0 ? w[x] / sum : w[x];
      // round half away from zero, as Pillow's normalize_coeffs_8bpc
      weights[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

/** Rounds a fixed-point sum (with HALF already added) to a byte, clipping to [0, 255]. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function resampleRows(src: Raster, outWidth: number, rowFirst: number, rowCount: number): Raster {
  const { width, channels: ch, data } = src;
  const { ksize, start, count, weights } = bicubicCoefficients(width, outWidth);
  const out = new Uint8Array(outWidth * rowCount * ch);
  for (let y = 0; y < rowCount; y++) {
    const rowIn = (y + rowFirst) * width * ch;
    const rowOut = y * outWidth * ch;
    for (let xx = 0; xx < outWidth; xx++) {
      const k0 = xx * ksize;
      const n = count[xx];
      const base = rowIn + start[xx] * ch;
      for (let c = 0; c < ch; c++) {
        let sum = HALF;
        for (let x = 0; x < n; x++) sum += data[base + x * ch + c] * weights[k0 + x];
        out[rowOut + xx * ch + c] = clip8(sum);
      }
    }
  }
  return { width: outWidth, height: rowCount, channels: ch, data: out };
}

function resampleColumns(src: Raster, outHeight: number, coeffs: Coefficients, rowShift: number): Raster {
  const { width, channels: ch, data } = src;
  const { ksize, start, count, weights } = coeffs;
  const stride = width * ch;
  const out = new Uint8Array(outHeight * stride);
  for (let yy = 0; yy < outHeight; yy++) {
    const k0 = yy * ksize;
    const n = count[yy];
    const base = (start[yy] - rowShift) * stride;
    const rowOut = yy * stride;
    for (let i = 0; i < stride; i++) {
      let sum = HALF;
      for (let y = 0; y < n; y++) sum += data[base + y * stride + i] * weights[k0 + y];
      out[rowOut + i] = clip8(sum);
    }
  }
  return { width, height: outHeight, channels: ch, data: out };
}

function checkSize(w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) {
    throw new RangeError(`invalid output size ${w}x${h}`);
  }
}

/**
 * Bicubic resize equal to Pillow's `im.resize((outWidth, outHeight), Image.BICUBIC)` on an 8-bit
 * image of `src.channels` bands (premultiply alpha before calling, as Pillow does for RGBA).
 */
export function resampleBicubic(src: Raster, outWidth: number, outHeight: number): Raster {
  checkSize(outWidth, outHeight);
  const needH = outWidth !== src.width;
  const needV = outHeight !== src.height;
  if (!needH && !needV) return { ...src, data: src.data.slice() };
  const vertical = bicubicCoefficients(src.height, outHeight);
  let current = src;
  let rowShift = 0;
  if (needH) {
    // only the rows the vertical pass will read are resampled horizontally
    const first = vertical.start[0];
    const last = vertical.start[outHeight - 1] + vertical.count[outHeight - 1];
    current = resampleRows(src, outWidth, first, last - first);
    rowShift = first;
  }
  if (needV) current = resampleColumns(current, outHeight, vertical, rowShift);
  return current;
}

/** Source index of each output sample, accumulated in double precision like Pillow's ImagingScaleAffine. */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const idx = new Int32Array(outSize);
  let pos = step * 0.5;
  for (let i = 0; i < outSize; i++) {
    idx[i] = Math.min(Math.max(pos < 0 ? -1 : Math.trunc(pos), 0), inSize - 1);
    pos += step;
  }
  return idx;
}

/** Nearest-neighbour resize equal to Pillow's `im.resize(size, Image.NEAREST)` (used for 'P' and '1'). */
export function resampleNearest(src: Raster, outWidth: number, outHeight: number): Raster {
  checkSize(outWidth, outHeight);
  if (outWidth === src.width && outHeight === src.height) return { ...src, data: src.data.slice() };
  const ch = src.channels;
  const xs = nearestIndices(src.width, outWidth);
  const ys = nearestIndices(src.height, outHeight);
  const out = new Uint8Array(outWidth * outHeight * ch);
  for (let y = 0; y < outHeight; y++) {
    const rowIn = ys[y] * src.width * ch;
    for (let x = 0; x < outWidth; x++) {
      const i = rowIn + xs[x] * ch;
      const o = (y * outWidth + x) * ch;
      for (let c = 0; c < ch; c++) out[o + c] = src.data[i + c];
    }
  }
  return { width: outWidth, height: outHeight, channels: ch, data: out };
}
