/**
 * How a graph's weights reach onnxruntime: every weight is an external-data initializer. Where
 * its bytes are is decided by a `WeightPlacer` (Node: the safetensors files themselves; a browser
 * may instead pack the needed tensors into one blob). f32/f16 weights point straight into the
 * placed file; bf16 weights (which the WebGPU EP cannot cast) are converted to f32 into a derived
 * in-memory blob, planned at build time and filled by `materializeDerivedBlob`. In an f16 graph
 * (`GraphPrecision`) every f32/bf16 weight is rounded to f16 into that blob instead.
 */
import type { ByteSource, ClipCheckpoint, WeightRef } from '../checkpoint/types.ts';
import { CheckpointError } from '../checkpoint/errors.ts';
import type { GraphBuilder, Value } from './graphBuilder.ts';
import { OnnxDataType } from './proto.ts';
import { encodeF16 } from '../../math/half.ts';

/**
 * How a graph holds and computes with its weights:
 * - 'f32': the weights as stored (f16 ones cast to f32, bf16 ones converted), f32 compute;
 * - 'f16-weights': every weight rounded to f16 and cast back to f32: f32 compute on f16 weights
 *   (runs anywhere; the parity check for 'f16');
 * - 'f16': weights f16; the linear layers and the patch embedding compute in f16 (their inputs cast
 *   to f16, their outputs back to f32); LayerNorm, softmax, attention, residual sums and every
 *   reduction stay f32. Needs an f16-capable kernel set (WebGPU with `shader-f16`, or the CPU EP).
 */
export type GraphPrecision = 'f32' | 'f16-weights' | 'f16';

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
  /** byte offset of the converted data inside the derived blob */
  readonly offset: number;
  /** bf16 → f32 (exact), or f32/bf16 → f16 (nearest, ties to even) */
  readonly convert: 'bf16-to-f32' | 'to-f16';
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
  /** blobs to build in memory (bf16 → f32; → f16 in f16 graphs) */
  readonly derived: readonly DerivedBlobPlan[];
}

export interface WeightBinderOptions {
  placer?: WeightPlacer;
  /** location name of the derived (converted weights) blob */
  derivedLocation?: string;
  /** default 'f32' */
  precision?: GraphPrecision;
}

const ALIGN = 64;
const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Binds checkpoint weights into a graph as external initializers (each weight once), returning
 * an f32 value: f16 weights get a Cast node (ORT folds it at session creation). In an f16 graph,
 * `f16()` gives the f16 initializer itself.
 */
export class WeightBinder {
  private readonly bound = new Map<string, Value>();
  private readonly bound16 = new Map<string, Value>();
  private readonly placed = new Set<string>();
  private readonly pieces: DerivedPiece[] = [];
  private derivedBytes = 0;
  private readonly placer: WeightPlacer;
  private readonly derivedLocation: string;
  readonly precision: GraphPrecision;

  constructor(private readonly g: GraphBuilder, private readonly ckpt: ClipCheckpoint, options: WeightBinderOptions = {}) {
    this.placer = options.placer ?? placeInCheckpointFile;
    this.derivedLocation = options.derivedLocation ?? `${g.name}.converted.bin`;
    this.precision = options.precision ?? 'f32';
  }

  /** true when linear layers should compute in f16 (`f16()` weights, f16 activations) */
  get computeF16(): boolean {
    return this.precision === 'f16';
  }

  ref(name: string): WeightRef {
    const ref = this.ckpt.weights.get(name);
    if (!ref) throw new CheckpointError('missing-tensor', `the graph needs weight ${name}, which the checkpoint lacks`, undefined, name);
    return ref;
  }

  /** the weight's ref, its element count and an initializer name hint, after checking its byte range */
  private checked(name: string): { ref: WeightRef; elements: number; hint: string } {
    const ref = this.ref(name);
    const elements = ref.shape.reduce((a, b) => a * b, 1);
    const bytesPer = ref.dtype === 'F32' ? 4 : 2;
    if (elements * bytesPer !== ref.byteLength) {
      throw new CheckpointError('wrong-shape', `weight ${name} (${ref.source}): shape [${ref.shape.join(', ')}] ${ref.dtype} needs ${elements * bytesPer} bytes, range has ${ref.byteLength}`, ref.fileName, ref.source);
    }
    return { ref, elements, hint: `w_${name.replace(/[^A-Za-z0-9_]/g, '_')}` };
  }

  private derived(ref: WeightRef, hint: string, elements: number, convert: DerivedPiece['convert']): Value {
    const offset = this.derivedBytes;
    const bytesPer = convert === 'to-f16' ? 2 : 4;
    this.pieces.push({ ref, offset, convert });
    this.derivedBytes = alignUp(offset + elements * bytesPer);
    const type = convert === 'to-f16' ? OnnxDataType.FLOAT16 : OnnxDataType.FLOAT;
    return this.g.externalInitializer(hint, type, ref.shape, { location: this.derivedLocation, offset, length: elements * bytesPer });
  }

  private placedAsStored(ref: WeightRef, name: string, hint: string): Value {
    const at = this.placer(ref, name);
    this.placed.add(at.location);
    const type = ref.dtype === 'F32' ? OnnxDataType.FLOAT : OnnxDataType.FLOAT16;
    return this.g.externalInitializer(hint, type, ref.shape, { location: at.location, offset: at.offset, length: ref.byteLength });
  }

  /** f32 value of weight `name`, as stored (no transpose); in an f16 graph, its f16 rounding cast to f32 */
  f32(name: string): Value {
    const cached = this.bound.get(name);
    if (cached) return cached;
    const { ref, elements, hint } = this.checked(name);
    let value: Value;
    if (this.precision !== 'f32') value = this.g.cast(this.f16(name), OnnxDataType.FLOAT, `${hint}_f32`);
    else if (ref.dtype === 'BF16') value = this.derived(ref, hint, elements, 'bf16-to-f32');
    else if (ref.dtype === 'F32') value = this.placedAsStored(ref, name, hint);
    else value = this.g.cast(this.placedAsStored(ref, name, hint), OnnxDataType.FLOAT, `${hint}_f32`);
    this.bound.set(name, value);
    return value;
  }

  /** f16 value of weight `name` (f16 graphs only): as stored when f16, else rounded to f16 */
  f16(name: string): Value {
    if (this.precision === 'f32') throw new Error(`weight ${name}: f16 weights exist only in an f16 graph`);
    const cached = this.bound16.get(name);
    if (cached) return cached;
    const { ref, elements, hint } = this.checked(name);
    const value = ref.dtype === 'F16' ? this.placedAsStored(ref, name, hint) : this.derived(ref, `${hint}_f16`, elements, 'to-f16');
    this.bound16.set(name, value);
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

/** the converted bytes of one piece */
function convertPiece(raw: Uint8Array, piece: DerivedPiece): Uint8Array {
  const asF32 = piece.ref.dtype === 'BF16' ? bf16BytesToF32(raw) : new Float32Array(raw.slice().buffer); // slice: 4-byte aligned
  if (piece.convert === 'bf16-to-f32') return new Uint8Array(asF32.buffer, asF32.byteOffset, asF32.byteLength);
  const half = encodeF16(asF32);
  return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
}

/** Reads the weights of a plan that need converting and returns the derived blob's bytes. */
export async function materializeDerivedBlob(plan: DerivedBlobPlan, files: ReadonlyMap<string, ByteSource>): Promise<Uint8Array> {
  const blob = new Uint8Array(plan.byteLength);
  for (const piece of plan.pieces) {
    const src = files.get(piece.ref.fileName);
    if (!src) throw new CheckpointError('missing-file', `file ${piece.ref.fileName} (holding ${piece.ref.source}) is not available`, piece.ref.fileName, piece.ref.source);
    const raw = await src.read(piece.ref.byteOffset, piece.ref.byteLength);
    blob.set(convertPiece(raw, piece), piece.offset);
  }
  return blob;
}
