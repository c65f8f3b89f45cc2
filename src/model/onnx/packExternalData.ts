/**
 * Packs the external data a graph reads into a few in-memory files holding only the weights it
 * uses, and rewrites the graph to point into them. In the browser this means a session is handed
 * the image tower's bytes (not the whole checkpoint file, text tower included), read range by
 * range from a Blob, OPFS or a partially downloaded model, and nothing is kept after session
 * creation.
 *
 * Each read (a run of touching weights, at most MAX_READ bytes) becomes one file as it was read:
 * the weights are not copied again into one blob (for ViT-B/16 that copy took 0.3 s of the
 * worker's time, and a second 330 MB buffer, while a first photo waited for the session).
 */
import { decodeModelProto, encodeModelProto, TENSOR_DATA_LOCATION_EXTERNAL, type TensorProtoObj } from './proto.ts';

/** reads `length` bytes at `offset` of the external-data file `location` */
export type ExternalReader = (location: string, offset: number, length: number) => Promise<Uint8Array>;

/** one in-memory external-data file of a packed graph */
export interface PackedFile {
  /** the name the rewritten graph gives it */
  location: string;
  data: Uint8Array;
}

export interface PackedGraph {
  model: Uint8Array;
  /** the weights, one file per read, in file order */
  files: PackedFile[];
}

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

/** the name of read `index` of a graph packed under `location` ('image-weights.bin' -> 'image-weights.3.bin') */
export function packedFileName(location: string, index: number): string {
  const dot = location.lastIndexOf('.');
  return dot > 0 ? `${location.slice(0, dot)}.${index}${location.slice(dot)}` : `${location}.${index}`;
}

/**
 * @param location the packed files' name stem (see packedFileName)
 * @param keep locations to leave untouched (e.g. derived in-memory blobs)
 */
export async function packExternalData(model: Uint8Array, read: ExternalReader, location = 'packed-weights.bin', keep: ReadonlySet<string> = new Set(), options: PackReadOptions = {}): Promise<PackedGraph> {
  const proto = decodeModelProto(model);
  const slots = new Map<string, Slot>(); // "location:offset:length" -> the range it reads
  const external: { t: TensorProtoObj; slot: Slot }[] = [];
  for (const t of proto.graph.initializer) {
    if (t.dataLocation !== TENSOR_DATA_LOCATION_EXTERNAL) continue;
    const from = entry(t, 'location');
    if (!from || keep.has(from)) continue;
    const offset = Number(entry(t, 'offset') ?? 0);
    const length = Number(entry(t, 'length'));
    if (!Number.isFinite(length)) throw new Error(`initializer ${t.name} has external data without a length`);
    const key = `${from}:${offset}:${length}`;
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = { from, offset, length }));
    external.push({ t, slot });
  }
  const runs = planReads([...slots.values()], options);
  // where each slot lands: its run's file, at its offset within the run
  const placed = new Map<Slot, { file: string; at: number }>();
  runs.forEach((r, i) => {
    for (const s of r.slots) placed.set(s, { file: packedFileName(location, i), at: s.offset - r.offset });
  });
  for (const { t, slot } of external) {
    const { file, at } = placed.get(slot)!;
    t.externalData = [
      { key: 'location', value: file },
      { key: 'offset', value: String(at) },
      { key: 'length', value: String(slot.length) },
    ];
  }
  const readRun = async (r: Run) => {
    const bytes = await read(r.from, r.offset, r.end - r.offset);
    if (bytes.byteLength !== r.end - r.offset) throw new Error(`reading ${r.end - r.offset} bytes of ${r.from} at ${r.offset} returned ${bytes.byteLength}`);
    return bytes;
  };
  // two reads in flight: the next is under way while the previous one is taken in
  const files: PackedFile[] = [];
  const start = (i: number) => {
    const p = i < runs.length ? readRun(runs[i]) : undefined;
    p?.catch(() => undefined); // a failure is thrown where it is awaited, never reported as unhandled
    return p;
  };
  let next = start(0);
  for (let i = 0; i < runs.length; i++) {
    const data = await next!;
    next = start(i + 1);
    files.push({ location: packedFileName(location, i), data });
  }
  return { model: encodeModelProto(proto), files };
}
