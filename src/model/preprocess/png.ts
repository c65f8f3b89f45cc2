/**
 * PNG decoding (pure JS, `fast-png`) into the modes Pillow 9.4 gives a PNG on open:
 * greyscale 1-bit -> '1'; 2/4/8-bit -> 'L' (2/4-bit scaled to 0..255); palette -> 'P';
 * 16-bit colour -> 8-bit by keeping the high byte. No gamma, ICC or alpha handling is applied.
 */
import { decode as fastPngDecode } from 'fast-png';
import { decodedImage, ImageDecodeError, type DecodedImage, type ImageMode } from './image.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Walks the chunk list so a cut-off file is reported as truncated (the inflater alone may pad
 * missing rows silently) and a file without IHDR first or without IEND is rejected.
 */
function checkChunks(bytes: Uint8Array, name: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let first = true;
  while (true) {
    if (offset + 8 > bytes.length) throw new ImageDecodeError('truncated', `truncated PNG ${name}: file ends before the IEND chunk`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw new ImageDecodeError('corrupt', `corrupt PNG ${name}: bad chunk type at byte ${offset + 4}`);
    if (first && type !== 'IHDR') throw new ImageDecodeError('corrupt', `corrupt PNG ${name}: first chunk is ${type}, not IHDR`);
    first = false;
    if (offset + 12 + length > bytes.length) {
      throw new ImageDecodeError('truncated', `truncated PNG ${name}: chunk ${type} needs ${length} bytes, file ends first`);
    }
    offset += 12 + length;
    if (type === 'IEND') return;
  }
}

/** Unpacks rows of 1/2/4-bit samples (rows start on byte boundaries) into one byte per sample. */
function unpackLowBitDepth(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function highBytes(data: Uint16Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] >> 8;
  return out;
}

export function decodePngImage(bytes: Uint8Array, name: string): DecodedImage {
  checkChunks(bytes, name);
  let png: ReturnType<typeof fastPngDecode>;
  try {
    png = fastPngDecode(bytes, { checkCrc: true });
  } catch (e) {
    const why = e instanceof Error ? e.message + (e.cause instanceof Error ? ` (${e.cause.message})` : '') : String(e);
    throw new ImageDecodeError('corrupt', `corrupt PNG ${name}: ${why}`);
  }
  const { width, height, depth, channels } = png;
  const expected = depth < 8 ? Math.ceil((width * depth * channels) / 8) * height : width * height * channels;
  if (png.data.length !== expected) {
    throw new ImageDecodeError('corrupt', `corrupt PNG ${name}: decoded ${png.data.length} samples, expected ${expected}`);
  }
  if (png.palette) {
    const palette = new Uint8Array(png.palette.length * 3);
    png.palette.forEach((entry, i) => palette.set(entry.slice(0, 3), 3 * i));
    const indices = depth < 8 ? unpackLowBitDepth(png.data as Uint8Array, width, height, depth) : (png.data as Uint8Array);
    return decodedImage(width, height, 'P', indices, palette);
  }
  if (depth === 16) {
    if (channels === 1) {
      throw new ImageDecodeError(
        'unsupported',
        `unsupported PNG ${name}: 16-bit greyscale (Pillow opens it as 32-bit mode 'I' and clips it to 0..255 on convert('RGB'))`,
      );
    }
    const mode: ImageMode = channels === 2 ? 'LA' : channels === 3 ? 'RGB' : 'RGBA';
    return decodedImage(width, height, mode, highBytes(png.data as Uint16Array));
  }
  const data = png.data as Uint8Array;
  if (channels === 1 && depth < 8) {
    const samples = unpackLowBitDepth(data, width, height, depth);
    if (depth === 1) {
      for (let i = 0; i < samples.length; i++) samples[i] *= 255;
      return decodedImage(width, height, '1', samples);
    }
    const scale = 255 / ((1 << depth) - 1); // 85 for 2-bit, 17 for 4-bit
    for (let i = 0; i < samples.length; i++) samples[i] *= scale;
    return decodedImage(width, height, 'L', samples);
  }
  const mode: ImageMode = channels === 1 ? 'L' : channels === 2 ? 'LA' : channels === 3 ? 'RGB' : 'RGBA';
  return decodedImage(width, height, mode, data instanceof Uint8Array ? data : new Uint8Array(data));
}
