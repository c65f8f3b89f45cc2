/**
 * safetensors reading: header parsing with strict validation, tensor reads, sharded indexes.
 *
 * File format: u64 little-endian header length n, then n bytes of UTF-8 JSON
 * `{ "<tensor>": { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {...} }`,
 * then the data; offsets are relative to byte 8 + n.
 */
import { decodeBF16, decodeF16 } from '../../math/half.ts';
import { CheckpointError } from './errors.ts';
import type { ByteSource, StorageDType, TensorInfo } from './types.ts';

export const DTYPE_BYTES: Readonly<Record<StorageDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
  I8: 1,
  BOOL: 1,
};

/** headers above this are refused: real CLIP headers are tens of kilobytes */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsHeader {
  readonly fileName: string;
  /** n, the JSON length */
  readonly headerLength: number;
  /** the first 8 + n bytes of the file: length prefix and JSON (fingerprinted by the loader) */
  readonly headerBytes: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  /** tensors in file order of their data */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
}

function isStorageDType(s: unknown): s is StorageDType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** whether `text` starts with a complete JSON object (braces balanced outside strings) */
function startsWithCompleteObject(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return true;
  }
  return false;
}

/** Parse and validate the header of a safetensors file. Reads only the header bytes. */
export async function readSafetensorsHeader(source: ByteSource): Promise<SafetensorsHeader> {
  const file = source.name;
  const bad = (message: string, tensor?: string) => new CheckpointError('bad-header', `${file}: ${message}`, file, tensor);
  if (source.size < 8) {
    throw new CheckpointError(
      'truncated',
      `${file}: ${source.size} bytes, shorter than the 8-byte header length of a safetensors file`,
      file,
    );
  }
  const prefix = await source.read(0, 8);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) throw bad(`header length ${n} bytes is absurd (limit ${MAX_HEADER_BYTES}): not a safetensors file?`);
  if (8 + n > source.size) {
    // Either the file was cut inside its header (what is there is an unfinished JSON object), or
    // the length field is wrong (what is there is complete JSON, or no JSON at all).
    const rest = new TextDecoder('utf-8').decode(await source.read(8, source.size - 8));
    if (rest.trimStart().startsWith('{') && !startsWithCompleteObject(rest)) {
      throw new CheckpointError('truncated', `${file}: the file ends at byte ${source.size}, inside its ${n}-byte header`, file);
    }
    throw bad(`header length ${n} bytes is larger than the file (${source.size} bytes)`);
  }
  if (n < 2) throw bad(`header length ${n} bytes is too short for a JSON object`);
  const headerBytes = new Uint8Array(8 + n);
  headerBytes.set(prefix, 0);
  headerBytes.set(await source.read(8, n), 8);

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes.subarray(8)));
  } catch (e) {
    throw bad(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad('header JSON is not an object');

  const dataStart = 8 + n;
  const dataSize = source.size - dataStart;
  let metadata: Record<string, string> = {};
  const parsed: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw bad('__metadata__ is not an object');
      metadata = Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    if (entry === null || typeof entry !== 'object') throw bad(`tensor ${name}: entry is not an object`, name);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isStorageDType(dtype)) {
      throw new CheckpointError(
        'unknown-dtype',
        `${file}: tensor ${name} has dtype ${JSON.stringify(dtype)}, which clipscope cannot read (known: ${Object.keys(DTYPE_BYTES).join(', ')})`,
        file,
        name,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) throw bad(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of sizes`, name);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || offsets[0] > offsets[1]) {
      throw bad(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} are not [begin, end] with begin <= end`, name);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const expectedBytes = count * DTYPE_BYTES[dtype];
    if (end - begin !== expectedBytes) {
      throw bad(
        `tensor ${name}: ${dtype} ${shapeText(shape as number[])} needs ${expectedBytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
        name,
      );
    }
    if (end > dataSize) {
      throw new CheckpointError(
        'truncated',
        `${file}: tensor ${name} needs bytes ${dataStart + begin}..${dataStart + end} but the file has ${source.size} bytes`,
        file,
        name,
      );
    }
    parsed.push({
      name,
      dtype,
      shape: Object.freeze([...(shape as number[])]),
      fileName: file,
      byteOffset: dataStart + begin,
      byteLength: end - begin,
    });
  }

  parsed.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  let last: TensorInfo | undefined;
  for (const t of parsed) {
    if (t.byteLength === 0) continue;
    if (last && t.byteOffset < last.byteOffset + last.byteLength) {
      throw new CheckpointError(
        'overlapping-ranges',
        `${file}: tensors ${last.name} (bytes ${last.byteOffset}..${last.byteOffset + last.byteLength}) and ${t.name} (bytes ${t.byteOffset}..${t.byteOffset + t.byteLength}) overlap`,
        file,
        t.name,
      );
    }
    last = t;
  }
  return {
    fileName: file,
    headerLength: n,
    headerBytes,
    metadata,
    tensors: new Map(parsed.map((t) => [t.name, t])),
  };
}

/** the raw bytes of a tensor (or of any byte range described by offset/length) */
export async function readTensorBytes(source: ByteSource, info: { byteOffset: number; byteLength: number }): Promise<Uint8Array> {
  return source.read(info.byteOffset, info.byteLength);
}

/** copy into a fresh buffer when a typed-array view would be misaligned */
function aligned(bytes: Uint8Array, alignment: number): Uint8Array {
  return bytes.byteOffset % alignment === 0 ? bytes : bytes.slice();
}

/** Decode little-endian float bytes of the given dtype to float32. */
export function decodeFloatBytes(bytes: Uint8Array, dtype: StorageDType, what: string): Float32Array {
  switch (dtype) {
    case 'F32': {
      const b = aligned(bytes, 4);
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice();
    }
    case 'F16': {
      const b = aligned(bytes, 2);
      return decodeF16(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2));
    }
    case 'BF16': {
      const b = aligned(bytes, 2);
      return decodeBF16(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2));
    }
    case 'F64': {
      const b = aligned(bytes, 8);
      return Float32Array.from(new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8));
    }
    default:
      throw new CheckpointError('unknown-dtype', `${what}: dtype ${dtype} is not a float type`, undefined, what);
  }
}

/** Read a float tensor (F32/F16/BF16/F64) as float32 values in storage order. */
export async function readTensorF32(source: ByteSource, info: TensorInfo): Promise<Float32Array> {
  return decodeFloatBytes(await readTensorBytes(source, info), info.dtype, `${info.fileName}: tensor ${info.name}`);
}

/** A sharded checkpoint's `*.safetensors.index.json`. */
export interface ShardIndex {
  readonly fileName: string;
  /** tensor name -> shard file name */
  readonly weightMap: ReadonlyMap<string, string>;
  /** shard file names, sorted */
  readonly shards: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export function parseShardIndex(text: string, fileName: string): ShardIndex {
  const bad = (message: string) => new CheckpointError('bad-header', `${fileName}: ${message}`, fileName);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw bad('has no weight_map object');
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard.length === 0) throw bad(`weight_map entry for ${tensor} is not a file name`);
    weightMap.set(tensor, shard);
  }
  const metadata = ((json as { metadata?: unknown }).metadata ?? {}) as Record<string, unknown>;
  return { fileName, weightMap, shards: [...new Set(weightMap.values())].sort(), metadata };
}
