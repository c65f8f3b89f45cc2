import { describe, expect, it } from 'vitest';
import { resampleBicubic, resampleNearest, type Raster } from './resample.ts';

function constantRaster(width: number, height: number, values: number[]): Raster {
  const data = new Uint8Array(width * height * values.length);
  for (let i = 0; i < data.length; i++) data[i] = values[i % values.length];
  return { width, height, channels: values.length, data };
}

function pseudoRandomRaster(width: number, height: number, channels: number, seed = 1): Raster {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, channels, data };
}

describe('resampleBicubic', () => {
  const sizes: [number, number, number, number][] = [
    [512, 512, 224, 224], // square downscale
    [451, 300, 336, 224], // downscale, non-integer factor
    [1411, 1411, 64, 64], // strong downscale (wide antialias window)
    [30, 17, 224, 126], // upscale
    [224, 300, 224, 64], // one axis only (horizontal pass skipped)
  ];
  for (const [w, h, ow, oh] of sizes) {
    it(`resampleBicubic(constant ${w}x${h}, ${ow}, ${oh}) stays constant in every band`, () => {
      for (const values of [[0], [255], [17, 128, 254], [0, 255, 3, 77]]) {
        const out = resampleBicubic(constantRaster(w, h, values), ow, oh);
        expect(out.width).toBe(ow);
        expect(out.height).toBe(oh);
        expect(out.data.length).toBe(ow * oh * values.length);
        for (let i = 0; i < out.data.length; i++) {
          if (out.data[i] !== values[i % values.length]) {
            throw new Error(`pixel ${i} is ${out.data[i]}, expected ${values[i % values.length]}`);
          }
        }
      }
    });
  }

  it('resampleBicubic to the same size returns an equal copy', () => {
    const src = pseudoRandomRaster(13, 7, 3);
    const out = resampleBicubic(src, 13, 7);
    expect(out.data).toEqual(src.data);
    expect(out.data).not.toBe(src.data);
  });

  it('resampleBicubic keeps bands independent (a band resampled alone gives the same bytes)', () => {
    const rgb = pseudoRandomRaster(40, 23, 3, 7);
    const out = resampleBicubic(rgb, 17, 31);
    for (let c = 0; c < 3; c++) {
      const band = new Uint8Array(40 * 23);
      for (let i = 0; i < band.length; i++) band[i] = rgb.data[3 * i + c];
      const alone = resampleBicubic({ width: 40, height: 23, channels: 1, data: band }, 17, 31);
      for (let i = 0; i < alone.data.length; i++) expect(out.data[3 * i + c]).toBe(alone.data[i]);
    }
  });

  it('resampleBicubic clips overshoot at a hard edge to 0..255 (bicubic rings)', () => {
    // 0 | 255 step upscaled 4x: the a=-0.5 kernel overshoots, the 8-bit result must clip, not wrap
    const src: Raster = { width: 8, height: 1, channels: 1, data: new Uint8Array([0, 0, 0, 0, 255, 255, 255, 255]) };
    const out = resampleBicubic(src, 32, 1);
    expect(out.data[0]).toBe(0);
    expect(out.data[31]).toBe(255);
    // monotone non-decreasing apart from clipped ringing
    for (let i = 1; i < 32; i++) expect(out.data[i]).toBeGreaterThanOrEqual(out.data[i - 1]);
  });

  it('resampleBicubic of a mirror-symmetric row stays mirror-symmetric', () => {
    const row = [3, 50, 200, 90, 90, 200, 50, 3];
    const out = resampleBicubic({ width: 8, height: 1, channels: 1, data: new Uint8Array(row) }, 5, 1);
    expect(Array.from(out.data)).toEqual(Array.from(out.data).reverse());
  });
});

describe('resampleNearest', () => {
  it('resampleNearest halving picks the odd source indices (pixel-centre sampling, as Pillow)', () => {
    const src: Raster = { width: 8, height: 1, channels: 1, data: new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]) };
    expect(Array.from(resampleNearest(src, 4, 1).data)).toEqual([1, 3, 5, 7]);
  });

  it('resampleNearest doubling repeats each pixel twice and only copies existing values', () => {
    const src: Raster = { width: 3, height: 2, channels: 2, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) };
    const out = resampleNearest(src, 6, 4);
    expect(Array.from(out.data.subarray(0, 12))).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6]);
    expect(Array.from(out.data.subarray(12, 24))).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6]);
    expect(Array.from(out.data.subarray(24, 36))).toEqual([7, 8, 7, 8, 9, 10, 9, 10, 11, 12, 11, 12]);
  });
});
