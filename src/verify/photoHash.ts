/**
 * A photo's identity for verification: sha256 of its decoded pixels as RGB bytes, with the size in
 * a small header. Pixels, not file bytes, because the published numbers depend only on the pixels:
 * a PNG re-saved losslessly (other compression level, metadata stripped, palette or grey mode
 * expanded to RGB) is the same photo and must be recognised; a re-encoded JPEG or a resized copy
 * is a different input and is not. The file name plays no part (a user's `photo (1).png` counts).
 * JPEGs decode through the same libjpeg-turbo build in Node and the browser, so their hash agrees.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DecodedImage } from '../model/preprocess/image.ts';
import { convertToRgb } from '../model/preprocess/modes.ts';

/** hex sha256 of `clipscope-rgb8 {width}x{height}\n` followed by the RGB bytes, row-major */
export function photoPixelsSha256(img: DecodedImage): string {
  return bytesToHex(
    sha256
      .create()
      .update(new TextEncoder().encode(`clipscope-rgb8 ${img.width}x${img.height}\n`))
      .update(convertToRgb(img))
      .digest(),
  );
}
