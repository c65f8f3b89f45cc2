/**
 * loadCheckpoint: find the layout of a model folder, read its configs and safetensors headers,
 * check every tensor against the architecture, fingerprint it. Weight bytes are not read, apart
 * from a few KiB per file sampled for the fingerprint.
 */
import type { PreprocessConfig, TextArch, VisionArch } from '../arch.ts';
import {
  defaultPreprocess,
  parseHfConfig,
  parseHfPreprocessorConfig,
  parseOpenClipConfig,
  parseOpenClipPreprocess,
  tokenizerSpecials,
  type TokenizerSpecials,
} from './config.ts';
import { CheckpointError } from './errors.ts';
import { HF_TEXT_MARKER, hfWeightPlan, openClipTextPrefix, openClipWeightPlan, resolveWeightPlan } from './layout.ts';
import { decodeFloatBytes, parseShardIndex, readSafetensorsHeader } from './safetensors.ts';
import type { ModelFiles } from './sources.ts';
import type { ByteSource, ClipCheckpoint, TensorInfo, WeightRef } from './types.ts';

export const HF_CONFIG = 'config.json';
export const HF_PREPROCESSOR_CONFIG = 'preprocessor_config.json';
export const HF_WEIGHTS = 'model.safetensors';
export const OPENCLIP_CONFIG = 'open_clip_config.json';
export const OPENCLIP_WEIGHTS = 'open_clip_model.safetensors';
export const TOKENIZER_FILES = ['vocab.json', 'merges.txt'] as const;

const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt', '.pkl'];

export interface LoadOptions {
  /** which layout to read when a folder holds both (default 'openclip', the method's reference) */
  prefer?: 'openclip' | 'hf';
}

type WeightFiles = { kind: 'single'; file: string } | { kind: 'sharded'; index: string };

function findWeights(names: ReadonlySet<string>, single: string): WeightFiles | undefined {
  if (names.has(single)) return { kind: 'single', file: single };
  if (names.has(`${single}.index.json`)) return { kind: 'sharded', index: `${single}.index.json` };
  return undefined;
}

interface TensorTable {
  tensors: Map<string, TensorInfo>;
  sources: Map<string, ByteSource>;
  /** header bytes of each safetensors file, by file name */
  headers: Map<string, Uint8Array>;
  /** what to name in 'missing-tensor' messages */
  label: string;
}

async function readTensorTable(files: ModelFiles, weights: WeightFiles, configTexts: Map<string, string>): Promise<TensorTable> {
  const table: TensorTable = { tensors: new Map(), sources: new Map(), headers: new Map(), label: '' };
  if (weights.kind === 'single') {
    const source = await files.open(weights.file);
    const header = await readSafetensorsHeader(source);
    table.tensors = new Map(header.tensors);
    table.sources.set(source.name, source);
    table.headers.set(source.name, header.headerBytes);
    table.label = source.name;
    return table;
  }
  const indexText = await files.readText(weights.index);
  configTexts.set(weights.index, indexText);
  const index = parseShardIndex(indexText, weights.index);
  table.label = weights.index;
  for (const shard of index.shards) {
    let source: ByteSource;
    try {
      source = await files.open(shard);
    } catch (e) {
      if (e instanceof CheckpointError && e.code === 'missing-file') {
        throw new CheckpointError('missing-file', `${weights.index} names shard ${shard}, which is missing from ${files.label}`, shard);
      }
      throw e;
    }
    const header = await readSafetensorsHeader(source);
    table.sources.set(shard, source);
    table.headers.set(shard, header.headerBytes);
    for (const [name, info] of header.tensors) {
      const previous = table.tensors.get(name);
      if (previous) {
        throw new CheckpointError('bad-header', `tensor ${name} is stored twice: in ${previous.fileName} and in ${shard}`, shard, name);
      }
      table.tensors.set(name, info);
    }
  }
  for (const [name, shard] of index.weightMap) {
    const info = table.tensors.get(name);
    if (!info || info.fileName !== shard) {
      throw new CheckpointError('missing-tensor', `${weights.index} maps tensor ${name} to ${shard}, but ${shard} does not hold it`, shard, name);
    }
  }
  return table;
}

async function sha256Hex(parts: readonly Uint8Array[]): Promise<string> {
  let total = 0;
  for (const p of parts) total += p.byteLength;
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** windows of weight bytes sampled per file for the fingerprint */
export const FINGERPRINT_SAMPLE_WINDOWS = 8;
export const FINGERPRINT_SAMPLE_BYTES = 1024;

/**
 * A few KiB of data evenly spread over a safetensors file's data region. Headers alone cannot
 * tell apart two checkpoints of one architecture (say, two fine-tunes of ViT-B-16): their
 * headers are byte-identical, so the fingerprint also hashes this sample of the weights.
 */
/**
 * The byte ranges [start, end) of a safetensors file's data that the fingerprint hashes:
 * FINGERPRINT_SAMPLE_WINDOWS windows spread evenly over the data (all of it when it is small).
 * Exported so a partial download can fetch exactly these bytes.
 */
export function fingerprintSampleRanges(fileSize: number, dataStart: number): { start: number; end: number }[] {
  const dataSize = fileSize - dataStart;
  const window = Math.min(FINGERPRINT_SAMPLE_BYTES, Math.floor(dataSize / FINGERPRINT_SAMPLE_WINDOWS));
  if (window <= 0) return dataSize > 0 ? [{ start: dataStart, end: fileSize }] : [];
  const stride = (dataSize - window) / (FINGERPRINT_SAMPLE_WINDOWS - 1);
  return Array.from({ length: FINGERPRINT_SAMPLE_WINDOWS }, (_, i) => {
    const start = dataStart + Math.floor(i * stride);
    return { start, end: start + window };
  });
}

async function sampleDataBytes(source: ByteSource, dataStart: number): Promise<Uint8Array> {
  const ranges = fingerprintSampleRanges(source.size, dataStart);
  const out = new Uint8Array(ranges.reduce((n, r) => n + r.end - r.start, 0));
  let at = 0;
  for (const r of ranges) {
    out.set(await source.read(r.start, r.end - r.start), at);
    at += r.end - r.start;
  }
  return out;
}

/**
 * SHA-256 over each named item as `name NUL byteLength NUL bytes`, items sorted by name, so no
 * two different sets of files can produce the same byte stream.
 */
export async function fingerprintFiles(items: ReadonlyMap<string, Uint8Array>): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const name of [...items.keys()].sort()) {
    const bytes = items.get(name)!;
    parts.push(enc.encode(`${name}\0${bytes.byteLength}\0`), bytes);
  }
  return sha256Hex(parts);
}

function noCheckpointError(files: ModelFiles, names: readonly string[], set: ReadonlySet<string>): CheckpointError {
  const hasSafetensors = names.some((n) => n.endsWith('.safetensors') || n.endsWith('.safetensors.index.json'));
  const pickle = names.find((n) => PICKLE_EXTENSIONS.some((ext) => n.endsWith(ext)));
  if (!hasSafetensors && pickle) {
    return new CheckpointError('pickle', `${pickle} is a pickle checkpoint: use the safetensors file`, pickle);
  }
  if (findWeights(set, OPENCLIP_WEIGHTS) && !set.has(OPENCLIP_CONFIG)) {
    return new CheckpointError('missing-file', `${files.label}: ${OPENCLIP_WEIGHTS} needs ${OPENCLIP_CONFIG} beside it`, OPENCLIP_CONFIG);
  }
  if (findWeights(set, HF_WEIGHTS) && !set.has(HF_CONFIG)) {
    return new CheckpointError('missing-file', `${files.label}: ${HF_WEIGHTS} needs ${HF_CONFIG} beside it`, HF_CONFIG);
  }
  if (set.has(HF_CONFIG) || set.has(OPENCLIP_CONFIG)) {
    const config = set.has(OPENCLIP_CONFIG) ? OPENCLIP_CONFIG : HF_CONFIG;
    const weights = config === OPENCLIP_CONFIG ? OPENCLIP_WEIGHTS : HF_WEIGHTS;
    return new CheckpointError('missing-file', `${files.label}: has ${config} but no ${weights} (or sharded index)`, weights);
  }
  return new CheckpointError(
    'missing-file',
    `${files.label}: no CLIP checkpoint found (expected ${OPENCLIP_CONFIG} + ${OPENCLIP_WEIGHTS}, or ${HF_CONFIG} + ${HF_WEIGHTS}); files: ${names.join(', ') || 'none'}`,
  );
}

/** Read a CLIP checkpoint's architecture, preprocessing and weight byte ranges. */
export async function loadCheckpoint(files: ModelFiles, options: LoadOptions = {}): Promise<ClipCheckpoint> {
  const names = await files.list();
  const set = new Set(names);
  const ocWeights = set.has(OPENCLIP_CONFIG) ? findWeights(set, OPENCLIP_WEIGHTS) : undefined;
  const hfWeights = set.has(HF_CONFIG) ? findWeights(set, HF_WEIGHTS) : undefined;
  const layout: 'hf' | 'openclip' | undefined =
    ocWeights && hfWeights ? (options.prefer ?? 'openclip') : ocWeights ? 'openclip' : hfWeights ? 'hf' : undefined;
  if (!layout) throw noCheckpointError(files, names, set);

  const configTexts = new Map<string, string>();
  const readConfig = async (name: string): Promise<string> => {
    const text = await files.readText(name);
    configTexts.set(name, text);
    return text;
  };

  let tokenizerFiles: Map<string, ByteSource> | undefined;
  let specials: TokenizerSpecials | undefined;
  if (TOKENIZER_FILES.every((n) => set.has(n))) {
    tokenizerFiles = new Map();
    for (const n of TOKENIZER_FILES) tokenizerFiles.set(n, await files.open(n));
    specials = tokenizerSpecials(await readConfig('vocab.json'), 'vocab.json');
    await readConfig('merges.txt');
  }

  let vision: VisionArch;
  let text: TextArch | undefined;
  let preprocess: PreprocessConfig | undefined;
  let preprocessFile: string | undefined;
  if (layout === 'openclip') {
    const parsed = parseOpenClipConfig(await readConfig(OPENCLIP_CONFIG), OPENCLIP_CONFIG, specials);
    vision = parsed.vision;
    text = parsed.text;
    if (parsed.preprocess) {
      preprocess = parsed.preprocess;
      preprocessFile = OPENCLIP_CONFIG;
    }
  } else {
    const parsed = parseHfConfig(await readConfig(HF_CONFIG), HF_CONFIG, specials);
    vision = parsed.vision;
    text = parsed.text;
    // OpenCLIP's preprocess_cfg wins where a repo ships both configs
    if (set.has(OPENCLIP_CONFIG)) {
      preprocess = parseOpenClipPreprocess(await readConfig(OPENCLIP_CONFIG), OPENCLIP_CONFIG, vision.imageSize);
      if (preprocess) preprocessFile = OPENCLIP_CONFIG;
    }
  }
  if (!preprocess && set.has(HF_PREPROCESSOR_CONFIG)) {
    preprocess = parseHfPreprocessorConfig(await readConfig(HF_PREPROCESSOR_CONFIG), HF_PREPROCESSOR_CONFIG, vision.imageSize);
    preprocessFile = HF_PREPROCESSOR_CONFIG;
  }
  preprocess ??= defaultPreprocess(vision.imageSize);
  if (preprocess.size !== vision.imageSize) {
    throw new CheckpointError(
      'bad-config',
      `${preprocessFile}: crops images to ${preprocess.size} px but the model's image_size is ${vision.imageSize}`,
      preprocessFile,
    );
  }

  const table = await readTensorTable(files, layout === 'openclip' ? ocWeights! : hfWeights!, configTexts);
  let plan;
  if (layout === 'openclip') {
    const prefix = openClipTextPrefix(table.tensors);
    if (prefix === undefined) text = undefined;
    plan = openClipWeightPlan(vision, text, prefix ?? '');
  } else {
    if (!table.tensors.has(HF_TEXT_MARKER)) text = undefined;
    plan = hfWeightPlan(vision, text);
  }
  const weights = resolveWeightPlan(plan, table.tensors, table.label);

  const hashed = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  for (const [name, bytes] of table.headers) {
    hashed.set(name, bytes);
    hashed.set(`${name}#sample`, await sampleDataBytes(table.sources.get(name)!, bytes.byteLength));
  }
  for (const [name, t] of configTexts) hashed.set(name, enc.encode(t));
  const fingerprint = await fingerprintFiles(hashed);

  return {
    layout,
    vision,
    ...(text ? { text } : {}),
    preprocess,
    weights,
    files: table.sources,
    fingerprint,
    ...(tokenizerFiles ? { tokenizerFiles } : {}),
  };
}

/** Read one canonical weight as float32 values in its stored order and layout. */
export async function readWeightF32(checkpoint: ClipCheckpoint, name: string): Promise<{ ref: WeightRef; data: Float32Array }> {
  const ref = checkpoint.weights.get(name);
  if (!ref) throw new CheckpointError('missing-tensor', `checkpoint has no weight ${name}`, undefined, name);
  const source = checkpoint.files.get(ref.fileName);
  if (!source) throw new CheckpointError('missing-file', `weight ${name} lives in ${ref.fileName}, which is not open`, ref.fileName, name);
  const bytes = await source.read(ref.byteOffset, ref.byteLength);
  return { ref, data: decodeFloatBytes(bytes, ref.dtype, `${ref.fileName}: ${ref.source}`) };
}
