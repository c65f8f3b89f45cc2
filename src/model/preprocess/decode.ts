/**
 * Image bytes -> DecodedImage, chosen by magic bytes. The decoders are plain JS (PNG) and
 * WebAssembly (JPEG), never the DOM or a canvas, so the same code runs in Node, the browser and
 * workers, and no colour-space conversion, alpha premultiplication or EXIF rotation is applied
 * behind our back. In Node, call `initNodeImageDecoders()` (decode.node.ts) once first.
 */
import { ImageDecodeError, type DecodedImage } from './image.ts';
import { decodeJpegImage, hasJpegSignature } from './jpeg.ts';
import { decodePngImage, hasPngSignature } from './png.ts';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff';

export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (hasPngSignature(bytes)) return 'png';
  if (hasJpegSignature(bytes)) return 'jpeg';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 2) === 'BM' && bytes.length >= 26) return 'bmp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  return null;
}

/** First bytes of a file, shown printable-ASCII or as hex, for error messages. */
function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  if (head.length === 0) return 'nothing (empty file)';
  const printable = Array.from(head).every((b) => b >= 0x20 && b < 0x7f);
  if (printable) return JSON.stringify(String.fromCharCode(...head));
  return Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Decodes PNG or JPEG bytes; `name` only labels error messages. */
export async function decodeImage(bytes: Uint8Array, name = 'image'): Promise<DecodedImage> {
  const format = detectImageFormat(bytes);
  switch (format) {
    case 'png':
      return decodePngImage(bytes, name);
    case 'jpeg':
      return decodeJpegImage(bytes, name);
    case null:
      throw new ImageDecodeError('not-an-image', `not an image: ${name} starts with ${describeStart(bytes)}`);
    default:
      throw new ImageDecodeError('unsupported', `unsupported image format ${format.toUpperCase()}: ${name} (PNG and JPEG are supported)`);
  }
}
