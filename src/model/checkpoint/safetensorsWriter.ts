/**
 * safetensors writing: plan a file's header and byte ranges, or encode small files at once.
 * Used by the test-checkpoint generator; also fit for exporting derived tensors.
 */
import { DTYPE_BYTES } from './safetensors.ts';
import type { StorageDType } from './types.ts';

export interface TensorSlot {
  readonly name: string;
  readonly dtype: StorageDType;
  readonly shape: readonly number[];
}

export interface SafetensorsPlan {
  /** the 8-byte length prefix plus the space-padded JSON header */
  readonly header: Uint8Array;
  /** absolute byte range of each tensor in the file */
  readonly ranges: ReadonlyMap<string, { readonly byteOffset: number; readonly byteLength: number }>;
  readonly fileSize: number;
}

/**
 * Lay tensors out back to back in the given order (safetensors allows no holes) and build the
 * header. The JSON is padded with spaces to a multiple of 8 bytes, as the reference writer does.
 */
export function planSafetensors(slots: readonly TensorSlot[], metadata?: Record<string, string>): SafetensorsPlan {
  const json: Record<string, unknown> = {};
  if (metadata) json.__metadata__ = metadata;
  const relative: [string, number, number][] = [];
  let cursor = 0;
  for (const s of slots) {
    if (s.name in json) throw new Error(`duplicate tensor name ${s.name}`);
    const bytes = s.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[s.dtype];
    json[s.name] = { dtype: s.dtype, shape: [...s.shape], data_offsets: [cursor, cursor + bytes] };
    relative.push([s.name, cursor, bytes]);
    cursor += bytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const n = Math.ceil(text.length / 8) * 8;
  const header = new Uint8Array(8 + n).fill(0x20);
  const view = new DataView(header.buffer);
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  header.set(text, 8);
  const ranges = new Map(relative.map(([name, begin, bytes]) => [name, { byteOffset: 8 + n + begin, byteLength: bytes }]));
  return { header, ranges, fileSize: 8 + n + cursor };
}

export interface TensorData extends TensorSlot {
  /** little-endian bytes of the tensor, `product(shape) * dtype size` long */
  readonly bytes: Uint8Array;
}

/** Encode a whole (small) safetensors file. */
export function encodeSafetensors(tensors: readonly TensorData[], metadata?: Record<string, string>): Uint8Array {
  const plan = planSafetensors(tensors, metadata);
  const out = new Uint8Array(plan.fileSize);
  out.set(plan.header, 0);
  for (const t of tensors) {
    const r = plan.ranges.get(t.name)!;
    if (t.bytes.byteLength !== r.byteLength) {
      throw new Error(`tensor ${t.name}: ${t.bytes.byteLength} bytes given, ${r.byteLength} needed for ${t.dtype} [${t.shape.join(', ')}]`);
    }
    out.set(t.bytes, r.byteOffset);
  }
  return out;
}

/** bytes of a float32 array (a view, no copy) */
export function f32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
