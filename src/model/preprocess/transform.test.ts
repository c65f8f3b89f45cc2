import { describe, expect, it } from 'vitest';
import type { PreprocessConfig } from '../arch.ts';
import { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from './golden.ts';
import { decodedImage, type DecodedImage } from './image.ts';
import { convertToRgb, cropImage, premultiplyAlpha, resizeImage, unpremultiplyAlpha } from './modes.ts';
import {
  centerCropOffset,
  preprocessForDisplay,
  preprocessPixels,
  resizeAndCenterCrop,
  roundHalfEven,
  shortSideResizeSize,
} from './transform.ts';

const cfg = (size: number): PreprocessConfig => ({
  size,
  resizeShortSide: size,
  mean: OPENAI_CLIP_MEAN,
  std: OPENAI_CLIP_STD,
  interpolation: 'bicubic',
});

function constantImage(width: number, height: number, mode: DecodedImage['mode'], pixel: number[], palette?: Uint8Array): DecodedImage {
  const data = new Uint8Array(width * height * pixel.length);
  for (let i = 0; i < data.length; i++) data[i] = pixel[i % pixel.length];
  return decodedImage(width, height, mode, data, palette);
}

describe('crop and resize geometry (torchvision 0.14 rules)', () => {
  it('roundHalfEven matches Python round() on ties and non-ties', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 0.49, 0.51, 2.4999, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, 0, 1, 2, 7]);
  });

  it('centerCropOffset(dim, 224) = int(round((dim - 224) / 2)) with ties to even', () => {
    expect(centerCropOffset(224, 224)).toBe(0);
    expect(centerCropOffset(225, 224)).toBe(0); // round(0.5) = 0
    expect(centerCropOffset(226, 224)).toBe(1);
    expect(centerCropOffset(227, 224)).toBe(2); // round(1.5) = 2
    expect(centerCropOffset(229, 224)).toBe(2); // round(2.5) = 2
    expect(centerCropOffset(231, 224)).toBe(4); // round(3.5) = 4
    expect(centerCropOffset(336, 224)).toBe(56);
  });

  it('centerCropOffset(dim < crop) pads (crop - dim) // 2 on the leading side', () => {
    expect(centerCropOffset(220, 224)).toBe(-2);
    expect(centerCropOffset(221, 224)).toBe(-1); // pad left 1, right 2
  });

  it('shortSideResizeSize truncates the long side: int(S * long / short)', () => {
    expect(shortSideResizeSize(451, 300, 224)).toEqual({ width: 336, height: 224 }); // 336.75
    expect(shortSideResizeSize(300, 451, 224)).toEqual({ width: 224, height: 336 });
    expect(shortSideResizeSize(1000, 872, 224)).toEqual({ width: 256, height: 224 }); // 256.88
    expect(shortSideResizeSize(640, 427, 64)).toEqual({ width: 95, height: 64 }); // 95.93
    expect(shortSideResizeSize(512, 512, 224)).toEqual({ width: 224, height: 224 });
  });

  it('cropImage outside the source fills zeros (torchvision pads with 0)', () => {
    const img = constantImage(2, 2, 'L', [9]);
    const out = cropImage(img, -1, 0, 4, 3);
    expect(Array.from(out.data)).toEqual([0, 9, 9, 0, 0, 9, 9, 0, 0, 0, 0, 0]);
  });
});

describe('mode handling (Pillow semantics)', () => {
  it('premultiplyAlpha then unpremultiplyAlpha follows Pillow integer rounding', () => {
    const rgba = new Uint8Array([200, 100, 50, 128, 255, 255, 255, 0, 7, 8, 9, 255]);
    const pre = premultiplyAlpha(rgba, 4);
    // MULDIV255: round(200*128/255) = 100, round(100*128/255) = 50, round(50*128/255) = 25
    expect(Array.from(pre)).toEqual([100, 50, 25, 128, 0, 0, 0, 0, 7, 8, 9, 255]);
    // truncating division: 255*100/128 = 199.2 -> 199, 255*50/128 = 99.6 -> 99, 255*25/128 = 49.8 -> 49
    expect(Array.from(unpremultiplyAlpha(pre, 4))).toEqual([199, 99, 49, 128, 0, 0, 0, 0, 7, 8, 9, 255]);
  });

  it('resizeImage(RGBA fully transparent) turns colour black, as Pillow does via RGBa', () => {
    const img = constantImage(10, 10, 'RGBA', [200, 100, 50, 0]);
    expect(Array.from(resizeImage(img, 4, 4).data.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    // no resize needed: Pillow returns a copy, colour survives
    expect(Array.from(resizeImage(img, 10, 10).data.subarray(0, 4))).toEqual([200, 100, 50, 0]);
  });

  it('resizeImage(RGBA opaque) keeps the colour; convertToRgb drops alpha without compositing', () => {
    const opaque = resizeImage(constantImage(10, 6, 'RGBA', [200, 100, 50, 255]), 7, 4);
    expect(Array.from(convertToRgb(opaque).subarray(0, 3))).toEqual([200, 100, 50]);
    const half = constantImage(1, 1, 'RGBA', [200, 100, 50, 10]);
    expect(Array.from(convertToRgb(half))).toEqual([200, 100, 50]);
  });

  it('resizeImage(P) uses nearest neighbour, so only palette indices that exist appear', () => {
    const palette = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const data = new Uint8Array(9 * 9).map((_, i) => (i % 9 < 4 ? 0 : i % 9 < 6 ? 1 : 2));
    const out = resizeImage(decodedImage(9, 9, 'P', data, palette), 5, 5);
    expect(out.mode).toBe('P');
    expect(new Set(out.data)).toEqual(new Set([0, 1, 2]));
    const rgb = convertToRgb(out);
    expect(Array.from(rgb.subarray(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(rgb.subarray(12, 15))).toEqual([0, 0, 255]);
  });

  it("convertToRgb expands 'L', 'LA' and '1' to grey RGB", () => {
    expect(Array.from(convertToRgb(constantImage(1, 1, 'L', [77])))).toEqual([77, 77, 77]);
    expect(Array.from(convertToRgb(constantImage(1, 1, 'LA', [77, 3])))).toEqual([77, 77, 77]);
    expect(Array.from(convertToRgb(constantImage(1, 1, '1', [255])))).toEqual([255, 255, 255]);
  });
});

describe('preprocessPixels', () => {
  it('preprocessPixels(constant RGB 451x300, S=224) is the normalised constant in every cell', () => {
    const out = preprocessPixels(constantImage(451, 300, 'RGB', [10, 128, 250]), cfg(224));
    expect(out.shape).toBe('C S S');
    expect(out.dims).toEqual([3, 224, 224]);
    const n = 224 * 224;
    [10, 128, 250].forEach((v, c) => {
      const expected = (v / 255 - OPENAI_CLIP_MEAN[c]) / OPENAI_CLIP_STD[c];
      for (let i = 0; i < n; i++) {
        if (Math.abs(out.data[c * n + i] - expected) > 1e-6) throw new Error(`channel ${c} cell ${i}: ${out.data[c * n + i]} != ${expected}`);
      }
    });
  });

  it("preprocessPixels of an 'L' image equals that of the same image as RGB with equal bands", () => {
    const grey = new Uint8Array(37 * 23).map((_, i) => (i * 37) % 251);
    const rgb = new Uint8Array(grey.length * 3).map((_, i) => grey[Math.floor(i / 3)]);
    const a = preprocessPixels(decodedImage(37, 23, 'L', grey), cfg(16));
    const b = preprocessPixels(decodedImage(37, 23, 'RGB', rgb), cfg(16));
    expect(a.data).toEqual(b.data);
  });

  it('preprocessPixels keeps the image centre: a centred dot stays centred after crop', () => {
    // 40x20 image with a bright 2x2 square in the middle, resized to 20x10 -> 10x10 crop
    const data = new Uint8Array(40 * 20);
    for (const [x, y] of [[19, 9], [20, 9], [19, 10], [20, 10]]) data[y * 40 + x] = 255;
    const disp = preprocessForDisplay(decodedImage(40, 20, 'L', data), { size: 10, resizeShortSide: 10 });
    const at = (x: number, y: number) => disp.data[(y * 10 + x) * 4];
    expect(at(4, 4) + at(5, 4) + at(4, 5) + at(5, 5)).toBeGreaterThan(4 * at(0, 0) + 100);
    expect(at(4, 4)).toBe(at(5, 5));
    expect(at(4, 5)).toBe(at(5, 4));
  });

  it('preprocessForDisplay returns opaque RGBA bytes equal to the un-normalised tensor', () => {
    const img = decodedImage(30, 21, 'RGB', new Uint8Array(30 * 21 * 3).map((_, i) => (i * 13) % 256));
    const disp = preprocessForDisplay(img, { size: 12, resizeShortSide: 12 });
    const t = preprocessPixels(img, cfg(12));
    expect(disp.width).toBe(12);
    expect(disp.data.length).toBe(12 * 12 * 4);
    const n = 144;
    for (let i = 0; i < n; i++) {
      expect(disp.data[4 * i + 3]).toBe(255);
      for (let c = 0; c < 3; c++) {
        const back = (t.data[c * n + i] * OPENAI_CLIP_STD[c] + OPENAI_CLIP_MEAN[c]) * 255;
        expect(Math.abs(back - disp.data[4 * i + c])).toBeLessThan(1e-3);
      }
    }
  });

  it('resizeAndCenterCrop with resizeShortSide > size crops the centre of the larger resize', () => {
    const img = constantImage(300, 200, 'RGB', [1, 2, 3]);
    const out = resizeAndCenterCrop(img, 256, 224);
    expect([out.width, out.height, out.mode]).toEqual([224, 224, 'RGB']);
  });
});
