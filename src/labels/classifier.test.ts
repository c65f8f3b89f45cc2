import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { buildClassifier } from './classifier.ts';

/** a fake text tower: each prompt's embedding is a fixed vector looked up by its text */
function fakeEncoder(table: Record<string, number[]>, calls: string[][]) {
  return async (texts: readonly string[]) => {
    calls.push([...texts]);
    const D = Object.values(table)[0].length;
    const out = new Float32Array(texts.length * D);
    texts.forEach((t, i) => {
      const v = table[t];
      if (!v) throw new Error(`unexpected prompt ${t}`);
      out.set(v, i * D);
    });
    return tensor('C D', out, [texts.length, D]);
  };
}

describe('buildClassifier', () => {
  it('buildClassifier(set, encode) normalises each prompt, averages per class and normalises (hand-computed)', async () => {
    const table = {
      'a cat': [3, 4, 0], // unit: (0.6, 0.8, 0)
      'cat!': [0, 0, 2], // unit: (0, 0, 1)
      'a dog': [0, -5, 0], // unit: (0, -1, 0)
      'dog!': [0, -1, 0],
    };
    const calls: string[][] = [];
    const W = await buildClassifier({ classes: ['cat', 'dog'], templates: ['a {}', '{}!'] }, fakeEncoder(table, calls), { chunk: 3 });
    expect(W.dims).toEqual([2, 3]);
    const n = Math.hypot(0.3, 0.4, 0.5);
    const expected = [0.3 / n, 0.4 / n, 0.5 / n, 0, -1, 0];
    Array.from(W.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 7));
    // prompts go class-major, in chunks of 3
    expect(calls).toEqual([['a cat', 'cat!', 'a dog'], ['dog!']]);
  });

  it('buildClassifier reports progress after every chunk', async () => {
    const table = { 'x a': [1, 0], 'x b': [0, 1] };
    const seen: [number, number][] = [];
    await buildClassifier({ classes: ['a', 'b'], templates: ['x {}'] }, fakeEncoder(table, []), {
      chunk: 1,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([[1, 2], [2, 2]]);
  });

  it('buildClassifier refuses an encoder that returns the wrong number of rows', async () => {
    const bad = async () => tensor('C D', new Float32Array(2), [1, 2]);
    await expect(buildClassifier({ classes: ['a', 'b'], templates: ['{}'] }, bad)).rejects.toThrow(/returned \[1, 2\] for 2 texts/);
  });
});
