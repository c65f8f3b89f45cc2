/**
 * Bitmaps of the loaded images, for drawing overlays and thumbnails. Kept outside the store (the
 * store holds ids only). The worker prepares each one (src/explorer/displayBitmap.ts) and transfers
 * it here, so nothing is decoded or resampled on the main thread.
 */

const bitmaps = new Map<string, ImageBitmap>();

export function imageBitmap(id: string): ImageBitmap | undefined {
  return bitmaps.get(id);
}

export function cacheImageBitmap(id: string, bitmap: ImageBitmap): void {
  bitmaps.get(id)?.close();
  bitmaps.set(id, bitmap);
}

export function dropImageBitmap(id: string): void {
  bitmaps.get(id)?.close();
  bitmaps.delete(id);
}
