import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { hasShared, sharedPath } from '../testkit/shared.ts';
import { parseReferenceSimilarities, referenceColumnOf, referencePrompts, verifySimilarities, type ReferenceSimilarities } from './verify.ts';

/**
 * A synthetic case with a known answer: in D = 3, text rows are unit vectors at chosen angles to the
 * image vectors, so every cosine similarity is known exactly.
 */
const angle = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0];

function syntheticRef(matrix: number[][]): ReferenceSimilarities {
  return parseReferenceSimilarities({
    openai_vitb32_skimage_cosine_similarity: {
      source: 'synthetic',
      model: 'none',
      text_prompt: "'This is ' + description",
      rows_texts: ['t0', 't1'],
      cols_images_skimage: ['a', 'b', 'c'],
      matrix_rows_text_cols_image: matrix,
    },
  });
}

describe('verifySimilarities', () => {
  // images: a = x axis, b = y axis (c is missing); texts: t0 at 60° (cos 0.5 to a, sin 60°·1 to b), t1 at 0°
  const images = tensor('N D', Float64Array.from([...[2, 0, 0], ...[0, 3, 0]]), [2, 3]); // not unit: cosine must normalise
  const texts = tensor('C D', Float64Array.from([...angle(60), ...angle(0).map((x) => 5 * x)]), [2, 3]);
  const exact = [
    [0.5, Math.sqrt(3) / 2, 0.1],
    [1, 0, 0.1],
  ];

  it('gives each compared cell its cosine similarity, the published value and the difference', () => {
    const ref = syntheticRef(exact);
    const r = verifySimilarities({ ref, textEmbeddings: texts, imageEmbeddings: images, imageColumns: ['a', 'b'] });
    expect(r.cells).toHaveLength(4);
    for (const cell of r.cells) {
      expect(cell.computed).toBeCloseTo(exact[cell.row][cell.col], 12);
      expect(cell.published).toBe(exact[cell.row][cell.col]);
      expect(Math.abs(cell.diff)).toBeLessThan(1e-12);
    }
    expect(r.pass).toBe(true);
    expect(r.failing).toBe(0);
    expect(r.comparedImages).toEqual(['a', 'b']);
    expect(r.missingImages).toEqual(['c']);
    expect(r.tolerance).toBe(0.02);
  });

  it('fails exactly the cells off by more than the tolerance, with signed differences', () => {
    const published = exact.map((row) => [...row]);
    published[0][1] -= 0.03; // computed - published = +0.03: outside 0.02
    published[1][0] += 0.015; // -0.015: inside
    const r = verifySimilarities({ ref: syntheticRef(published), textEmbeddings: texts, imageEmbeddings: images, imageColumns: ['a', 'b'] });
    const at = (row: number, col: number) => r.cells.find((c) => c.row === row && c.col === col)!;
    expect(at(0, 1).diff).toBeCloseTo(0.03, 12);
    expect(at(0, 1).pass).toBe(false);
    expect(at(1, 0).diff).toBeCloseTo(-0.015, 12);
    expect(at(1, 0).pass).toBe(true);
    expect(r.failing).toBe(1);
    expect(r.pass).toBe(false);
    expect(r.maxAbsDiff).toBeCloseTo(0.03, 12);
    // a wider tolerance passes it
    expect(verifySimilarities({ ref: syntheticRef(published), textEmbeddings: texts, imageEmbeddings: images, imageColumns: ['a', 'b'], tolerance: 0.05 }).pass).toBe(true);
  });

  it('matches images to columns by name, in any order', () => {
    const swapped = tensor('N D', Float64Array.from([...[0, 3, 0], ...[2, 0, 0]]), [2, 3]);
    const r = verifySimilarities({ ref: syntheticRef(exact), textEmbeddings: texts, imageEmbeddings: swapped, imageColumns: ['b', 'a'] });
    expect(r.pass).toBe(true);
    expect(r.comparedImages).toEqual(['a', 'b']);
  });

  it('with no image at all nothing is compared and it does not pass', () => {
    const r = verifySimilarities({ ref: syntheticRef(exact), textEmbeddings: texts, imageEmbeddings: tensor('N D', new Float64Array(0), [0, 3]), imageColumns: [] });
    expect(r.cells).toEqual([]);
    expect(r.pass).toBe(false);
  });

  it('refuses unknown or repeated columns and mismatched shapes', () => {
    const ref = syntheticRef(exact);
    expect(() => verifySimilarities({ ref, textEmbeddings: texts, imageEmbeddings: images, imageColumns: ['a', 'zebra'] })).toThrow(/not a column/);
    expect(() => verifySimilarities({ ref, textEmbeddings: texts, imageEmbeddings: images, imageColumns: ['a', 'a'] })).toThrow(/twice/);
    expect(() => verifySimilarities({ ref, textEmbeddings: tensor('C D', new Float64Array(3), [1, 3]), imageEmbeddings: images, imageColumns: ['a', 'b'] })).toThrow(/1 text embeddings for 2/);
  });
});

describe('parseReferenceSimilarities', () => {
  it('refuses files that are not the reference, saying why', () => {
    expect(() => parseReferenceSimilarities('{oops')).toThrow(/not JSON/);
    expect(() => parseReferenceSimilarities({})).toThrow(/no "openai_vitb32_skimage_cosine_similarity"/);
    expect(() => syntheticRef([[1, 2, 3]])).toThrow(/needs 2 rows/);
    expect(() => syntheticRef([[1, 2], [3, 4]])).toThrow(/row 0 needs 3 finite numbers/);
  });

  it('column names come from file names without folder or extension', () => {
    expect(referenceColumnOf('gallery/Astronaut.PNG')).toBe('astronaut');
    expect(referenceColumnOf('motorcycle_right.png')).toBe('motorcycle_right');
    expect(referenceColumnOf('rocket.jpg')).toBe('rocket');
  });
});

describe.runIf(hasShared())('the shared reference_values.json', () => {
  it('parses to the 8x8 matrix with prompts "This is " + description', () => {
    const ref = parseReferenceSimilarities(readFileSync(sharedPath('data/reference', 'reference_values.json'), 'utf8'));
    expect(ref.matrix.dims).toEqual([8, 8]);
    expect(ref.images).toContain('astronaut');
    expect(referencePrompts(ref)[1]).toBe('This is a portrait of an astronaut with the American flag');
    // the published diagonal dominates each column (each image matches its own description best)
    for (let c = 0; c < 8; c++) {
      const col = Array.from({ length: 8 }, (_, r) => ref.matrix.data[r * 8 + c]);
      expect(col.indexOf(Math.max(...col))).toBe(c);
    }
  });
});
