/**
 * Where the explorer keeps text embeddings between page loads: per model fingerprint and exact text,
 * in IndexedDB (the worker has it), so a reload does not run a pool or a label set through the text
 * tower again. The store interface and the in-memory store are src/model/textCache.ts's (one
 * definition for the CLI's file cache and the browser); this file adds the IndexedDB store and a
 * best-effort wrapper (a full disk or a private window must not break the analysis).
 */
import { MemoryTextCache, type TextEmbeddingStore } from '../model/textCache.ts';

export type { TextEmbeddingStore };
export { MemoryTextCache };

export const textStoreDefaults = { dbName: 'clipscope-text-embeddings', storeName: 'embeddings', version: 1 } as const;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Text embeddings in IndexedDB, keyed [fingerprint, text]; values are Float32Arrays. */
export class IndexedDbTextStore implements TextEmbeddingStore {
  private constructor(private readonly db: IDBDatabase, private readonly storeName: string) {}

  static async open(factory: IDBFactory = globalThis.indexedDB, dbName: string = textStoreDefaults.dbName): Promise<IndexedDbTextStore> {
    if (!factory) throw new Error('IndexedDB is not available here');
    const { storeName, version } = textStoreDefaults;
    const open = factory.open(dbName, version);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(storeName)) open.result.createObjectStore(storeName);
    };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error(`opening IndexedDB '${dbName}' failed`));
      open.onblocked = () => reject(new Error(`IndexedDB '${dbName}' is blocked by another tab`));
    });
    return new IndexedDbTextStore(db, storeName);
  }

  async get(fingerprint: string, texts: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (texts.length === 0) return out;
    const tx = this.db.transaction(this.storeName, 'readonly');
    const store = tx.objectStore(this.storeName);
    // all gets in one transaction: IndexedDB pipelines them
    const values = await Promise.all(texts.map((t) => request(store.get([fingerprint, t]) as IDBRequest<Float32Array | undefined>)));
    texts.forEach((t, i) => {
      const v = values[i];
      if (v instanceof Float32Array) out.set(t, v);
    });
    return out;
  }

  async put(fingerprint: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    if (entries.size === 0) return;
    const tx = this.db.transaction(this.storeName, 'readwrite');
    const store = tx.objectStore(this.storeName);
    // same fingerprint and text means the same embedding: overwriting leaves it as it was
    for (const [t, v] of entries) store.put(v.slice(), [fingerprint, t]);
    await done(tx);
  }

  /** texts stored for a model */
  async count(fingerprint: string): Promise<number> {
    const tx = this.db.transaction(this.storeName, 'readonly');
    // array keys sort after strings, so [fp] .. [fp, []] spans every [fp, text]
    return request(tx.objectStore(this.storeName).count(IDBKeyRange.bound([fingerprint], [fingerprint, []])));
  }

  /** drops a model's texts (or everything) */
  async clear(fingerprint?: string): Promise<void> {
    const tx = this.db.transaction(this.storeName, 'readwrite');
    const store = tx.objectStore(this.storeName);
    if (fingerprint === undefined) store.clear();
    else store.delete(IDBKeyRange.bound([fingerprint], [fingerprint, []]));
    await done(tx);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * A store whose failures are reported once and otherwise ignored: a failed read counts as "not
 * stored" (the texts are encoded), a failed write loses only the caching.
 */
export function bestEffortStore(store: TextEmbeddingStore, onError: (message: string) => void): TextEmbeddingStore {
  let reported = false;
  const report = (what: string, err: unknown) => {
    if (reported) return;
    reported = true;
    onError(`the text-embedding cache could not ${what} (${(err as Error)?.message ?? String(err)}); texts are encoded again when needed`);
  };
  return {
    async get(fingerprint, texts) {
      try {
        return await store.get(fingerprint, texts);
      } catch (err) {
        report('be read', err);
        return new Map();
      }
    },
    async put(fingerprint, entries) {
      try {
        await store.put(fingerprint, entries);
      } catch (err) {
        report('be written', err);
      }
    },
  };
}

/** IndexedDB when it opens; otherwise an in-memory store, with the reason (null: no IndexedDB here) */
export async function openTextStore(factory: IDBFactory | null = globalThis.indexedDB ?? null): Promise<{ store: TextEmbeddingStore; persistent: boolean; reason?: string }> {
  try {
    if (!factory) throw new Error('IndexedDB is not available here');
    return { store: await IndexedDbTextStore.open(factory), persistent: true };
  } catch (err) {
    return { store: new MemoryTextCache(), persistent: false, reason: (err as Error).message };
  }
}
