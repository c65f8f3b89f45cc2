/** The shared test helpers themselves, on inputs with known answers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, relErr } from './compare.ts';
import { errorOf } from './errorOf.ts';
import { fileImports } from './importGraph.node.ts';
import { REPO_ROOT } from './shared.ts';

describe('comparators', () => {
  it('maxAbsDiff([1, 2, 3], [1, 2.5, 1]) is 2; relErr divides by max|reference|', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 1])).toBe(2);
    expect(relErr([1, 2, 3], [1, 2.5, 1])).toBe(2 / 2.5);
    expect(relErr(new Float32Array([0.5, -1]), new Float64Array([0, -4]))).toBe(3 / 4);
  });
  it('relErr against an all-zero reference is the absolute difference; equal arrays give 0', () => {
    expect(relErr([0.25, 0], [0, 0])).toBe(0.25);
    expect(maxAbsDiff([], [])).toBe(0);
    expect(relErr([1, 2], [1, 2])).toBe(0);
  });
  it('arrays of different lengths are an error, not a silent partial comparison', () => {
    expect(() => maxAbsDiff([1, 2], [1])).toThrow('cannot compare arrays of different lengths: 2 vs 1');
    expect(() => relErr([1], [1, 2])).toThrow(RangeError);
  });
});

describe('errorOf', () => {
  it('errorOf(promise, RangeError) returns the rejection; errorOf(fn, TypeError) the throw', async () => {
    const e = await errorOf(Promise.reject(new RangeError('out')), RangeError);
    expect(e.message).toBe('out');
    const t = await errorOf(() => {
      throw new TypeError('bad');
    }, TypeError);
    expect(t).toBeInstanceOf(TypeError);
  });
  it('errorOf fails when the call succeeds or throws another class', async () => {
    await expect(errorOf(Promise.resolve(1), RangeError)).rejects.toThrow('expected a RangeError, but the call succeeded');
    await expect(errorOf(() => JSON.parse('{'), RangeError)).rejects.toThrow(/expected a RangeError, got SyntaxError: /);
  });
});

describe('shared by vitest and the browser tests', () => {
  it.each(['compare.ts', 'errorOf.ts'])('src/testkit/%s imports nothing (no test runner, no Node)', (file) => {
    const path = `src/testkit/${file}`;
    expect(fileImports(path, readFileSync(join(REPO_ROOT, path), 'utf8'))).toEqual([]);
  });
});
