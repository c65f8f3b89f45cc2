/**
 * Node-only setup for image decoding: loads the JPEG decoder's WebAssembly from node_modules
 * (browsers get it from the bundler instead), and reads images from disk.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { decodeImage } from './decode.ts';
import type { DecodedImage } from './image.ts';
import { initJpegDecoder } from './jpeg.ts';

let ready: Promise<void> | undefined;

/** Compiles and installs the JPEG decoder once per process; safe to call many times. */
export function initNodeImageDecoders(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const pkgDir = dirname(require.resolve('@jsquash/jpeg/package.json'));
    const wasm = await readFile(join(pkgDir, 'codec', 'dec', 'mozjpeg_dec.wasm'));
    await initJpegDecoder(await WebAssembly.compile(wasm));
  })();
  return ready;
}

/** Reads and decodes an image file; errors name the file. */
export async function decodeImageFile(path: string): Promise<DecodedImage> {
  await initNodeImageDecoders();
  const bytes = await readFile(path);
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), basename(path));
}
