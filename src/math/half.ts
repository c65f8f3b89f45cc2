/**
 * IEEE binary16 (f16) and bfloat16 (bf16) <-> binary32 conversions, bit-exact.
 *
 * Narrowing rounds to nearest, ties to even (what PyTorch and numpy do); overflow gives
 * infinity, tiny values become signed zero or f16 subnormals, NaN stays NaN (quiet bit set).
 * Bulk functions assume the platform is little-endian for the typed-array views, which holds
 * for every browser and Node platform we run on.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** the float32 value of f16 bits (exact: every f16 is representable in f32) */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** f16 bits of `x` rounded first to float32, then to f16 (nearest, ties to even) */
export function f32ToF16Bits(x: number): number {
  scratchF32[0] = x;
  return f32BitsToF16Bits(scratchU32[0]);
}

function f32BitsToF16Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // result is an f16 subnormal (or zero): value / 2^-24, rounded
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const kept = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const rounded = rest > halfway || (rest === halfway && (kept & 1) === 1) ? kept + 1 : kept;
    return sign | rounded; // a carry into bit 10 is exactly the smallest normal
  }
  const kept = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // a carry out of the mantissa bumps the exponent, and 0x7bff + 1 is infinity: both correct
  const rounded = rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1) ? kept + 1 : kept;
  return sign | rounded;
}

/** the float32 value of bf16 bits (exact) */
export function bf16BitsToF32(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}

/** bf16 bits of `x` rounded first to float32, then to bf16 (nearest, ties to even) */
export function f32ToBf16Bits(x: number): number {
  scratchF32[0] = x;
  return f32BitsToBf16Bits(scratchU32[0]);
}

function f32BitsToBf16Bits(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  const lsb = (b >>> 16) & 1;
  return ((b + 0x7fff + lsb) >>> 16) & 0xffff;
}

let f16Table: Float32Array | undefined;

/** all 65536 f16 values, built once (256 KB): makes bulk decoding a table lookup */
function f16LookupTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Table[i] = f16BitsToF32(i);
  }
  return f16Table;
}

export function decodeF16(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const table = f16LookupTable();
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

export function encodeF16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16Bits(bits[i]);
  return out;
}

export function decodeBF16(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}

export function encodeBF16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToBf16Bits(bits[i]);
  return out;
}
