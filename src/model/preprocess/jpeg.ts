/**
 * JPEG decoding with libjpeg-turbo's algorithms (the mozjpeg decoder compiled to WebAssembly,
 * `@jsquash/jpeg`): accurate integer IDCT, fancy chroma upsampling and the same YCbCr -> RGB
 * tables as the libjpeg-turbo that PIL links, so decoded pixels equal PIL's. A pure-JS decoder
 * (jpeg-js) was measured 2/255 off after preprocessing. No EXIF rotation, no colour management.
 * One-component files become mode 'L', three-component files 'RGB', as in PIL.
 *
 * The same module runs in the browser and in workers (the bundler serves the .wasm file). In
 * Node, call `initJpegDecoder(await WebAssembly.compile(wasmBytes))` first, or use
 * `initNodeImageDecoders()` from `decode.node.ts`.
 * A marker walk runs before decoding so truncated files get a specific error.
 */
import decodeWithMozjpeg, { init as initMozjpeg } from '@jsquash/jpeg/decode.js';
import { decodedImage, ImageDecodeError, type DecodedImage } from './image.ts';

export function hasJpegSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export interface JpegFrameInfo {
  width: number;
  height: number;
  components: number;
  /** SOF marker number: 0 baseline, 1 extended, 2 progressive, 9+ arithmetic coding */
  sof: number;
}

/** Reads the frame header and checks that the file runs to its end-of-image marker. */
export function scanJpeg(bytes: Uint8Array, name: string): JpegFrameInfo {
  const truncated = (where: string) => new ImageDecodeError('truncated', `truncated JPEG ${name}: file ends ${where}`);
  let frame: JpegFrameInfo | undefined;
  let offset = 2;
  while (true) {
    if (offset + 2 > bytes.length) throw truncated('before the end-of-image marker');
    if (bytes[offset] !== 0xff) {
      throw new ImageDecodeError('corrupt', `corrupt JPEG ${name}: expected a marker at byte ${offset}, found 0x${bytes[offset].toString(16)}`);
    }
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) break; // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (offset + 4 > bytes.length) throw truncated(`inside marker 0xff${marker.toString(16)}`);
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (length < 2) throw new ImageDecodeError('corrupt', `corrupt JPEG ${name}: bad segment length ${length}`);
    const segEnd = offset + 2 + length;
    if (segEnd > bytes.length) throw truncated(`inside segment 0xff${marker.toString(16)}`);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && !frame) {
      frame = {
        sof: marker - 0xc0,
        height: (bytes[offset + 5] << 8) | bytes[offset + 6],
        width: (bytes[offset + 7] << 8) | bytes[offset + 8],
        components: bytes[offset + 9],
      };
    }
    offset = segEnd;
    if (marker === 0xda) {
      // entropy-coded data runs until a marker other than a stuffed 0xff00 or a restart marker
      while (true) {
        if (offset + 1 >= bytes.length) throw truncated('inside the compressed image data');
        if (bytes[offset] === 0xff && bytes[offset + 1] !== 0 && !(bytes[offset + 1] >= 0xd0 && bytes[offset + 1] <= 0xd7)) break;
        offset += 1;
      }
    }
  }
  if (!frame) throw new ImageDecodeError('corrupt', `corrupt JPEG ${name}: no frame header (SOF) before the end-of-image marker`);
  return frame;
}

let initialised = false;

/** Supplies the compiled decoder (`mozjpeg_dec.wasm` of @jsquash/jpeg); needed in Node only. */
export async function initJpegDecoder(wasm: WebAssembly.Module): Promise<void> {
  await initMozjpeg(wasm);
  initialised = true;
}

const isNode = typeof process === 'object' && (process as { release?: { name?: string } }).release?.name === 'node';

export async function decodeJpegImage(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  const frame = scanJpeg(bytes, name);
  if (frame.components !== 1 && frame.components !== 3) {
    throw new ImageDecodeError('unsupported', `unsupported JPEG ${name}: ${frame.components} colour components (only greyscale and YCbCr/RGB)`);
  }
  if (isNode && !initialised) {
    throw new Error('JPEG decoder not initialised: in Node call initNodeImageDecoders() from src/model/preprocess/decode.node.ts first');
  }
  let rgba: Uint8ClampedArray;
  let width: number;
  let height: number;
  try {
    const copy = bytes.slice(); // the decoder wants a whole ArrayBuffer
    const out = await decodeWithMozjpeg(copy.buffer, { preserveOrientation: false });
    rgba = out.data;
    width = out.width;
    height = out.height;
  } catch (e) {
    throw new ImageDecodeError('corrupt', `corrupt JPEG ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (width !== frame.width || height !== frame.height || rgba.length !== width * height * 4) {
    throw new ImageDecodeError('corrupt', `corrupt JPEG ${name}: decoder returned ${width}x${height}, header says ${frame.width}x${frame.height}`);
  }
  const n = width * height;
  if (frame.components === 1) {
    const grey = new Uint8Array(n);
    for (let i = 0; i < n; i++) grey[i] = rgba[4 * i];
    return decodedImage(width, height, 'L', grey);
  }
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = rgba[4 * i];
    rgb[3 * i + 1] = rgba[4 * i + 1];
    rgb[3 * i + 2] = rgba[4 * i + 2];
  }
  return decodedImage(width, height, 'RGB', rgb);
}
