/**
 * Write-behind for the text-embedding store: puts are held until no new one has come for
 * `quietMs`, then written together (one put per model). For prompt embeddings: an IndexedDB
 * write took 4-14 ms of the worker's and the browser's time (more as the store grows) just when
 * the page drew the heatmaps of the prompt it stored, on a 2-core machine the slowest of the
 * prompt changes (scripts/bench/app.browser.bench.ts --per-run). Repeats within the session come
 * from the caller's memo (explorer/textEmbeddings.ts); a tab closed within `quietMs` loses only
 * cache entries.
 */
import { measureStep } from '../api/stepTimings.ts';

/** the part of a TextEmbeddingStore (textCache.ts) written to */
interface TextEmbeddingWrites {
  put(fingerprint: string, entries: ReadonlyMap<string, Float32Array>): Promise<void>;
}

export class WriteBehind {
  private pending = new Map<string, Map<string, Float32Array>>();
  private waiting: { resolve(): void; reject(err: unknown): void }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: TextEmbeddingWrites,
    private readonly quietMs: number,
  ) {}

  /** resolves once these entries are written (or rejects with the write's error) */
  put(fingerprint: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    let model = this.pending.get(fingerprint);
    if (!model) this.pending.set(fingerprint, (model = new Map()));
    for (const [text, v] of entries) model.set(text, v);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.quietMs);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** writes what is held now, without waiting for quiet */
  flushNow(): Promise<void> {
    clearTimeout(this.timer);
    return this.flush();
  }

  private async flush(): Promise<void> {
    const models = [...this.pending];
    const waiting = this.waiting.splice(0);
    this.pending = new Map();
    this.timer = undefined;
    const t0 = performance.now();
    try {
      for (const [fingerprint, entries] of models) await this.store.put(fingerprint, entries);
      measureStep('text:store-put', t0);
      for (const w of waiting) w.resolve();
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }
}

const byStore = new WeakMap<TextEmbeddingWrites, WriteBehind>();

/** the one write-behind of `store` (so prompts given one by one are written together) */
export function writeBehind(store: TextEmbeddingWrites, quietMs: number): WriteBehind {
  let w = byStore.get(store);
  if (!w) byStore.set(store, (w = new WriteBehind(store, quietMs)));
  return w;
}

/** writes what `store`'s write-behind holds now (tests; a caller about to read the store elsewhere) */
export function flushWrites(store: TextEmbeddingWrites): Promise<void> {
  return byStore.get(store)?.flushNow() ?? Promise.resolve();
}
