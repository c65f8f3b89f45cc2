import { describe, expect, it } from 'vitest';
import { compareWithReference, type MeasuredValues, type PhotoSearch } from './compare.ts';
import { parseReferenceSet, type ReferenceSet } from './referenceSet.ts';

/**
 * Known answers: in D = 3, texts are unit vectors at chosen angles to the image vectors, so every
 * cosine is known exactly; the unnormalised entries are given directly.
 */
const angle = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0];
const HASH = (c: string) => c.repeat(64);
const why = { source: 'synthetic', obtained: 'by hand', toleranceWhy: 'test' };

function reference(values: number[][], entries = [2, 0, 0]): ReferenceSet {
  return parseReferenceSet({
    format: 'clipscope-reference',
    version: 1,
    name: 'synthetic',
    model: 'none',
    photos: [
      { name: 'a', file: 'a.png', pixelsSha256: HASH('a') },
      { name: 'b', file: 'b.png', pixelsSha256: HASH('b') },
      { name: 'c', file: 'c.png', pixelsSha256: HASH('c') },
    ],
    similarities: { ...why, tolerance: 0.02, promptPrefix: 'This is ', texts: ['t0', 't1'], photos: ['a', 'b', 'c'], values },
    embeddings: [
      { ...why, of: 'image', photo: 'a', offset: 0, values: entries, tolerance: 0.01 },
      { ...why, of: 'text', text: 'raw prompt', offset: 1, values: [0.5, -0.25], tolerance: 0.01 },
    ],
  });
}

const search: PhotoSearch = { photoStatus: [], unmatchedFiles: [] };
// images: a = 2·x axis (raw [2,0,0]), b = 3·y axis; c not found. texts: t0 at 60°, t1 along x (scaled: cosine must normalise)
const measured: MeasuredValues = {
  images: new Map([
    ['a', { unit: [1, 0, 0], raw: [2, 0, 0] }],
    ['b', { unit: [0, 1, 0], raw: [0, 3, 0] }],
  ]),
  similarityTexts: [angle(60), angle(0).map((x) => 5 * x)],
  rawTexts: new Map([['raw prompt', [9, 0.5, -0.25]]]),
};
const exact = [
  [0.5, Math.sqrt(3) / 2, 0.1],
  [1, 0, 0.1],
];

describe('compareWithReference(ref, measured, photos)', () => {
  it('gives every compared value its computed and published number, difference and tolerance; passes when all are inside', () => {
    const r = compareWithReference(reference(exact), measured, search);
    const sims = r.values.filter((v) => v.kind === 'similarity');
    expect(sims).toHaveLength(4); // photo c was not found
    for (const v of sims) {
      expect(v.computed).toBeCloseTo(exact[v.row!][v.col!], 12);
      expect(v.published).toBe(exact[v.row!][v.col!]);
      expect(Math.abs(v.diff)).toBeLessThan(1e-12);
      expect(v.tolerance).toBe(0.02);
    }
    expect(sims.find((v) => v.row === 0 && v.col === 1)!.label).toBe('cos("This is t0", b)');
    const entries = r.values.filter((v) => v.kind !== 'similarity');
    expect(entries.map((v) => [v.label, v.computed, v.published])).toEqual([
      ['u(a)[0]', 2, 2],
      ['u(a)[1]', 0, 0],
      ['u(a)[2]', 0, 0],
      ['t("raw prompt")[1]', 0.5, 0.5],
      ['t("raw prompt")[2]', -0.25, -0.25],
    ]);
    expect(r.groups.map((g) => [g.kind, g.compared, g.failing])).toEqual([
      ['similarity', 4, 0],
      ['image-embedding', 3, 0],
      ['text-embedding', 2, 0],
    ]);
    expect(r).toMatchObject({ pass: true, failing: 0, compared: 9, texts: ['t0', 't1'], photos: ['a', 'b', 'c'], promptPrefix: 'This is ' });
  });

  it('fails exactly the values off by more than their tolerance, with signed differences, per group', () => {
    const published = exact.map((row) => [...row]);
    published[0][1] -= 0.03; // computed − published = +0.03: outside 0.02
    published[1][0] += 0.015; // −0.015: inside
    const r = compareWithReference(reference(published, [2.02, 0, 0.005]), measured, search);
    const at = (row: number, col: number) => r.values.find((v) => v.kind === 'similarity' && v.row === row && v.col === col)!;
    expect(at(0, 1).diff).toBeCloseTo(0.03, 12);
    expect(at(0, 1).pass).toBe(false);
    expect(at(1, 0).diff).toBeCloseTo(-0.015, 12);
    expect(at(1, 0).pass).toBe(true);
    const u0 = r.values.find((v) => v.label === 'u(a)[0]')!;
    expect(u0.diff).toBeCloseTo(-0.02, 12);
    expect(u0.pass).toBe(false);
    expect(r.values.find((v) => v.label === 'u(a)[2]')!.pass).toBe(true); // 0.005 inside 0.01
    expect(r.groups.map((g) => g.failing)).toEqual([1, 1, 0]);
    expect(r.groups[0].maxAbsDiff).toBeCloseTo(0.03, 12);
    expect(r.failing).toBe(2);
    expect(r.pass).toBe(false);
  });

  it('a NaN from the model fails its value', () => {
    const r = compareWithReference(reference(exact), { ...measured, rawTexts: new Map([['raw prompt', [0, Number.NaN, -0.25]]]) }, search);
    expect(r.values.find((v) => v.label === 't("raw prompt")[1]')!.pass).toBe(false);
    expect(r.pass).toBe(false);
  });

  it('without photos or a text tower nothing is compared, each group says why, and it does not pass', () => {
    const r = compareWithReference(reference(exact), { images: new Map(), rawTexts: new Map() }, search);
    expect(r.values).toEqual([]);
    expect(r.pass).toBe(false);
    expect(r.groups.map((g) => g.notCompared)).toEqual(['the model has no text tower', 'photo a not found', 'the model has no text tower']);
  });

  it('an embedding narrower than the published entries is not compared, saying so', () => {
    const r = compareWithReference(reference(exact, [1, 2, 3, 4]), measured, search);
    expect(r.groups[1].compared).toBe(0);
    expect(r.groups[1].notCompared).toMatch(/has 3 entries, the reference gives entries up to 3/);
  });
});
