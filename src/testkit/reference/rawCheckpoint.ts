/**
 * Reads a CLIP checkpoint the oracle's own way: every tensor decoded to float64 under its
 * ORIGINAL name, plus the parsed config. No canonical renaming happens here (see towers.ts).
 *
 * Layouts, detected from the file names:
 * - 'openclip': open_clip_config.json + open_clip_model.safetensors (or its .index.json shards)
 * - 'hf':       config.json + model.safetensors (or model.safetensors.index.json shards)
 * When a folder holds both (Hugging Face copies of OpenCLIP models do), OpenCLIP wins unless
 * `options.layout` says otherwise.
 */
import { parseSafetensors, type RawTensor } from './safetensors.ts';

export type RawLayout = 'hf' | 'openclip';

export interface RawCheckpoint {
  readonly layout: RawLayout;
  /** the parsed config file (config.json or open_clip_config.json) */
  readonly config: unknown;
  /** every tensor of the checkpoint by its original name, decoded to float64 */
  readonly tensors: Map<string, RawTensor>;
  /** parsed vocab.json when the files include one (token -> id) */
  readonly vocab?: Record<string, number>;
}

export interface ReadRawCheckpointOptions {
  layout?: RawLayout;
}

const LAYOUT_FILES: Record<RawLayout, { config: string; weights: string }> = {
  openclip: { config: 'open_clip_config.json', weights: 'open_clip_model.safetensors' },
  hf: { config: 'config.json', weights: 'model.safetensors' },
};

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parseJson(bytes: Uint8Array, fileName: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new Error(`${fileName}: not valid JSON (${String(cause)})`);
  }
}

function hasLayout(byName: Map<string, Uint8Array>, layout: RawLayout): boolean {
  const { config, weights } = LAYOUT_FILES[layout];
  return byName.has(config) && (byName.has(weights) || byName.has(`${weights}.index.json`));
}

function detectLayout(byName: Map<string, Uint8Array>): RawLayout {
  if (hasLayout(byName, 'openclip')) return 'openclip';
  if (hasLayout(byName, 'hf')) return 'hf';
  throw new Error(
    `no CLIP checkpoint among [${[...byName.keys()].join(', ')}]: expected open_clip_config.json + ` +
      'open_clip_model.safetensors, or config.json + model.safetensors (or a .safetensors.index.json)',
  );
}

function readShards(byName: Map<string, Uint8Array>, indexName: string): Map<string, RawTensor> {
  const index = parseJson(byName.get(indexName)!, indexName) as { weight_map?: unknown };
  if (typeof index.weight_map !== 'object' || index.weight_map === null) {
    throw new Error(`${indexName}: no weight_map object`);
  }
  const weightMap = index.weight_map as Record<string, string>;
  const tensors = new Map<string, RawTensor>();
  for (const shardName of new Set(Object.values(weightMap))) {
    const bytes = byName.get(shardName);
    if (!bytes) throw new Error(`${indexName} names shard '${shardName}', which is not among the files`);
    for (const [name, t] of parseSafetensors(bytes, shardName)) {
      if (weightMap[name] !== shardName) {
        throw new Error(`${shardName}: tensor '${name}' is not mapped to this shard by ${indexName}`);
      }
      tensors.set(name, t);
    }
  }
  for (const [name, shardName] of Object.entries(weightMap)) {
    if (!tensors.has(name)) throw new Error(`${indexName}: tensor '${name}' is missing from shard '${shardName}'`);
  }
  return tensors;
}

export function readRawCheckpoint(files: Map<string, Uint8Array>, options: ReadRawCheckpointOptions = {}): RawCheckpoint {
  const byName = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) byName.set(baseName(path), bytes);
  const layout = options.layout ?? detectLayout(byName);
  if (!hasLayout(byName, layout)) throw new Error(`the files do not hold a '${layout}' checkpoint`);
  const { config: configName, weights } = LAYOUT_FILES[layout];
  const config = parseJson(byName.get(configName)!, configName);
  const tensors = byName.has(weights)
    ? parseSafetensors(byName.get(weights)!, weights)
    : readShards(byName, `${weights}.index.json`);
  const vocabBytes = byName.get('vocab.json');
  const vocab = vocabBytes ? (parseJson(vocabBytes, 'vocab.json') as Record<string, number>) : undefined;
  return vocab ? { layout, config, tensors, vocab } : { layout, config, tensors };
}
