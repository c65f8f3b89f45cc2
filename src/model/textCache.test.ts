import { appendFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir, writeTinyModel, POOL_CORPUS } from '../testkit/cacheFixture.node.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { loadCheckpoint } from './checkpoint/load.ts';
import { nodeModelDir } from './checkpoint/nodeSources.node.ts';
import { createNodeEngine } from './engine.node.ts';
import { NodeTextCache } from './textCache.node.ts';
import { embedTexts, MemoryTextCache, type TextEncodingEngine } from './textCache.ts';

const D = 3;

/** a fake text tower: a text's vector is (length, first char code, fingerprint tag); logs every call */
function fakeEngine(fingerprint: string): TextEncodingEngine & { calls: string[][] } {
  const calls: string[][] = [];
  const tag = fingerprint === 'model-a' ? 1 : 2;
  return {
    calls,
    checkpoint: { fingerprint },
    async encodeText(texts: readonly string[]): Promise<Tensor<'C D', Float32Array>> {
      calls.push([...texts]);
      return tensor('C D', Float32Array.from(texts.flatMap((t) => [t.length, t.charCodeAt(0), tag])), [texts.length, D]);
    },
  };
}

const work = tempDir('textcache');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('embedTexts', () => {
  it('embedTexts(engine, texts, store) encodes only texts the store lacks (each once), and returns rows in input order', async () => {
    const store = new MemoryTextCache();
    const engine = fakeEngine('model-a');
    const first = await embedTexts(engine, ['cat', 'dog', 'cat'], store);
    expect(engine.calls).toEqual([['cat', 'dog']]);
    expect(Array.from(first.data)).toEqual([3, 99, 1, 3, 100, 1, 3, 99, 1]);
    const second = await embedTexts(engine, ['horse', 'dog', 'cat'], store);
    expect(engine.calls).toEqual([['cat', 'dog'], ['horse']]);
    expect(Array.from(second.data)).toEqual([5, 104, 1, 3, 100, 1, 3, 99, 1]);
    await embedTexts(engine, ['dog', 'horse'], store);
    expect(engine.calls).toHaveLength(2); // nothing new
  });

  it('storeInBackground: returns once encoded; prompts are written together once none came for writeQuietMs; a failed write is reported, not thrown', async () => {
    vi.useFakeTimers();
    const warn = console.warn;
    try {
      const engine = fakeEngine('model-a');
      const puts: string[][] = [];
      const store = {
        get: async () => new Map<string, Float32Array>(),
        put: async (_: string, entries: ReadonlyMap<string, Float32Array>) => void puts.push([...entries.keys()]),
      };
      const background = { storeInBackground: true, writeQuietMs: 1000 };
      const out = await embedTexts(engine, ['cat'], store, background);
      expect(Array.from(out.data)).toEqual([3, 99, 1]);
      await vi.advanceTimersByTimeAsync(600);
      await embedTexts(engine, ['dog'], store, background);
      await vi.advanceTimersByTimeAsync(600);
      expect(puts).toEqual([]); // 1,200 ms after 'cat', but 600 after 'dog'
      await vi.advanceTimersByTimeAsync(400);
      expect(puts).toEqual([['cat', 'dog']]); // one write for both
      // without the option the call waits for its own write
      let finishWrite: () => void = () => {};
      const slow = { get: store.get, put: () => new Promise<void>((resolve) => (finishWrite = resolve)) };
      let settled = false;
      const waiting = embedTexts(engine, ['owl'], slow).then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(10);
      expect(settled).toBe(false);
      finishWrite();
      await waiting;
      expect(settled).toBe(true);
      // a rejected background write goes to the console
      const warnings: unknown[] = [];
      console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
      await embedTexts(engine, ['eel'], { get: store.get, put: async () => Promise.reject(new Error('disk full')) }, background);
      await vi.advanceTimersByTimeAsync(1000);
      expect(warnings).toEqual(['[clipscope] text embeddings were not stored: disk full']);
    } finally {
      console.warn = warn;
      vi.useRealTimers();
    }
  });

  it('entries are keyed by model fingerprint and by the exact text', async () => {
    const store = new MemoryTextCache();
    const a = fakeEngine('model-a');
    const b = fakeEngine('model-b');
    await embedTexts(a, ['cat'], store);
    const fromB = await embedTexts(b, ['cat', 'Cat', 'cat '], store);
    expect(b.calls).toEqual([['cat', 'Cat', 'cat ']]);
    expect(Array.from(fromB.data.subarray(0, 3))).toEqual([3, 99, 2]);
    expect(store.size('model-a')).toBe(1);
    expect(store.size('model-b')).toBe(3);
  });

  it('chunkSize splits encoding and reports progress; an empty list gives [0, 0]', async () => {
    const engine = fakeEngine('model-a');
    const progress: [number, number][] = [];
    await embedTexts(engine, ['a', 'b', 'c', 'd', 'e'], new MemoryTextCache(), { chunkSize: 2, onProgress: (d, m) => progress.push([d, m]) });
    expect(engine.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(progress).toEqual([[0, 5], [2, 5], [4, 5], [5, 5]]);
    expect((await embedTexts(engine, [], new MemoryTextCache())).dims).toEqual([0, 0]);
  });
});

describe('NodeTextCache', () => {
  it('persists across instances: a new NodeTextCache over the same folder encodes nothing again', async () => {
    const root = join(work, 'persist');
    const engine = fakeEngine('model-a');
    const texts = ['a photo of a cat', 'line\nbreak', 'tab\there', 'ünïcødé ✓'];
    const first = await embedTexts(engine, texts, new NodeTextCache(root));
    const again = fakeEngine('model-a');
    const second = await embedTexts(again, texts, new NodeTextCache(root));
    expect(again.calls).toEqual([]);
    expect(second.data).toEqual(first.data);
    expect(statSync(join(root, 'model-a', 'vectors.f32')).size).toBe(texts.length * D * 4);
  });

  it('keeps only complete (text line, vector) pairs after an interrupted write, and truncates the files to them', async () => {
    const root = join(work, 'crash');
    await embedTexts(fakeEngine('model-a'), ['one', 'two'], new NodeTextCache(root));
    const dir = join(root, 'model-a');
    // a vector whose text line never got written, and a partial text line
    appendFileSync(join(dir, 'vectors.f32'), new Uint8Array(D * 4 + 2));
    appendFileSync(join(dir, 'texts.jsonl'), '"thr');
    const engine = fakeEngine('model-a');
    const out = await embedTexts(engine, ['two', 'three', 'one'], new NodeTextCache(root));
    expect(engine.calls).toEqual([['three']]);
    expect(Array.from(out.data)).toEqual([3, 116, 1, 5, 116, 1, 3, 111, 1]);
    expect(readFileSync(join(dir, 'texts.jsonl'), 'utf8')).toBe('"one"\n"two"\n"three"\n');
    expect(statSync(join(dir, 'vectors.f32')).size).toBe(3 * D * 4);
  });

  it('refuses a fingerprint that cannot name a folder', async () => {
    await expect(new NodeTextCache(work).get('../escape', ['x'])).rejects.toThrow(/cannot name a folder/);
  });

  it('with a real text tower, embedTexts equals engine.encodeText on the same texts', async () => {
    const dir = writeTinyModel(join(work, 'model'));
    const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(dir)));
    try {
      const texts = [POOL_CORPUS[0], POOL_CORPUS[3], 'an unseen text'];
      const store = new NodeTextCache(join(work, 'real'));
      await embedTexts(engine, texts.slice(0, 1), store); // one cached, two new
      const got = await embedTexts(engine, texts, store);
      const direct = await engine.encodeText(texts);
      expect(got.dims).toEqual(direct.dims);
      for (let i = 0; i < direct.data.length; i++) expect(got.data[i]).toBeCloseTo(direct.data[i], 6);
    } finally {
      await engine.release();
    }
  });
});
