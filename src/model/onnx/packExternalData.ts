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

/** how reads are grouped: ranges closer than `mergeGap` share one read, no read exceeds `maxRead` (unless one weight does) */
export interface PackReadOptions {
  mergeGap?: number;
  maxRead?: number;
}

/**
 * Ranges this close are read together (the bytes between them are read and dropped). A read has a
 * fixed cost (an HTTP request, a Blob slice through the browser's blob storage, an OPFS getFile)
 * that a few hundred weight-sized reads multiply, and a tower's weights lie back to back in a
 * safetensors file. 0: only touching ranges merge, so a read never covers bytes the graph does not
 * use, which a partly downloaded model (one tower stored) may lack.
 */
export const MERGE_GAP = 0;
/** bounds the transient copy held beside the packed blob (two reads are in flight at most) */
export const MAX_READ = 64 << 20;

interface Slot {
  from: string;
  offset: number;
  length: number;
  /** offset in the packed blob */
  at: number;
}

/** one read covering several slots of the same file */
interface Run {
  from: string;
  offset: number;
  end: number;
  slots: Slot[];
}

/** groups the slots into reads in file order (see MERGE_GAP, MAX_READ) */
export function planReads(slots: readonly Slot[], options: PackReadOptions = {}): Run[] {
  const gap = options.mergeGap ?? MERGE_GAP;
  const max = options.maxRead ?? MAX_READ;
  const sorted = [...slots].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.offset - b.offset));
  const runs: Run[] = [];
  let run: Run | undefined;
  for (const s of sorted) {
    const end = s.offset + s.length;
    if (run && run.from === s.from && s.offset <= run.end + gap && Math.max(run.end, end) - run.offset <= max) {
      run.end = Math.max(run.end, end);
      run.slots.push(s);
    } else {
      run = { from: s.from, offset: s.offset, end, slots: [s] };
      runs.push(run);
    }
  }
  return runs;
}

/**
 * @param keep locations to leave untouched (e.g. derived in-memory blobs)
 */
export async function packExternalData(model: Uint8Array, read: ExternalReader, location = 'packed-weights.bin', keep: ReadonlySet<string> = new Set(), options: PackReadOptions = {}): Promise<PackedGraph> {
  const proto = decodeModelProto(model);
  const slots = new Map<string, Slot>(); // "location:offset:length" -> its place in the blob
  let size = 0;
  for (const t of proto.graph.initializer) {
    if (t.dataLocation !== TENSOR_DATA_LOCATION_EXTERNAL) continue;
    const from = entry(t, 'location');
    if (!from || keep.has(from)) continue;
    const offset = Number(entry(t, 'offset') ?? 0);
    const length = Number(entry(t, 'length'));
    if (!Number.isFinite(length)) throw new Error(`initializer ${t.name} has external data without a length`);
    const key = `${from}:${offset}:${length}`;
    let slot = slots.get(key);
    if (!slot) {
      slot = { from, offset, length, at: size };
      slots.set(key, slot);
      size = Math.ceil((size + length) / ALIGN) * ALIGN;
    }
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(slot.at) },
      { key: 'length', value: String(length) },
    ];
  }
  const blob = new Uint8Array(size);
  const runs = planReads([...slots.values()], options);
  const readRun = async (r: Run) => {
    const bytes = await read(r.from, r.offset, r.end - r.offset);
    if (bytes.byteLength !== r.end - r.offset) throw new Error(`reading ${r.end - r.offset} bytes of ${r.from} at ${r.offset} returned ${bytes.byteLength}`);
    return bytes;
  };
  // the next read is under way while the previous one is copied into the blob
  const start = (i: number) => {
    const p = i < runs.length ? readRun(runs[i]) : undefined;
    p?.catch(() => undefined); // a failure is thrown where it is awaited, never reported as unhandled
    return p;
  };
  let next = start(0);
  for (let i = 0; i < runs.length; i++) {
    const bytes = await next!;
    next = start(i + 1);
    for (const s of runs[i].slots) blob.set(bytes.subarray(s.offset - runs[i].offset, s.offset - runs[i].offset + s.length), s.at);
  }
  return { model: encodeModelProto(proto), blob, location };
}
