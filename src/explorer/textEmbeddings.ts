/**
 * Text embeddings of one model: memoised by exact text for the session, and read from / written to
 * a persistent store per model fingerprint (IndexedDB in the worker, textStore.ts), so a pool or a
 * label set reaches the text tower once per model, not once per page load.
 */
import type { ProgressCallback, TextSetSource } from '../api/explorer.ts';
import { embedTexts, MemoryTextCache, type TextEmbeddingStore, type TextEncodingEngine } from '../model/textCache.ts';

/** the part of ClipEngine this needs */
export interface TextEmbeddingEngine extends TextEncodingEngine {
  readonly checkpoint: { readonly fingerprint: string; readonly text?: { readonly embedDim: number } };
}

export interface EmbeddedTexts extends TextSetSource {
  /** unit embeddings in the order of the request */
  vectors: Float32Array[];
}

export interface EmbedOptions {
  onProgress?: ProgressCallback;
  /** the progress phase reported */
  phase?: string;
  /** texts per text-tower run (and per stored chunk) */
  batch?: number;
  /** the built-in text sets: image and prompt requests go first (model/foregroundFirst.ts) */
  background?: boolean;
  /** stops the encoding between chunks; chunks done stay stored (model/textCache.ts) */
  signal?: AbortSignal;
}

export class TextEmbeddings {
  private readonly memo = new Map<string, Float32Array>();
  private encodedTotal = 0;
  private readonly inflight = new Map<string, Promise<number>>();

  constructor(
    private readonly engine: TextEmbeddingEngine,
    private readonly store: TextEmbeddingStore = new MemoryTextCache(),
  ) {}

  get dim(): number {
    const t = this.engine.checkpoint.text;
    if (!t) throw new Error('this model has no text tower: prompts, labels and TEXTSPAN need one');
    return t.embedDim;
  }

  /** texts run through the text tower by this object so far (a test hook and a UI fact) */
  get encodedCount(): number {
    return this.encodedTotal;
  }

  /** like `embed`, also saying how many distinct texts were encoded and how many came from the store */
  async embedCounted(texts: readonly string[], options: EmbedOptions = {}): Promise<EmbeddedTexts> {
    const { onProgress, phase = 'embedding texts', batch = 64, background = false, signal } = options;
    this.dim; // throws without a text tower, before anything is read
    const unseen = [...new Set(texts.filter((t) => !this.memo.has(t)))];
    // texts another call is encoding right now are awaited, not encoded twice
    const elsewhere = [...new Set(unseen.map((t) => this.inflight.get(t)).filter((p): p is Promise<number> => p !== undefined))];
    const missing = unseen.filter((t) => !this.inflight.has(t));
    let encoded = 0;
    if (missing.length > 0) {
      const D = this.dim;
      let storeMisses = 0;
      const work = embedTexts(this.engine, missing, this.store, {
        chunkSize: batch,
        background,
        ...(signal ? { signal } : {}),
        // foreground texts (prompts): the answer does not wait for the store's write
        storeInBackground: !background,
        onProgress: (done, total) => {
          storeMisses = total; // texts neither memoised nor in the store: the ones encoded
          onProgress?.({ phase, done, total });
        },
      }).then((found) => {
        missing.forEach((t, i) => this.memo.set(t, found.data.slice(i * D, (i + 1) * D)));
        this.encodedTotal += storeMisses;
        return storeMisses;
      });
      for (const t of missing) this.inflight.set(t, work);
      try {
        encoded = await work;
      } finally {
        for (const t of missing) this.inflight.delete(t);
      }
    }
    // another call's cancellation is not this one's: texts it left unembedded are embedded here
    await Promise.allSettled(elsewhere);
    let cached = missing.length - encoded;
    const left = texts.filter((t) => !this.memo.has(t));
    if (left.length > 0) {
      const rest = await this.embedCounted(left, options);
      encoded += rest.encoded;
      cached += rest.cached;
    }
    return { vectors: texts.map((t) => this.memo.get(t)!), encoded, cached };
  }

  /** unit embeddings in the order of `texts`; only texts neither memoised nor stored reach the text tower */
  async embed(texts: readonly string[], options: Omit<EmbedOptions, 'background' | 'signal'> = {}): Promise<Float32Array[]> {
    return (await this.embedCounted(texts, options)).vectors;
  }

  async one(text: string): Promise<Float32Array> {
    return (await this.embed([text]))[0];
  }
}
