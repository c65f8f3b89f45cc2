/**
 * How a graph's weights reach onnxruntime: every weight is an external-data initializer. Where
 * its bytes are is decided by a `WeightPlacer` (Node: the safetensors files themselves; a browser
 * may instead pack the needed tensors into one blob). f32/f16 weights point straight into the
 * placed file; bf16 weights (which the WebGPU EP cannot cast) are converted to f32 into a derived
 * in-memory blob, planned at build time and filled by `materializeDerivedBlob`.
 */
import type { ByteSource, ClipCheckpoint, WeightRef } from '../checkpoint/types.ts';
import { CheckpointError } from '../checkpoint/errors.ts';
import type { GraphBuilder, Value } from './graphBuilder.ts';
import { OnnxDataType } from './proto.ts';

export interface WeightPlacement {
  /** external-data location (a file name, relative to the model) */
  readonly location: string;
  /** byte offset of the weight in that file */
  readonly offset: number;
}

/** Decides where the bytes of a (f32 or f16) weight are found at session creation. */
export type WeightPlacer = (ref: WeightRef, canonicalName: string) => WeightPlacement;

/** The default: the weight's own byte range in its checkpoint file. */
export const placeInCheckpointFile: WeightPlacer = (ref) => ({ location: ref.fileName, offset: ref.byteOffset });

export interface DerivedPiece {
  readonly ref: WeightRef;
  /** byte offset of the converted f32 data inside the derived blob */
  readonly offset: number;
  readonly convert: 'bf16-to-f32';
}

/** A blob that does not exist on disk: built from checkpoint bytes before the session is created. */
export interface DerivedBlobPlan {
  readonly location: string;
  readonly byteLength: number;
  readonly pieces: readonly DerivedPiece[];
}

export interface ExternalDataPlan {
  /** locations the placer pointed at (with the default placer: checkpoint file names) */
  readonly placedLocations: readonly string[];
  /** blobs to build in memory (bf16 → f32) */
  readonly derived: readonly DerivedBlobPlan[];
}

export interface WeightBinderOptions {
  placer?: WeightPlacer;
  /** location name of the derived bf16→f32 blob */
  derivedLocation?: string;
}

const ALIGN = 64;
const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Binds checkpoint weights into a graph as external initializers (each weight once), returning
 * an f32 value: f16 weights get a Cast node (ORT folds it at session creation).
 */
export class WeightBinder {
  private readonly bound = new Map<string, Value>();
  private readonly placed = new Set<string>();
  private readonly pieces: DerivedPiece[] = [];
  private derivedBytes = 0;
  private readonly placer: WeightPlacer;
  private readonly derivedLocation: string;

  constructor(private readonly g: GraphBuilder, private readonly ckpt: ClipCheckpoint, options: WeightBinderOptions = {}) {
    this.placer = options.placer ?? placeInCheckpointFile;
    this.derivedLocation = options.derivedLocation ?? `${g.name}.bf16-as-f32.bin`;
  }

  ref(name: string): WeightRef {
    const ref = this.ckpt.weights.get(name);
    if (!ref) throw new CheckpointError('missing-tensor', `the graph needs weight ${name}, which the checkpoint lacks`, undefined, name);
    return ref;
  }

  /** f32 value of weight `name`, as stored (no transpose) */
  f32(name: string): Value {
    const cached = this.bound.get(name);
    if (cached) return cached;
    const ref = this.ref(name);
    const hint = `w_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const elements = ref.shape.reduce((a, b) => a * b, 1);
    const bytesPer = ref.dtype === 'F32' ? 4 : 2;
    if (elements * bytesPer !== ref.byteLength) {
      throw new CheckpointError('wrong-shape', `weight ${name} (${ref.source}): shape [${ref.shape.join(', ')}] ${ref.dtype} needs ${elements * bytesPer} bytes, range has ${ref.byteLength}`, ref.fileName, ref.source);
    }
    let value: Value;
    if (ref.dtype === 'BF16') {
      const offset = this.derivedBytes;
      this.pieces.push({ ref, offset, convert: 'bf16-to-f32' });
      this.derivedBytes = alignUp(offset + elements * 4);
      value = this.g.externalInitializer(hint, OnnxDataType.FLOAT, ref.shape, { location: this.derivedLocation, offset, length: elements * 4 });
    } else {
      const at = this.placer(ref, name);
      this.placed.add(at.location);
      const type = ref.dtype === 'F32' ? OnnxDataType.FLOAT : OnnxDataType.FLOAT16;
      const raw = this.g.externalInitializer(hint, type, ref.shape, { location: at.location, offset: at.offset, length: ref.byteLength });
      value = ref.dtype === 'F32' ? raw : this.g.cast(raw, OnnxDataType.FLOAT, `${hint}_f32`);
    }
    this.bound.set(name, value);
    return value;
  }

  plan(): ExternalDataPlan {
    const derived: DerivedBlobPlan[] = this.pieces.length
      ? [{ location: this.derivedLocation, byteLength: this.derivedBytes, pieces: [...this.pieces] }]
      : [];
    return { placedLocations: [...this.placed], derived };
  }
}

/** bf16 → f32 is exact: the bf16 bits are the high half of the f32 bits. */
export function bf16BytesToF32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 2 !== 0) throw new Error(`bf16 data of odd byte length ${bytes.byteLength}`);
  const n = bytes.byteLength / 2;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
  return new Float32Array(out.buffer);
}

/** Reads the bf16 weights of a plan and returns the derived blob's bytes. */
export async function materializeDerivedBlob(plan: DerivedBlobPlan, files: ReadonlyMap<string, ByteSource>): Promise<Uint8Array> {
  const blob = new Uint8Array(plan.byteLength);
  for (const piece of plan.pieces) {
    const src = files.get(piece.ref.fileName);
    if (!src) throw new CheckpointError('missing-file', `file ${piece.ref.fileName} (holding ${piece.ref.source}) is not available`, piece.ref.fileName, piece.ref.source);
    const raw = await src.read(piece.ref.byteOffset, piece.ref.byteLength);
    const f32 = bf16BytesToF32(raw);
    blob.set(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength), piece.offset);
  }
  return blob;
}
