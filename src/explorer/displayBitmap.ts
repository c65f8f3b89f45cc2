/**
 * An image's display bitmap, made where the image is decoded (the model worker) and transferred to
 * the page, so the main thread neither decodes nor resamples: the centre square of the source — the
 * region the model sees after resizing the short side and cropping — at up to 448 px. Where the
 * browser cannot decode the file, the model's own S×S view is used. Browser only (createImageBitmap).
 */

const MAX_SIDE = 448;

export async function displayBitmap(bytes: Uint8Array, fallback: { width: number; height: number; rgba: Uint8ClampedArray }): Promise<ImageBitmap> {
  try {
    const probe = await createImageBitmap(new Blob([bytes as BlobPart]));
    const side = Math.min(probe.width, probe.height);
    const out = Math.min(MAX_SIDE, side);
    const sx = Math.floor((probe.width - side) / 2);
    const sy = Math.floor((probe.height - side) / 2);
    const bmp = await createImageBitmap(probe, sx, sy, side, side, { resizeWidth: out, resizeHeight: out, resizeQuality: 'high' });
    probe.close();
    return bmp;
  } catch {
    return createImageBitmap(new ImageData(new Uint8ClampedArray(fallback.rgba), fallback.width, fallback.height));
  }
}
