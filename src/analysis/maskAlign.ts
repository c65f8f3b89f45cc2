/**
 * Bringing a ground-truth mask onto the model's S x S input grid, pixel for pixel aligned with
 * the preprocessed photo. Masks often come at another resolution than their photo (same aspect
 * ratio), so a mask is
 *   1. resized to the photo's size (nearest neighbour),
 *   2. given the photo's short-side resize (nearest neighbour instead of bicubic), and
 *   3. the photo's centre crop (pixels outside the image are background),
 * which yields S x S labels (0 = background, 1 = foreground). That is the default, "crop".
 *
 * The paper's code ("paper") instead resizes the mask straight to S x S (nearest neighbour), with
 * no aspect-preserving crop (METHOD §5.2, §8): on a non-square photo its labels are squeezed
 * relative to the cropped photo, and a strip the crop cut off is still scored. Use it to
 * reproduce the published numbers.
 *
 * Nearest neighbour follows Pillow's `Image.NEAREST` index rule (source = centre of the output
 * pixel, accumulated in steps of in/out, truncated). The crop geometry comes from the caller
 * (the photo's transform computes it), so this module depends only on plain numbers.
 */

/** A one-byte-per-pixel raster, row-major. */
export interface MaskRaster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Where the photo's transform takes its S x S crop from. */
export interface CropGeometry {
  /** the photo's size */
  readonly photoWidth: number;
  readonly photoHeight: number;
  /** its size after the short-side resize */
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  /** the crop's top-left corner in the resized image (negative when the crop is padded) */
  readonly left: number;
  readonly top: number;
  /** the crop's side S */
  readonly size: number;
}

/** Foreground (1) where the grey value exceeds `threshold` (default 127, i.e. ≥ 128). */
export function binarizeMask(grey: MaskRaster, threshold = 127): MaskRaster {
  if (grey.data.length !== grey.width * grey.height) {
    throw new RangeError(`mask ${grey.width}x${grey.height} needs ${grey.width * grey.height} bytes, got ${grey.data.length}`);
  }
  return { width: grey.width, height: grey.height, data: grey.data.map((v) => (v > threshold ? 1 : 0)) };
}

/** Source index of each output index for a nearest-neighbour resize from `inSize` to `outSize`. */
function nearestSourceIndices(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const idx = new Int32Array(outSize);
  let pos = step * 0.5;
  for (let i = 0; i < outSize; i++) {
    idx[i] = Math.min(Math.max(Math.trunc(pos), 0), inSize - 1);
    pos += step;
  }
  return idx;
}

/** Nearest-neighbour resize of a one-byte raster. */
export function resizeMaskNearest(mask: MaskRaster, width: number, height: number): MaskRaster {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`invalid mask size ${width}x${height}`);
  }
  if (width === mask.width && height === mask.height) return { width, height, data: mask.data.slice() };
  const xs = nearestSourceIndices(mask.width, width);
  const ys = nearestSourceIndices(mask.height, height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = ys[y] * mask.width;
    for (let x = 0; x < width; x++) out[y * width + x] = mask.data[row + xs[x]];
  }
  return { width, height, data: out };
}

/** A size x size window at (left, top); pixels outside the raster are 0. */
export function cropMask(mask: MaskRaster, left: number, top: number, size: number): MaskRaster {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= mask.height) continue;
    for (let x = 0; x < size; x++) {
      const sx = x + left;
      if (sx >= 0 && sx < mask.width) out[y * size + x] = mask.data[sy * mask.width + sx];
    }
  }
  return { width: size, height: size, data: out };
}

/** Steps 1–3: the mask's labels on the photo's S x S crop. */
export function alignMaskToCrop(mask: MaskRaster, g: CropGeometry): MaskRaster {
  const atPhoto = resizeMaskNearest(mask, g.photoWidth, g.photoHeight);
  const resized = resizeMaskNearest(atPhoto, g.resizedWidth, g.resizedHeight);
  return cropMask(resized, g.left, g.top, g.size);
}

/** How a ground-truth mask is brought onto the S x S input (see the module comment). */
export const MASK_PROTOCOLS = ['crop', 'paper'] as const;
export type MaskProtocol = (typeof MASK_PROTOCOLS)[number];

/** The paper's protocol: the whole mask resized straight to S x S, whatever the photo's aspect. */
export function resizeMaskToInput(mask: MaskRaster, size: number): MaskRaster {
  return resizeMaskNearest(mask, size, size);
}

/** The mask's S x S labels under `protocol` ('crop' needs the photo's crop geometry). */
export function maskOnInput(mask: MaskRaster, protocol: MaskProtocol, g: CropGeometry): MaskRaster {
  return protocol === 'paper' ? resizeMaskToInput(mask, g.size) : alignMaskToCrop(mask, g);
}
