import { describe, expect, it } from 'vitest';
import {
  bf16BitsToF32,
  decodeBF16,
  decodeF16,
  encodeBF16,
  encodeF16,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
} from './half.ts';

/** float32 -> its bit pattern */
function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

describe('f16BitsToF32 on known bit patterns', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504], // largest normal
    [0x0400, 2 ** -14], // smallest normal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x8001, -(2 ** -24)],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  it.each(cases)('0x%s', (bits, value) => {
    expect(f16BitsToF32(bits)).toBe(value);
  });
  it('keeps the sign of zero and decodes NaNs', () => {
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
    expect(f16BitsToF32(0xfc01)).toBeNaN();
  });
});

describe('f32ToF16Bits rounds to nearest, ties to even', () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519.99, 0x7bff], // below the overflow midpoint
    [65520, 0x7c00], // midpoint ties to even = infinity
    [1e9, 0x7c00],
    [2 ** -14, 0x0400],
    [2 ** -24, 0x0001],
    [1023 * 2 ** -24, 0x03ff],
    [2 ** -25, 0x0000], // tie between 0 and the smallest subnormal -> even (0)
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal units -> even (2)
    [2 ** -25 * 1.0001, 0x0001],
    [1 + 2 ** -11, 0x3c00], // tie -> even mantissa 0
    [1 + 3 * 2 ** -11, 0x3c02], // tie -> even mantissa 2
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the tie
    [1023.5 * 2 ** -24, 0x0400], // tie above the largest subnormal rounds (to even) into the smallest normal
    [1e-10, 0x0000],
    [-1e-10, 0x8000],
  ];
  it.each(cases)('%s', (x, bits) => {
    expect(f32ToF16Bits(x)).toBe(bits);
  });
  it('infinities and NaN', () => {
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    const nan = f32ToF16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });
  it('round-trips every finite f16 value exactly', () => {
    for (let b = 0; b < 0x10000; b++) {
      const exp = (b >> 10) & 0x1f;
      if (exp === 31) continue;
      expect(f32ToF16Bits(f16BitsToF32(b))).toBe(b);
    }
  });
});

describe('bf16', () => {
  it('decodes known patterns', () => {
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(bf16BitsToF32(0xc040)).toBe(-3);
    expect(bf16BitsToF32(0x7f80)).toBe(Infinity);
    expect(bf16BitsToF32(0x0001)).toBe(2 ** -133); // subnormal
    expect(bf16BitsToF32(0x7fc0)).toBeNaN();
  });
  it('rounds to nearest, ties to even', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    // 1 + 2^-8 is the midpoint between 0x3f80 and 0x3f81 -> even 0x3f80
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    // 1 + 3*2^-8 is the midpoint between 0x3f81 and 0x3f82 -> even 0x3f82
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -15)).toBe(0x3f81);
    expect(f32ToBf16Bits(3.4028234663852886e38)).toBe(0x7f80); // max f32 rounds to infinity
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
    const nan = f32ToBf16Bits(NaN);
    expect(nan & 0x7f80).toBe(0x7f80);
    expect(nan & 0x7f).not.toBe(0);
  });
  it('keeps f32 subnormals (bf16 has the f32 exponent range)', () => {
    const tiny = 2 ** -130;
    expect(bf16BitsToF32(f32ToBf16Bits(tiny))).toBe(tiny);
  });
});

describe('bulk conversions agree with the scalar ones', () => {
  const values = new Float32Array([0, -0, 1, -1.5, 3.14159, 1e-6, 1e-8, 70000, -65504, 2 ** -24, NaN, Infinity]);
  it('encodeF16 / decodeF16', () => {
    const halves = encodeF16(values);
    for (let i = 0; i < values.length; i++) expect(halves[i]).toBe(f32ToF16Bits(values[i]));
    const back = decodeF16(halves);
    for (let i = 0; i < values.length; i++) {
      const expected = f16BitsToF32(halves[i]);
      if (Number.isNaN(expected)) expect(back[i]).toBeNaN();
      else expect(back[i]).toBe(expected);
    }
  });
  it('encodeBF16 / decodeBF16', () => {
    const halves = encodeBF16(values);
    for (let i = 0; i < values.length; i++) expect(halves[i]).toBe(f32ToBf16Bits(values[i]));
    const back = decodeBF16(halves);
    for (let i = 0; i < values.length; i++) {
      const expected = bf16BitsToF32(halves[i]);
      if (Number.isNaN(expected)) expect(back[i]).toBeNaN();
      else expect(back[i]).toBe(expected);
      // bf16 is the top half of the f32 pattern
      if (!Number.isNaN(values[i])) expect(f32Bits(back[i]) & 0xffff).toBe(0);
    }
  });
  it('works on views with a byte offset', () => {
    const buf = new Float32Array(8);
    buf.set([1, 2, 3], 5);
    const view = buf.subarray(5);
    expect(Array.from(decodeF16(encodeF16(view)))).toEqual([1, 2, 3]);
  });
});
