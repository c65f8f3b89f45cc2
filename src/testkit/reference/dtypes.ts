/**
 * Bit-level conversions between float64 and the storage dtypes of safetensors files
 * (F16 = IEEE binary16, BF16 = the top half of a binary32). Written out by hand on purpose:
 * the oracle shares no decoding code with the production loader.
 */

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

export function bf16BitsToNumber(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0];
}

/** round half to even, for the non-negative magnitudes used below */
function roundHalfEven(q: number): number {
  const floor = Math.floor(q);
  const rest = q - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Nearest binary16 (round half to even; overflow to ±Infinity). */
export function numberToF16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const signBit = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a < 2 ** -14) return signBit | roundHalfEven(a / 2 ** -24); // subnormal (1024 rolls into exponent 1)
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent -= 1;
  if (2 ** (exponent + 1) <= a) exponent += 1;
  let fraction = roundHalfEven((a / 2 ** exponent - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    exponent += 1;
  }
  if (exponent > 15) return signBit | 0x7c00;
  return signBit | ((exponent + 15) << 10) | fraction;
}

/** Nearest bfloat16 of the nearest binary32 (round half to even on the dropped 16 bits). */
export function numberToBf16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  f32Scratch[0] = x;
  const bits = u32Scratch[0];
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export type FloatStorage = 'F64' | 'F32' | 'F16' | 'BF16';

/** The value a float64 becomes after a round trip through `dtype`. */
export function roundToStorage(x: number, dtype: FloatStorage): number {
  switch (dtype) {
    case 'F64':
      return x;
    case 'F32':
      return Math.fround(x);
    case 'F16':
      return f16BitsToNumber(numberToF16Bits(x));
    case 'BF16':
      return bf16BitsToNumber(numberToBf16Bits(x));
  }
}
