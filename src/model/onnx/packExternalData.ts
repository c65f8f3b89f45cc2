/**
 * Packs the external data a graph reads into one blob holding only the weights it uses, and
 * rewrites the graph to point into that blob. In the browser this means a session is handed the
 * image tower's bytes (not the whole checkpoint file, text tower included), read range by range
 * from a Blob, OPFS or a partially downloaded model, and nothing is kept after session creation.
 */
import { decodeModelProto, encodeModelProto, TENSOR_DATA_LOCATION_EXTERNAL, type TensorProtoObj } from './proto.ts';

/** reads `length` bytes at `offset` of the external-data file `location` */
export type ExternalReader = (location: string, offset: number, length: number) => Promise<Uint8Array>;

export interface PackedGraph {
  model: Uint8Array;
  /** the packed weights; the rewritten graph calls it `location` */
  blob: Uint8Array;
  location: string;
}

const ALIGN = 64;

function entry(t: TensorProtoObj, key: string): string | undefined {
  return t.externalData?.find((e) => e.key === key)?.value;
}

/**
 * @param keep locations to leave untouched (e.g. derived in-memory blobs)
 */
export async function packExternalData(model: Uint8Array, read: ExternalReader, location = 'packed-weights.bin', keep: ReadonlySet<string> = new Set()): Promise<PackedGraph> {
  const proto = decodeModelProto(model);
  const slots = new Map<string, number>(); // "location:offset:length" -> packed offset
  const pending: { t: TensorProtoObj; key: string; from: string; offset: number; length: number }[] = [];
  let size = 0;
  for (const t of proto.graph.initializer) {
    if (t.dataLocation !== TENSOR_DATA_LOCATION_EXTERNAL) continue;
    const from = entry(t, 'location');
    if (!from || keep.has(from)) continue;
    const offset = Number(entry(t, 'offset') ?? 0);
    const length = Number(entry(t, 'length'));
    if (!Number.isFinite(length)) throw new Error(`initializer ${t.name} has external data without a length`);
    const key = `${from}:${offset}:${length}`;
    if (!slots.has(key)) {
      slots.set(key, size);
      size = Math.ceil((size + length) / ALIGN) * ALIGN;
    }
    pending.push({ t, key, from, offset, length });
  }
  const blob = new Uint8Array(size);
  const written = new Set<string>();
  for (const p of pending) {
    const at = slots.get(p.key)!;
    if (!written.has(p.key)) {
      const bytes = await read(p.from, p.offset, p.length);
      if (bytes.byteLength !== p.length) throw new Error(`reading ${p.length} bytes of ${p.from} at ${p.offset} returned ${bytes.byteLength}`);
      blob.set(bytes, at);
      written.add(p.key);
    }
    p.t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(at) },
      { key: 'length', value: String(p.length) },
    ];
  }
  return { model: encodeModelProto(proto), blob, location };
}
