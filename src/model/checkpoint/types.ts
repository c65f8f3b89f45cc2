/**
 * What the checkpoint loader hands to the graph builder and the runtime.
 *
 * Weights are never copied into ONNX protobufs: every weight is a `WeightRef`, a byte range of
 * a named file (normally the safetensors file itself), which onnxruntime reads as external data.
 */
import type { PreprocessConfig, TextArch, VisionArch } from '../arch.ts';

/** safetensors dtypes we read (others are refused with CheckpointError 'unknown-dtype') */
export type StorageDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8' | 'I8' | 'BOOL';

/** Random-access bytes: a Node file, a browser File/Blob, an OPFS file, an HTTP resource. */
export interface ByteSource {
  /** file name as the user knows it (used in error messages and as external-data location) */
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** One tensor of a safetensors file. */
export interface TensorInfo {
  /** the tensor's name in the file */
  readonly name: string;
  readonly dtype: StorageDType;
  readonly shape: readonly number[];
  /** file the tensor lives in (shards: the shard's file name) */
  readonly fileName: string;
  /** absolute byte offset in the file: 8 + header length + data_offsets[0] */
  readonly byteOffset: number;
  readonly byteLength: number;
}

/**
 * A weight the graph needs: a contiguous byte range (a whole tensor or a slice of one, e.g.
 * the Q rows of OpenCLIP's in_proj_weight).
 * Matrices are `[out, in]` (PyTorch Linear layout) unless `layout` says `in_out`
 * (OpenCLIP's `visual.proj` / `text_projection` are stored `[in, out]`).
 */
export interface WeightRef {
  /** checkpoint tensor this comes from (for error messages) */
  readonly source: string;
  readonly fileName: string;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly dtype: 'F32' | 'F16' | 'BF16';
  readonly shape: readonly number[];
  readonly layout?: 'out_in' | 'in_out';
}

/**
 * Canonical weight names (ours, independent of the file layout), built only by `weightName`.
 * Per block: ln1.g ln1.b q.w q.b k.w k.b v.w v.b o.w o.b ln2.g ln2.b fc1.w fc1.b fc2.w fc2.b
 * Vision globals: patch (conv [w,3,p,p], no bias), cls [w], pos [T,w], ln_pre.g/b, ln_post.g/b, proj
 * Text globals: tok [V,w], pos [ctx,w], ln_final.g/b, proj
 */
export type Tower = 'vision' | 'text';
export type BlockWeight =
  | 'ln1.g' | 'ln1.b' | 'q.w' | 'q.b' | 'k.w' | 'k.b' | 'v.w' | 'v.b' | 'o.w' | 'o.b'
  | 'ln2.g' | 'ln2.b' | 'fc1.w' | 'fc1.b' | 'fc2.w' | 'fc2.b';
export type VisionGlobalWeight = 'patch' | 'cls' | 'pos' | 'ln_pre.g' | 'ln_pre.b' | 'ln_post.g' | 'ln_post.b' | 'proj';
export type TextGlobalWeight = 'tok' | 'pos' | 'ln_final.g' | 'ln_final.b' | 'proj';

export function weightName(tower: 'vision', w: VisionGlobalWeight): string;
export function weightName(tower: 'text', w: TextGlobalWeight): string;
export function weightName(tower: Tower, w: BlockWeight, layer: number): string;
export function weightName(tower: Tower, w: string, layer?: number): string {
  const t = tower === 'vision' ? 'v' : 't';
  return layer === undefined ? `${t}.${w}` : `${t}.${layer}.${w}`;
}

/** A loaded (header-only) CLIP checkpoint: architecture, preprocessing, weight byte ranges. */
export interface ClipCheckpoint {
  readonly layout: 'hf' | 'openclip';
  readonly vision: VisionArch;
  /** absent when the files hold no text tower */
  readonly text?: TextArch;
  readonly preprocess: PreprocessConfig;
  /** canonical weight name -> byte range */
  readonly weights: ReadonlyMap<string, WeightRef>;
  /** the files the weights live in, by file name */
  readonly files: ReadonlyMap<string, ByteSource>;
  /** hash of the safetensors headers and config files: keys every result and cache */
  readonly fingerprint: string;
  /** tokenizer files if the repo has them (vocab.json + merges.txt), by file name */
  readonly tokenizerFiles?: ReadonlyMap<string, ByteSource>;
}
