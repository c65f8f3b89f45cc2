/**
 * A deliberately minimal safetensors codec for the oracle (not the production reader):
 * the whole file is in memory and every tensor is decoded to float64.
 *
 * File format: u64 little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }`,
 * then the data section; offsets are relative to the start of the data section.
 */
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from './dtypes.ts';

export interface RawTensor {
  readonly shape: number[];
  readonly data: Float64Array;
}

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64';

const BYTES_PER_ELEMENT: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8 };

function isDType(s: unknown): s is SafetensorsDType {
  return typeof s === 'string' && Object.hasOwn(BYTES_PER_ELEMENT, s);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function decode(view: DataView, start: number, count: number, dtype: SafetensorsDType, where: string): Float64Array {
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const at = start + k * BYTES_PER_ELEMENT[dtype];
    switch (dtype) {
      case 'F64':
        out[k] = view.getFloat64(at, true);
        break;
      case 'F32':
        out[k] = view.getFloat32(at, true);
        break;
      case 'F16':
        out[k] = f16BitsToNumber(view.getUint16(at, true));
        break;
      case 'BF16':
        out[k] = bf16BitsToNumber(view.getUint16(at, true));
        break;
      case 'I64': {
        const v = view.getBigInt64(at, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new Error(`${where}: I64 value ${v} is not exactly representable`);
        }
        out[k] = Number(v);
        break;
      }
    }
  }
  return out;
}

/** Decode every tensor of one safetensors file. `fileName` is only used in error messages. */
export function parseSafetensors(bytes: Uint8Array, fileName: string): Map<string, RawTensor> {
  if (bytes.byteLength < 8) throw new Error(`${fileName}: ${bytes.byteLength} bytes, too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) {
    throw new Error(`${fileName}: header length ${headerLength} exceeds the file (${bytes.byteLength} bytes)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (cause) {
    throw new Error(`${fileName}: header is not JSON (${String(cause)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error(`${fileName}: header is not a JSON object`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, RawTensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const where = `${fileName}: tensor '${name}'`;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (!isDType(dtype)) throw new Error(`${where}: unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${where}: bad shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new Error(`${where}: bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const count = elementCount(shape);
    if (end - begin !== count * BYTES_PER_ELEMENT[dtype]) {
      throw new Error(`${where}: ${dtype}${JSON.stringify(shape)} needs ${count * BYTES_PER_ELEMENT[dtype]} bytes, offsets span ${end - begin}`);
    }
    if (end > dataLength) throw new Error(`${where}: data ends at ${end}, past the data section (${dataLength} bytes)`);
    tensors.set(name, { shape: [...shape], data: decode(view, dataStart + begin, count, dtype, where) });
  }
  return tensors;
}

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** values; F16/BF16/F32 values are rounded to the dtype (round half to even) */
  readonly values: ArrayLike<number>;
}

/** Encode tensors as a safetensors file (header padded with spaces to a multiple of 8). */
export function encodeSafetensors(entries: readonly SafetensorsEntry[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    const count = elementCount(e.shape);
    if (count !== e.values.length) throw new Error(`tensor '${e.name}': shape [${e.shape}] needs ${count} values, got ${e.values.length}`);
    const size = count * BYTES_PER_ELEMENT[e.dtype];
    header[e.name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const e of entries) {
    for (let k = 0; k < e.values.length; k++) {
      const v = e.values[k];
      switch (e.dtype) {
        case 'F64':
          view.setFloat64(at, v, true);
          break;
        case 'F32':
          view.setFloat32(at, v, true);
          break;
        case 'F16':
          view.setUint16(at, numberToF16Bits(v), true);
          break;
        case 'BF16':
          view.setUint16(at, numberToBf16Bits(v), true);
          break;
        case 'I64':
          view.setBigInt64(at, BigInt(v), true);
          break;
      }
      at += BYTES_PER_ELEMENT[e.dtype];
    }
  }
  return out;
}
