/**
 * Cancelling embedTexts (the built-in text sets' Cancel button): it stops between chunks, keeps
 * every chunk it finished in the store, and a later call embeds only the rest, in the same chunks
 * an uninterrupted run makes, so the result is the same bit for bit.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodedError, errorCode } from '../api/errors.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { POOL_CORPUS, tempDir, writeTinyModel } from '../testkit/cacheFixture.node.ts';
import { errorOf } from '../testkit/errorOf.ts';
import { loadCheckpoint } from './checkpoint/load.ts';
import { nodeModelDir } from './checkpoint/nodeSources.node.ts';
import { createNodeEngine } from './engine.node.ts';
import { ForegroundFirst } from './foregroundFirst.ts';
import { embedTexts, MemoryTextCache, type TextEncodingEngine } from './textCache.ts';

const D = 2;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * a fake text tower whose rows depend on the whole batch (row = [text length, batch's first char
 * code]), so only the same chunks reproduce the same numbers; logs every batch
 */
function batchDependentEngine(): TextEncodingEngine & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    checkpoint: { fingerprint: 'model-a' },
    async encodeText(texts: readonly string[]): Promise<Tensor<'C D', Float32Array>> {
      calls.push([...texts]);
      await tick(1);
      return tensor('C D', Float32Array.from(texts.flatMap((t) => [t.length, texts[0].charCodeAt(0)])), [texts.length, D]);
    },
  };
}

const TEXTS = Array.from({ length: 23 }, (_, i) => `${String.fromCharCode(97 + i)}-text-${'x'.repeat(i)}`);
const CHUNK = 4; // 6 chunks: 5 of 4 texts, one of 3

describe('embedTexts with a signal', () => {
  it('cancel after chunk k: exactly k chunks encoded and stored, none after; code cancelled', async () => {
    for (const k of [1, 3, 5]) {
      const engine = batchDependentEngine();
      const store = new MemoryTextCache();
      const stop = new AbortController();
      const run = embedTexts(engine, TEXTS, store, {
        chunkSize: CHUNK,
        signal: stop.signal,
        onProgress: (done) => {
          if (done === k * CHUNK) stop.abort();
        },
      });
      const err = await errorOf(run, CodedError);
      expect(errorCode(err)).toBe('cancelled');
      expect(err.message).toBe(`text embedding cancelled after ${k * CHUNK} of ${TEXTS.length} texts (those are kept)`);
      await tick(20); // nothing runs later either
      expect(engine.calls).toEqual(Array.from({ length: k }, (_, i) => TEXTS.slice(i * CHUNK, (i + 1) * CHUNK)));
      expect(store.size('model-a')).toBe(k * CHUNK);
      expect([...(await store.get('model-a', TEXTS)).keys()]).toEqual(TEXTS.slice(0, k * CHUNK));
    }
  });

  it('a cancel during a chunk lets that chunk finish and be stored (no run is cut short), then stops', async () => {
    const engine = batchDependentEngine();
    const store = new MemoryTextCache();
    const stop = new AbortController();
    const inner = engine.encodeText.bind(engine);
    engine.encodeText = (texts) => {
      if (engine.calls.length === 2) stop.abort(); // while the third chunk is encoded
      return inner(texts);
    };
    expect(errorCode(await errorOf(embedTexts(engine, TEXTS, store, { chunkSize: CHUNK, signal: stop.signal }), CodedError))).toBe('cancelled');
    expect(engine.calls).toHaveLength(3);
    expect(store.size('model-a')).toBe(3 * CHUNK);
  });

  it('an aborted signal before the start encodes nothing', async () => {
    const engine = batchDependentEngine();
    const store = new MemoryTextCache();
    expect(errorCode(await errorOf(embedTexts(engine, TEXTS, store, { chunkSize: CHUNK, signal: AbortSignal.abort() }), CodedError))).toBe('cancelled');
    expect(engine.calls).toEqual([]);
    expect(store.size('model-a')).toBe(0);
  });

  it('resume after a cancel embeds only the rest, in the chunks of an uninterrupted run: the result equals it bit for bit', async () => {
    const whole = batchDependentEngine();
    const uninterrupted = await embedTexts(whole, TEXTS, new MemoryTextCache(), { chunkSize: CHUNK });

    const engine = batchDependentEngine();
    const store = new MemoryTextCache();
    const stop = new AbortController();
    await errorOf(embedTexts(engine, TEXTS, store, { chunkSize: CHUNK, signal: stop.signal, onProgress: (done) => done === 2 * CHUNK && stop.abort() }), CodedError);
    const progress: [number, number][] = [];
    const resumed = await embedTexts(engine, TEXTS, store, { chunkSize: CHUNK, onProgress: (d, m) => progress.push([d, m]) });
    expect(engine.calls.slice(2)).toEqual(whole.calls.slice(2)); // only the rest, same chunks
    expect(engine.calls).toEqual(whole.calls);
    expect(progress).toEqual([[0, 15], [4, 15], [8, 15], [12, 15], [15, 15]]);
    expect(resumed.dims).toEqual(uninterrupted.dims);
    expect(Buffer.from(resumed.data.buffer).equals(Buffer.from(uninterrupted.data.buffer))).toBe(true);
  });

  it('background work waiting for foreground work answers a cancel at once, not when that work ends', async () => {
    const foreground = new ForegroundFirst();
    const engine = { ...batchDependentEngine(), yieldToForeground: () => foreground.yield() };
    const store = new MemoryTextCache();
    const stop = new AbortController();
    let release!: () => void;
    const run = embedTexts(engine, TEXTS, store, {
      chunkSize: CHUNK,
      background: true,
      signal: stop.signal,
      onProgress: (done) => {
        // after the first chunk a long foreground request starts, and the user cancels
        if (done === CHUNK) {
          void foreground.run(() => new Promise<void>((r) => (release = r)));
          setTimeout(() => stop.abort(), 5);
        }
      },
    });
    const outcome = await Promise.race([errorOf(run, CodedError).then((e) => errorCode(e)), tick(2_000).then(() => 'still waiting')]);
    release();
    expect(outcome).toBe('cancelled');
    expect(engine.calls).toHaveLength(1);
    expect(store.size('model-a')).toBe(CHUNK);
  });
});

describe('with a real text tower (onnxruntime-node)', () => {
  const work = tempDir('textcancel');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('cancel after chunk 2, resume: the stored embeddings equal an uninterrupted run bit for bit', async () => {
    const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(writeTinyModel(join(work, 'model')))));
    try {
      const texts = [...POOL_CORPUS, ...POOL_CORPUS.map((t) => `a photo of ${t}`)];
      expect(texts.length).toBeGreaterThan(3 * 3);
      const uninterrupted = await embedTexts(engine, texts, new MemoryTextCache(), { chunkSize: 3 });
      const store = new MemoryTextCache();
      const stop = new AbortController();
      await errorOf(embedTexts(engine, texts, store, { chunkSize: 3, signal: stop.signal, onProgress: (done) => done === 6 && stop.abort() }), CodedError);
      expect(store.size(engine.checkpoint.fingerprint)).toBe(6);
      let encodedOnResume = 0;
      const resumed = await embedTexts(engine, texts, store, { chunkSize: 3, onProgress: (_d, missing) => (encodedOnResume = missing) });
      expect(encodedOnResume).toBe(texts.length - 6);
      expect(Buffer.from(resumed.data.buffer).equals(Buffer.from(uninterrupted.data.buffer))).toBe(true);
    } finally {
      await engine.release();
    }
  });
});
