/**
 * Bitmaps of the loaded images, for drawing overlays and thumbnails. Kept outside the store (the
 * store holds ids only). Each is the centre square of the source image — the region the model sees
 * after resizing the short side and cropping — at up to 448 px, decoded by the browser off the main
 * thread; if the browser cannot decode it, the model's own S×S view is used.
 */

const bitmaps = new Map<string, ImageBitmap>();
const MAX_SIDE = 448;

export function imageBitmap(id: string): ImageBitmap | undefined {
  return bitmaps.get(id);
}

export async function cacheImageBitmap(id: string, bytes: Uint8Array, fallback: { width: number; height: number; rgba: Uint8ClampedArray }): Promise<void> {
  try {
    const probe = await createImageBitmap(new Blob([bytes as BlobPart]));
    const side = Math.min(probe.width, probe.height);
    const out = Math.min(MAX_SIDE, side);
    const sx = Math.floor((probe.width - side) / 2);
    const sy = Math.floor((probe.height - side) / 2);
    const bmp = await createImageBitmap(probe, sx, sy, side, side, { resizeWidth: out, resizeHeight: out, resizeQuality: 'high' });
    probe.close();
    bitmaps.set(id, bmp);
  } catch {
    const data = new ImageData(new Uint8ClampedArray(fallback.rgba), fallback.width, fallback.height);
    bitmaps.set(id, await createImageBitmap(data));
  }
}

export function dropImageBitmap(id: string): void {
  bitmaps.get(id)?.close();
  bitmaps.delete(id);
}
