import { describe, expect, it } from 'vitest';
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits, roundToStorage } from './dtypes.ts';
import { encodeSafetensors, parseSafetensors } from './safetensors.ts';

/** A safetensors file assembled byte by byte, independent of encodeSafetensors. */
function handMadeFile(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true); // u64 LE, high word 0
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('float16 / bfloat16 bit conversions', () => {
  it.each([
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504],
    [0x0400, 2 ** -14],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x3555, 0.333251953125],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('f16 bits %i <-> %s', (bits, value) => {
    expect(f16BitsToNumber(bits)).toBe(value);
    expect(numberToF16Bits(value)).toBe(bits);
  });

  it('f16: negative zero, NaN', () => {
    expect(Object.is(f16BitsToNumber(0x8000), -0)).toBe(true);
    expect(Number.isNaN(f16BitsToNumber(0x7e00))).toBe(true);
  });

  it('numberToF16Bits rounds to nearest, ties to even, and overflows to Infinity', () => {
    expect(numberToF16Bits(1 / 3)).toBe(0x3555);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (1.0)
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (1 + 2/1024)
    expect(numberToF16Bits(2 ** -25)).toBe(0x0000); // subnormal tie -> 0
    expect(numberToF16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(numberToF16Bits(65519)).toBe(0x7bff);
    expect(numberToF16Bits(65520)).toBe(0x7c00);
  });

  it.each([
    [0x3f80, 1],
    [0xc040, -3],
    [0x3eab, 0.333984375],
    [0x0080, 2 ** -126],
    [0x7f80, Infinity],
  ])('bf16 bits %i <-> %s', (bits, value) => {
    expect(bf16BitsToNumber(bits)).toBe(value);
    expect(numberToBf16Bits(value)).toBe(bits);
  });

  it('numberToBf16Bits rounds ties to even', () => {
    expect(numberToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });

  it('roundToStorage is idempotent and lands on the grid', () => {
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      for (const x of [0.1, -7.3, 1e-3, 123.456]) {
        const once = roundToStorage(x, dtype);
        expect(roundToStorage(once, dtype)).toBe(once);
        expect(Math.abs(once - x) / Math.abs(x)).toBeLessThan(dtype === 'BF16' ? 2 ** -8 : dtype === 'F16' ? 2 ** -11 : 2 ** -24);
      }
    }
  });
});

describe('parseSafetensors', () => {
  it('decodes a hand-assembled file with F32, F16, BF16 and I64 tensors', () => {
    const f32 = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]; // 1, -2
    const f16 = [0x00, 0x3c, 0x55, 0x35]; // 1, 0.333251953125
    const bf16 = [0x40, 0xc0]; // -3
    const i64 = [7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]; // 7, -1
    const file = handMadeFile(
      {
        __metadata__: { format: 'pt' },
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F16', shape: [1, 2], data_offsets: [8, 12] },
        c: { dtype: 'BF16', shape: [], data_offsets: [12, 14] },
        d: { dtype: 'I64', shape: [2], data_offsets: [14, 30] },
      },
      [...f32, ...f16, ...bf16, ...i64],
    );
    const tensors = parseSafetensors(file, 'hand.safetensors');
    expect([...tensors.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(tensors.get('a')).toEqual({ shape: [2], data: Float64Array.from([1, -2]) });
    expect(tensors.get('b')).toEqual({ shape: [1, 2], data: Float64Array.from([1, 0.333251953125]) });
    expect(tensors.get('c')).toEqual({ shape: [], data: Float64Array.from([-3]) });
    expect(tensors.get('d')).toEqual({ shape: [2], data: Float64Array.from([7, -1]) });
  });

  it('reads what encodeSafetensors writes, from a view with a non-zero byteOffset', () => {
    const values = [0.5, -1.25, 3, 1e-3, 42, -0];
    const encoded = encodeSafetensors([
      { name: 'x32', dtype: 'F32', shape: [2, 3], values },
      { name: 'x16', dtype: 'F16', shape: [6], values },
      { name: 'x64', dtype: 'F64', shape: [3, 2], values },
    ]);
    const padded = new Uint8Array(encoded.length + 3);
    padded.set(encoded, 3);
    const tensors = parseSafetensors(padded.subarray(3), 'roundtrip');
    expect(Array.from(tensors.get('x32')!.data)).toEqual(values.map(Math.fround));
    expect(Array.from(tensors.get('x16')!.data)).toEqual(values.map((v) => roundToStorage(v, 'F16')));
    expect(Array.from(tensors.get('x64')!.data)).toEqual(values);
  });

  it('refuses truncated files, unknown dtypes and inconsistent offsets, naming the file and tensor', () => {
    expect(() => parseSafetensors(new Uint8Array(4), 'tiny.safetensors')).toThrow(/tiny\.safetensors.*too short/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, 1000, true);
    expect(() => parseSafetensors(huge, 'h')).toThrow(/header length 1000 exceeds/);
    const fp8 = handMadeFile({ q: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]);
    expect(() => parseSafetensors(fp8, 'f')).toThrow(/tensor 'q': unsupported dtype "F8_E4M3"/);
    const short = handMadeFile({ q: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]);
    expect(() => parseSafetensors(short, 'f')).toThrow(/needs 8 bytes, offsets span 4/);
    const past = handMadeFile({ q: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, [0, 0, 0, 0]);
    expect(() => parseSafetensors(past, 'f')).toThrow(/past the data section/);
  });
});
