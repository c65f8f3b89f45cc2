/**
 * Background text embedding gives way to foreground requests: a decomposition (or prompt)
 * started while a large text set is being embedded finishes before the next chunk of the set
 * starts, whatever the set's size; with nothing in the foreground the set runs chunk after chunk.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { ForegroundFirst } from './foregroundFirst.ts';
import { embedTexts, MemoryTextCache } from './textCache.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** an engine whose text runs and foreground requests take real event-loop time and are logged */
function loggingEngine() {
  const foreground = new ForegroundFirst();
  const log: string[] = [];
  return {
    log,
    engine: {
      checkpoint: { fingerprint: 'model-a' },
      encodeText: (texts: readonly string[]) =>
        foreground.run(async () => {
          log.push(`text ${texts[0]}`);
          await tick(5);
          return tensor('C D', new Float32Array(texts.length * 2).fill(1), [texts.length, 2]);
        }),
      yieldToForeground: () => foreground.yield(),
    },
    /** a foreground request of `ms` (a decomposition) */
    request: (name: string, ms: number) =>
      foreground.run(async () => {
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
      }),
    foreground,
  };
}

describe('ForegroundFirst', () => {
  it('a foreground request started during a background text set ends before the next chunk starts', async () => {
    const { engine, log, request } = loggingEngine();
    const texts = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const background = embedTexts(engine, texts, new MemoryTextCache(), { chunkSize: 4, background: true });
    await tick(12); // the set is under way
    const image = request('image', 30); // much longer than a chunk
    await Promise.all([background, image]);
    const start = log.indexOf('start image');
    const end = log.indexOf('end image');
    expect(start).toBeGreaterThan(0);
    // at most the chunk already running when the request came sits between start and end: none here,
    // since the request's run starts while the chunk awaits; no chunk starts before the end
    expect(log.slice(start + 1, end).filter((e) => e.startsWith('text'))).toEqual([]);
    expect(log.filter((e) => e.startsWith('text'))).toHaveLength(10); // every chunk still ran
    expect(end).toBeLessThan(log.length - 1); // and chunks went on after the request
  });

  it('two requests in a row: the set waits for both, then resumes', async () => {
    const { engine, log, request } = loggingEngine();
    const background = embedTexts(engine, Array.from({ length: 24 }, (_, i) => `u${i}`), new MemoryTextCache(), { chunkSize: 4, background: true });
    await tick(8);
    await Promise.all([request('a', 15), request('b', 25), background]);
    const lastEnd = Math.max(log.indexOf('end a'), log.indexOf('end b'));
    const firstStart = Math.min(log.indexOf('start a'), log.indexOf('start b'));
    expect(log.slice(firstStart, lastEnd).filter((e) => e.startsWith('text'))).toEqual([]);
  });

  it('without background: true, embedTexts does not wait (a prompt is foreground work itself)', async () => {
    const { engine, foreground } = loggingEngine();
    let release!: () => void;
    const holding = foreground.run(() => new Promise<void>((r) => (release = r)));
    const prompt = embedTexts(engine, ['a photo of a cat'], new MemoryTextCache(), { chunkSize: 4 });
    const done = await Promise.race([prompt.then(() => 'done'), tick(200).then(() => 'waiting')]);
    expect(done).toBe('done');
    release();
    await holding;
    expect(foreground.busy).toBe(false);
  });
});
