/**
 * Mode-aware resize, crop and RGB conversion with Pillow's semantics:
 * - `Image.resize` resamples 'P' and '1' with nearest neighbour; 'RGBA' / 'LA' are premultiplied
 *   ('RGBa' / 'La'), resampled, then un-premultiplied; other modes are resampled band by band.
 * - `Image.convert('RGB')` drops alpha without compositing, expands 'L' / '1', and maps
 *   palette indices through the palette.
 */
import { decodedImage, type DecodedImage } from './image.ts';
import { resampleBicubic, resampleNearest } from './resample.ts';

/** Pillow's MULDIV255: round(a * b / 255) in integer arithmetic. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** Premultiplies the colour bands by the last (alpha) band, as Pillow's RGBA -> RGBa conversion. */
export function premultiplyAlpha(data: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += channels) {
    const alpha = data[i + channels - 1];
    for (let c = 0; c < channels - 1; c++) out[i + c] = mulDiv255(data[i + c], alpha);
    out[i + channels - 1] = alpha;
  }
  return out;
}

/** Undoes premultiplication with truncating integer division, as Pillow's RGBa -> RGBA conversion. */
export function unpremultiplyAlpha(data: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += channels) {
    const alpha = data[i + channels - 1];
    for (let c = 0; c < channels - 1; c++) {
      const v = data[i + c];
      out[i + c] = alpha === 0 || alpha === 255 ? v : Math.min(255, Math.trunc((255 * v) / alpha));
    }
    out[i + channels - 1] = alpha;
  }
  return out;
}

/** `img.resize((width, height), Image.BICUBIC)` as Pillow 9.4 does it for each mode. */
export function resizeImage(img: DecodedImage, width: number, height: number): DecodedImage {
  if (width === img.width && height === img.height) {
    return decodedImage(width, height, img.mode, img.data.slice(), img.palette);
  }
  const raster = { width: img.width, height: img.height, channels: img.channels, data: img.data };
  if (img.mode === 'P' || img.mode === '1') {
    return decodedImage(width, height, img.mode, resampleNearest(raster, width, height).data, img.palette);
  }
  if (img.mode === 'RGBA' || img.mode === 'LA') {
    const premultiplied = { ...raster, data: premultiplyAlpha(img.data, img.channels) };
    const resized = resampleBicubic(premultiplied, width, height);
    return decodedImage(width, height, img.mode, unpremultiplyAlpha(resized.data, img.channels));
  }
  return decodedImage(width, height, img.mode, resampleBicubic(raster, width, height).data);
}

/**
 * `img.crop((left, top, left + width, top + height))`; pixels outside the source are 0, which is
 * also what torchvision's zero padding gives when the crop is larger than the image.
 */
export function cropImage(img: DecodedImage, left: number, top: number, width: number, height: number): DecodedImage {
  const ch = img.channels;
  const out = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= img.height) continue;
    const x0 = Math.max(0, -left);
    const x1 = Math.min(width, img.width - left);
    if (x1 <= x0) continue;
    const from = (sy * img.width + left + x0) * ch;
    out.set(img.data.subarray(from, from + (x1 - x0) * ch), (y * width + x0) * ch);
  }
  return decodedImage(width, height, img.mode, out, img.palette);
}

/** `img.convert('RGB')`: interleaved RGB bytes. Alpha is dropped, not composited. */
export function convertToRgb(img: DecodedImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  const { data, channels: ch } = img;
  switch (img.mode) {
    case 'RGB':
      out.set(data);
      break;
    case 'RGBA':
      for (let i = 0; i < n; i++) {
        out[3 * i] = data[4 * i];
        out[3 * i + 1] = data[4 * i + 1];
        out[3 * i + 2] = data[4 * i + 2];
      }
      break;
    case 'L':
    case 'LA':
    case '1':
      for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i * ch];
      break;
    case 'P': {
      const pal = img.palette!;
      const entries = pal.length / 3;
      for (let i = 0; i < n; i++) {
        const p = data[i];
        if (p < entries) {
          out[3 * i] = pal[3 * p];
          out[3 * i + 1] = pal[3 * p + 1];
          out[3 * i + 2] = pal[3 * p + 2];
        } else {
          // Pillow starts every palette as a grey ramp; a short PLTE leaves the rest of it so
          out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = p;
        }
      }
      break;
    }
  }
  return out;
}
