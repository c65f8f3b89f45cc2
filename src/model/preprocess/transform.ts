/**
 * CLIP's evaluation transform as the reference runs it (torchvision 0.14 on PIL 9.4 images):
 * Resize(short side, bicubic) -> CenterCrop(S) -> convert('RGB') -> ToTensor -> Normalize.
 * See ../shared/docs/METHOD.md section 1.2.
 */
import { tensor, type Tensor } from '../../math/tensor.ts';
import type { PreprocessConfig } from '../arch.ts';
import type { DecodedImage } from './image.ts';
import { convertToRgb, cropImage, resizeImage } from './modes.ts';

/** Python's `round()` on a float: nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * torchvision's `Resize(size)` output for an int size: the short side becomes `size`, the long
 * side `int(size * long / short)` (truncated, computed in double precision).
 */
export function shortSideResizeSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

/**
 * Offset of torchvision's `center_crop` along one axis: `int(round((dim - crop) / 2))` with
 * Python's half-to-even rounding. When the crop is larger than the image, torchvision first pads
 * `(crop - dim) // 2` zeros on the leading side; the returned offset is then negative.
 */
export function centerCropOffset(dim: number, crop: number): number {
  if (crop > dim) return -Math.floor((crop - dim) / 2);
  return roundHalfEven((dim - crop) / 2);
}

/** Resize (short side = resizeShortSide) then centre crop to size x size, staying in the source mode. */
export function resizeAndCenterCrop(img: DecodedImage, resizeShortSide: number, size: number): DecodedImage {
  const target = shortSideResizeSize(img.width, img.height, resizeShortSide);
  const resized = resizeImage(img, target.width, target.height);
  const left = centerCropOffset(resized.width, size);
  const top = centerCropOffset(resized.height, size);
  return cropImage(resized, left, top, size, size);
}

/**
 * The resized and cropped image as RGBA bytes (alpha 255), S x S, for display beside heatmaps
 * (the reference's visualisation uses the same resize + crop without normalisation).
 */
export function preprocessForDisplay(img: DecodedImage, cfg: Pick<PreprocessConfig, 'size' | 'resizeShortSide'>): ImageDataLike {
  const cropped = resizeAndCenterCrop(img, cfg.resizeShortSide, cfg.size);
  const rgb = convertToRgb(cropped);
  const n = cfg.size * cfg.size;
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    rgba[4 * i] = rgb[3 * i];
    rgba[4 * i + 1] = rgb[3 * i + 1];
    rgba[4 * i + 2] = rgb[3 * i + 2];
    rgba[4 * i + 3] = 255;
  }
  return { width: cfg.size, height: cfg.size, data: rgba };
}

/** Same fields as the DOM's ImageData, so `new ImageData(d.data, d.width)` works in the browser. */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * Normalised CHW float tensor `[3, S, S]`: `(v / 255 - mean) / std` computed in double precision
 * and rounded once to float32. This reproduces the goldens bit for bit; torch's float32 chain
 * (div, sub, div, each rounded) differs from it by at most 1 ulp.
 */
export function rgbToNormalisedTensor(
  rgb: Uint8Array,
  size: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Tensor<'C S S'> {
  const n = size * size;
  if (rgb.length !== n * 3) throw new RangeError(`expected ${n * 3} RGB bytes for ${size}x${size}, got ${rgb.length}`);
  const out = new Float32Array(3 * n);
  const f = Math.fround;
  for (let c = 0; c < 3; c++) {
    const m = mean[c];
    const s = std[c];
    for (let i = 0; i < n; i++) out[c * n + i] = f((rgb[3 * i + c] / 255 - m) / s);
  }
  return tensor('C S S', out, [3, size, size]);
}

/** CLIP preprocessing of a decoded image: resize, centre crop, RGB, scale to [0, 1], normalise. */
export function preprocessPixels(img: DecodedImage, cfg: PreprocessConfig): Tensor<'C S S'> {
  const cropped = resizeAndCenterCrop(img, cfg.resizeShortSide, cfg.size);
  return rgbToNormalisedTensor(convertToRgb(cropped), cfg.size, cfg.mean, cfg.std);
}
