/**
 * The IndexedDB text store, on fake-indexeddb (a spec-following IndexedDB for Node), and the
 * best-effort wrapper. Each test opens its own IDBFactory, i.e. a fresh "browser profile".
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../math/tensor.ts';
import { flushWrites } from '../model/writeBehind.ts';
import { TextEmbeddings } from './textEmbeddings.ts';
import { bestEffortStore, IndexedDbTextStore, MemoryTextCache, openTextStore, type TextEmbeddingStore } from './textStore.ts';

const vec = (...x: number[]) => Float32Array.from(x);

/** a fake text tower (D = 2): a text's vector is (length, first char code); logs every call */
function fakeEngine(fingerprint: string) {
  const calls: string[][] = [];
  return {
    calls,
    checkpoint: { fingerprint, text: { embedDim: 2 } },
    async encodeText(texts: readonly string[]): Promise<Tensor<'C D', Float32Array>> {
      calls.push([...texts]);
      return tensor('C D', Float32Array.from(texts.flatMap((t) => [t.length, t.charCodeAt(0)])), [texts.length, 2]);
    },
  };
}

describe('IndexedDbTextStore', () => {
  it('stores per fingerprint and exact text, and a reopened database still has them', async () => {
    const factory = new IDBFactory();
    const store = await IndexedDbTextStore.open(factory);
    await store.put('model-a', new Map([['cat', vec(1, 2)], ['Cat', vec(3, 4)]]));
    await store.put('model-b', new Map([['cat', vec(5, 6)]]));
    store.close();

    const reopened = await IndexedDbTextStore.open(factory);
    const a = await reopened.get('model-a', ['cat', 'Cat', 'cat ', 'dog']);
    expect([...a.keys()]).toEqual(['cat', 'Cat']);
    expect(Array.from(a.get('Cat')!)).toEqual([3, 4]);
    expect(Array.from((await reopened.get('model-b', ['cat'])).get('cat')!)).toEqual([5, 6]);
    expect(await reopened.count('model-a')).toBe(2);
    expect(await reopened.count('model-b')).toBe(1);
    expect(await reopened.count('model')).toBe(0);
    await reopened.clear('model-a');
    expect(await reopened.count('model-a')).toBe(0);
    expect(await reopened.count('model-b')).toBe(1);
    reopened.close();
  });

  it('a stored vector is a copy: changing the caller’s array later does not change it', async () => {
    const store = await IndexedDbTextStore.open(new IDBFactory());
    const v = vec(1, 2);
    await store.put('m', new Map([['t', v]]));
    v[0] = 99;
    expect(Array.from((await store.get('m', ['t'])).get('t')!)).toEqual([1, 2]);
  });

  it('TextEmbeddings over IndexedDB: a "reload" (new database connection, new object) encodes nothing again', async () => {
    const factory = new IDBFactory();
    const texts = ['a photo of a cat', 'a dog', 'ünïcødé ✓', 'tab\there'];
    const first = fakeEngine('fp');
    const firstStore = await IndexedDbTextStore.open(factory);
    const before = await new TextEmbeddings(first, firstStore).embedCounted(texts);
    expect(before).toMatchObject({ encoded: 4, cached: 0 });
    // prompts are written once they have been quiet a while (model/writeBehind.ts): now, here
    await flushWrites(firstStore);
    const second = fakeEngine('fp');
    const afterReload = await new TextEmbeddings(second, await IndexedDbTextStore.open(factory)).embedCounted([...texts, 'new text']);
    expect(second.calls).toEqual([['new text']]);
    expect(afterReload).toMatchObject({ encoded: 1, cached: 4 });
    expect(afterReload.vectors.slice(0, 4).map((v) => Array.from(v))).toEqual(before.vectors.map((v) => Array.from(v)));
    // another model does not see them
    const other = fakeEngine('other-fp');
    expect(await new TextEmbeddings(other, await IndexedDbTextStore.open(factory)).embedCounted(texts)).toMatchObject({ encoded: 4, cached: 0 });
  });
});

describe('bestEffortStore and openTextStore', () => {
  const broken: TextEmbeddingStore = {
    get: async () => {
      throw new Error('QuotaExceededError');
    },
    put: async () => {
      throw new Error('QuotaExceededError');
    },
  };

  it('a failing store reads as empty, writes are dropped, and the failure is reported once', async () => {
    const messages: string[] = [];
    const engine = fakeEngine('fp');
    const texts = new TextEmbeddings(engine, bestEffortStore(broken, (m) => messages.push(m)));
    const r = await texts.embedCounted(['a', 'bb']);
    expect(r.vectors.map((v) => Array.from(v))).toEqual([[1, 97], [2, 98]]);
    expect(r).toMatchObject({ encoded: 2, cached: 0 });
    await texts.embed(['ccc']);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/could not be read \(QuotaExceededError\)/);
  });

  it('openTextStore falls back to memory without IndexedDB, saying why', async () => {
    const none = await openTextStore(null);
    expect(none.persistent).toBe(false);
    expect(none.store).toBeInstanceOf(MemoryTextCache);
    expect(none.reason).toMatch(/not available/);
    const real = await openTextStore(new IDBFactory());
    expect(real.persistent).toBe(true);
    expect(real.store).toBeInstanceOf(IndexedDbTextStore);
  });
});
