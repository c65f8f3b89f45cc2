/**
 * A decoded image in the pixel layout PIL would hold after `Image.open` (8-bit bands,
 * interleaved, row-major), with PIL's mode names, so preprocessing can follow PIL step by step.
 */

/**
 * PIL modes we can hold:
 * - `'1'`: bilevel, one byte per pixel holding 0 or 255 (as PIL stores it)
 * - `'L'`, `'LA'`, `'RGB'`, `'RGBA'`: 8-bit bands, straight (not premultiplied) alpha
 * - `'P'`: one palette index per pixel; `palette` holds RGB triples
 */
export type ImageMode = '1' | 'L' | 'LA' | 'RGB' | 'RGBA' | 'P';

export const MODE_CHANNELS: Readonly<Record<ImageMode, number>> = Object.freeze({
  '1': 1,
  L: 1,
  LA: 2,
  RGB: 3,
  RGBA: 4,
  P: 1,
});

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly mode: ImageMode;
  /** bands per pixel, always MODE_CHANNELS[mode] */
  readonly channels: number;
  /** width * height * channels bytes, row-major, bands interleaved */
  readonly data: Uint8Array;
  /** mode 'P' only: RGB triples, 3 bytes per palette entry */
  readonly palette?: Uint8Array;
}

export type ImageDecodeErrorCode = 'not-an-image' | 'unsupported' | 'corrupt' | 'truncated';

export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
  constructor(
    readonly code: ImageDecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Builds a DecodedImage after checking that sizes, channels and palette agree. */
export function decodedImage(
  width: number,
  height: number,
  mode: ImageMode,
  data: Uint8Array,
  palette?: Uint8Array,
): DecodedImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  const channels = MODE_CHANNELS[mode];
  if (channels === undefined) throw new RangeError(`unknown image mode '${mode}'`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`mode ${mode} ${width}x${height} needs ${width * height * channels} bytes, got ${data.length}`);
  }
  if (mode === 'P') {
    if (!palette || palette.length % 3 !== 0 || palette.length === 0) {
      throw new RangeError('mode P needs a palette of RGB triples');
    }
    return { width, height, mode, channels, data, palette };
  }
  return { width, height, mode, channels, data };
}
