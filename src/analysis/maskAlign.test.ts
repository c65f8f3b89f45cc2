import { describe, expect, it } from 'vitest';
import { decodedImage } from '../model/preprocess/image.ts';
import { cropImage } from '../model/preprocess/modes.ts';
import { resampleNearest } from '../model/preprocess/resample.ts';
import { centerCropOffset, shortSideResizeSize } from '../model/preprocess/transform.ts';
import { alignMaskToCrop, binarizeMask, cropMask, maskOnInput, resizeMaskNearest, resizeMaskToInput, type CropGeometry, type MaskRaster } from './maskAlign.ts';
import { rng } from '../testkit/synthetic.ts';

function randomMask(width: number, height: number, seed: number): MaskRaster {
  const r = rng(seed);
  return { width, height, data: Uint8Array.from({ length: width * height }, () => Math.floor(r.uniform() * 256)) };
}

/** the same steps through the photo pipeline's own resampler and crop (Pillow semantics) */
function viaPreprocess(mask: MaskRaster, photoW: number, photoH: number, shortSide: number, S: number): Uint8Array {
  const atPhoto = resampleNearest({ ...mask, channels: 1 }, photoW, photoH);
  const size = shortSideResizeSize(photoW, photoH, shortSide);
  const resized = resampleNearest(atPhoto, size.width, size.height);
  const img = decodedImage(resized.width, resized.height, 'L', resized.data);
  return cropImage(img, centerCropOffset(size.width, S), centerCropOffset(size.height, S), S, S).data;
}

describe('maskAlign', () => {
  it('binarizeMask(grey) is 1 exactly where the value is > 127', () => {
    const m = binarizeMask({ width: 4, height: 1, data: Uint8Array.from([0, 127, 128, 255]) });
    expect(Array.from(m.data)).toEqual([0, 0, 1, 1]);
  });

  it('resizeMaskNearest(2x2 -> 4x4) repeats each pixel in a 2x2 block, and (4x1 -> 2x1) takes pixels 1 and 3', () => {
    const up = resizeMaskNearest({ width: 2, height: 2, data: Uint8Array.from([1, 2, 3, 4]) }, 4, 4);
    expect(Array.from(up.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const down = resizeMaskNearest({ width: 4, height: 1, data: Uint8Array.from([10, 11, 12, 13]) }, 2, 1);
    expect(Array.from(down.data)).toEqual([11, 13]);
  });

  it('cropMask(left/top outside the raster) fills with 0', () => {
    const m = { width: 2, height: 2, data: Uint8Array.from([1, 2, 3, 4]) };
    expect(Array.from(cropMask(m, -1, -1, 3).data)).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
  });

  it.each([
    // mask size, photo size, short side, S
    [[315, 232], [800, 590], 56, 56],
    [[100, 150], [200, 300], 48, 48],
    [[17, 9], [51, 27], 32, 32],
    [[64, 64], [64, 64], 64, 64],
    [[40, 30], [40, 30], 24, 28], // crop larger than the resized image: zero padding
    [[7, 5], [301, 199], 224, 224],
  ])('alignMaskToCrop(mask %j, photo %j, resize %i, crop %i) equals resampleNearest + cropImage of the photo pipeline', (m, p, short, S) => {
    const mask = randomMask(m[0], m[1], m[0] * 1000 + m[1]);
    const size = shortSideResizeSize(p[0], p[1], short);
    const got = alignMaskToCrop(mask, {
      photoWidth: p[0],
      photoHeight: p[1],
      resizedWidth: size.width,
      resizedHeight: size.height,
      left: centerCropOffset(size.width, S),
      top: centerCropOffset(size.height, S),
      size: S,
    });
    expect(got.width).toBe(S);
    expect(got.height).toBe(S);
    expect(Buffer.from(got.data).equals(Buffer.from(viaPreprocess(mask, p[0], p[1], short, S)))).toBe(true);
  });

  it('alignMaskToCrop of a left-half mask on a landscape photo keeps the boundary at the cropped position', () => {
    // photo 8x4, mask 4x2 with the left 2 columns foreground; resize short side 4 (no-op), crop 4 at left = 2
    const mask = { width: 4, height: 2, data: Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0]) };
    const got = alignMaskToCrop(mask, { photoWidth: 8, photoHeight: 4, resizedWidth: 8, resizedHeight: 4, left: 2, top: 0, size: 4 });
    expect(Array.from(got.data)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
  });

  describe('mask protocols', () => {
    // photo 8x4 (landscape), resize short side 4 (no-op), crop 4 at left = 2
    const landscape: CropGeometry = { photoWidth: 8, photoHeight: 4, resizedWidth: 8, resizedHeight: 4, left: 2, top: 0, size: 4 };
    // the left quarter of the photo (columns 0-1) is foreground
    const leftQuarter = { width: 8, height: 4, data: Uint8Array.from({ length: 32 }, (_, i) => (i % 8 < 2 ? 1 : 0)) };

    it("'crop' cuts off a foreground strip outside the centre crop; 'paper' squeezes the whole mask into S x S and keeps it", () => {
      expect(Array.from(maskOnInput(leftQuarter, 'crop', landscape).data)).toEqual(new Array(16).fill(0));
      // 8 -> 4 columns, nearest: source columns 1, 3, 5, 7
      expect(Array.from(maskOnInput(leftQuarter, 'paper', landscape).data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    });

    it("'paper' on a portrait mask at another resolution than the photo: rows squeezed, columns stretched", () => {
      // mask 2x6 (w x h), top third foreground; photo 20x60, crop S = 4 from the middle of a 4x12 resize
      const mask = { width: 2, height: 6, data: Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]) };
      const g: CropGeometry = { photoWidth: 20, photoHeight: 60, resizedWidth: 4, resizedHeight: 12, left: 0, top: 4, size: 4 };
      // rows 6 -> 4: sources trunc(0.75), trunc(2.25), trunc(3.75), trunc(5.25) = 0, 2, 3, 5
      expect(Array.from(resizeMaskToInput(mask, 4).data)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(maskOnInput(mask, 'paper', g)).toEqual(resizeMaskToInput(mask, 4));
      // the crop keeps resized rows 4-7 = mask rows 2-3 (background): all 0
      expect(Array.from(maskOnInput(mask, 'crop', g).data)).toEqual(new Array(16).fill(0));
    });

    it.each([
      [[64, 64], 32],
      [[33, 33], 14],
      [[200, 200], 56],
    ])('on a square photo (mask at its size %j, S = %i) both protocols give the same labels', (size, S) => {
      const mask = randomMask(size[0], size[1], 7 * S);
      const g: CropGeometry = { photoWidth: size[0], photoHeight: size[1], resizedWidth: S, resizedHeight: S, left: 0, top: 0, size: S };
      expect(Buffer.from(maskOnInput(mask, 'paper', g).data).equals(Buffer.from(maskOnInput(mask, 'crop', g).data))).toBe(true);
    });
  });
});
