/**
 * Text embeddings keyed by (model fingerprint, exact text), so a pool or a label set is run
 * through the text tower once per model. `embedTexts` encodes only the texts the store lacks.
 * Platform-neutral; textCache.node.ts stores entries in files, MemoryTextCache in memory.
 */
import { CodedError, ERROR_CODES } from '../api/errors.ts';
import { measureStep } from '../api/stepTimings.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { writeBehind } from './writeBehind.ts';

export interface TextEmbeddingStore {
  /** the stored unit embeddings among `texts` (texts not stored are absent from the map) */
  get(fingerprint: string, texts: readonly string[]): Promise<Map<string, Float32Array>>;
  /** stores embeddings (all of one width D per fingerprint); texts already stored are left as they are */
  put(fingerprint: string, entries: ReadonlyMap<string, Float32Array>): Promise<void>;
}

/** the part of ClipEngine embedTexts needs */
export interface TextEncodingEngine {
  readonly checkpoint: { readonly fingerprint: string };
  encodeText(texts: readonly string[]): Promise<Tensor<'C D', Float32Array>>;
  /** background work waits here between chunks until no foreground request runs (ClipEngine) */
  yieldToForeground?(): Promise<void>;
}

export interface EmbedTextsOptions {
  /** texts encoded (and stored) per step, so an interrupted pool keeps what was done; default 256 */
  chunkSize?: number;
  /** called with (0, missing) before encoding anything, then after each chunk with (encoded so far, missing) */
  onProgress?(encoded: number, missing: number): void;
  /** background work (the built-in text sets): before each chunk, let image and prompt requests go first */
  background?: boolean;
  /**
   * a user waits for these texts (a prompt): return once encoded; the store write comes later, with
   * other prompts', once none has come for `writeQuietMs` (writeBehind.ts); a failed write is
   * reported on the console
   */
  storeInBackground?: boolean;
  /** with storeInBackground: how long writes wait for quiet (default PROMPT_WRITE_QUIET_MS) */
  writeQuietMs?: number;
  /**
   * stops the work between chunks: a chunk whose encoding has begun is finished and stored (runs are
   * never aborted inside onnxruntime), then embedTexts throws textEmbeddingCancelled. What was
   * stored stays, so a later call over the same texts encodes only the rest.
   */
  signal?: AbortSignal;
}

/** what embedTexts throws when its signal stopped it (code 'cancelled', kept across the worker) */
export function textEmbeddingCancelled(stored: number, missing: number): CodedError {
  return new CodedError(ERROR_CODES.cancelled, `text embedding cancelled after ${stored} of ${missing} texts (those are kept)`, undefined, 'TextEmbeddingCancelled');
}

/** resolves with `wait`, or rejects as soon as `signal` aborts (the waiting itself is left to settle) */
function unlessAborted(wait: Promise<void>, signal: AbortSignal | undefined, cancelled: () => Error): Promise<void> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export const embedTextsDefaults = { chunkSize: 256 } as const;

/** prompt embeddings are written once prompts have been quiet this long (writeBehind.ts) */
export const PROMPT_WRITE_QUIET_MS = 1000;

/** unit text embeddings [C, D] of `texts` in order, encoding only what `store` lacks */
export async function embedTexts(
  engine: TextEncodingEngine,
  texts: readonly string[],
  store: TextEmbeddingStore,
  options: EmbedTextsOptions = {},
): Promise<Tensor<'C D', Float32Array>> {
  const fingerprint = engine.checkpoint.fingerprint;
  const chunkSize = options.chunkSize ?? embedTextsDefaults.chunkSize;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  const unique = [...new Set(texts)];
  const t0 = performance.now();
  const found = await store.get(fingerprint, unique);
  measureStep('text:store-get', t0);
  const missing = unique.filter((t) => !found.has(t));
  if (missing.length > 0) options.onProgress?.(0, missing.length);
  const { signal } = options;
  for (let start = 0; start < missing.length; start += chunkSize) {
    const chunk = missing.slice(start, start + chunkSize);
    const cancelled = () => textEmbeddingCancelled(start, missing.length);
    if (signal?.aborted) throw cancelled();
    // a cancel while foreground work holds the engine is answered now, not once that work ends
    if (options.background && engine.yieldToForeground) await unlessAborted(engine.yieldToForeground(), signal, cancelled);
    const t1 = performance.now();
    const encoded = await engine.encodeText(chunk);
    const t2 = measureStep('text:encode', t1);
    const D = encoded.dims[1];
    const entries = new Map<string, Float32Array>();
    chunk.forEach((text, i) => entries.set(text, encoded.data.slice(i * D, (i + 1) * D)));
    if (options.storeInBackground) {
      writeBehind(store, options.writeQuietMs ?? PROMPT_WRITE_QUIET_MS)
        .put(fingerprint, entries)
        .catch((err) => console.warn(`[clipscope] text embeddings were not stored: ${(err as Error)?.message ?? err}`));
    } else {
      await store.put(fingerprint, entries);
      measureStep('text:store-put', t2);
    }
    for (const [text, v] of entries) found.set(text, v);
    options.onProgress?.(Math.min(start + chunkSize, missing.length), missing.length);
  }
  if (texts.length === 0) return tensor('C D', new Float32Array(0), [0, 0]);
  const D = found.get(texts[0])!.length;
  const out = new Float32Array(texts.length * D);
  texts.forEach((text, i) => {
    const v = found.get(text)!;
    if (v.length !== D) throw new RangeError(`stored embedding of '${text}' has ${v.length} values, expected ${D}`);
    out.set(v, i * D);
  });
  return tensor('C D', out, [texts.length, D]);
}

/** An in-memory store (the browser's per-session cache; tests). */
export class MemoryTextCache implements TextEmbeddingStore {
  private readonly byModel = new Map<string, Map<string, Float32Array>>();

  async get(fingerprint: string, texts: readonly string[]): Promise<Map<string, Float32Array>> {
    const model = this.byModel.get(fingerprint);
    const out = new Map<string, Float32Array>();
    if (!model) return out;
    for (const t of texts) {
      const v = model.get(t);
      if (v) out.set(t, v.slice());
    }
    return out;
  }

  async put(fingerprint: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    let model = this.byModel.get(fingerprint);
    if (!model) this.byModel.set(fingerprint, (model = new Map()));
    for (const [t, v] of entries) if (!model.has(t)) model.set(t, v.slice());
  }

  /** texts stored for a model */
  size(fingerprint: string): number {
    return this.byModel.get(fingerprint)?.size ?? 0;
  }
}
