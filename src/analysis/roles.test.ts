import { describe, expect, it } from 'vitest';
import { gaussianArray, seededRandom } from '../math/random.ts';
import { tensor } from '../math/tensor.ts';
import { headRole } from './roles.ts';
import { textspan } from './textspan.ts';

// A tagged pool: 8 texts per property, random unit directions in D = 64.
const properties = ['colour', 'location', 'count', 'texture'] as const;
const perProperty = 8;
const d = 64;
const random = seededRandom(21);
const poolSize = properties.length * perProperty + 8; // + 8 untagged texts
const pool = gaussianArray(random, poolSize * d);
for (let i = 0; i < poolSize; i++) {
  const norm = Math.hypot(...pool.subarray(i * d, (i + 1) * d));
  for (let j = 0; j < d; j++) pool[i * d + j] /= norm;
}
const propertyOf: (string | null)[] = Array.from({ length: poolSize }, (_, i) =>
  i < properties.length * perProperty ? properties[Math.floor(i / perProperty)] : null,
);
const textsOf = (property: string) => propertyOf.flatMap((p, i) => (p === property ? [i] : []));

/** Head outputs built from the given texts with the given stds, plus noise. */
function head(plan: [number, number][], k = 500, noise = 0.02) {
  const c = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    for (const [index, std] of plan) {
      const z = random.gaussian() * std;
      for (let j = 0; j < d; j++) c[i * d + j] += z * pool[index * d + j];
    }
    for (let j = 0; j < d; j++) c[i * d + j] += noise * random.gaussian();
  }
  return textspan(tensor('K D', c, [k, d]), tensor('M D', pool, [poolSize, d]), { m: 10, rank: 40 });
}

describe('headRole', () => {
  it('headRole(textspan(colour head)) is colour with high confidence', () => {
    const colour = textsOf('colour');
    const result = head(colour.slice(0, 5).map((index, i) => [index, 2 - 0.3 * i] as [number, number]));
    const role = headRole(result.picks, propertyOf, { topTexts: 5 });
    expect(role.property).toBe('colour');
    expect(role.confidence).toBeGreaterThan(0.9);
    expect(role.shares[0]).toEqual({ property: 'colour', share: role.confidence });
  });

  it('a mixed head is labelled by the property carrying most variance, not the most texts', () => {
    // three weak location texts, one strong count text
    const location = textsOf('location');
    const count = textsOf('count');
    const result = head([
      [count[2], 3],
      [location[0], 1],
      [location[1], 1],
      [location[2], 1],
    ]);
    const role = headRole(result.picks, propertyOf, { topTexts: 4 });
    expect(role.property).toBe('count');
    expect(role.shares.map((s) => s.property)).toEqual(['count', 'location']);
    expect(role.confidence).toBeGreaterThan(0.6);
    expect(role.confidence).toBeLessThan(0.95);
  });

  it('weights picks by their increment of the variance curve', () => {
    const picks = [
      { index: 0, varianceExplained: 0.5 }, // colour, +0.5
      { index: 8, varianceExplained: 0.6 }, // location, +0.1
      { index: 9, varianceExplained: 0.7 }, // location, +0.1
      { index: 35, varianceExplained: 0.8 }, // untagged, +0.1
    ];
    const role = headRole(picks, propertyOf);
    expect(role.property).toBe('colour');
    expect(role.confidence).toBeCloseTo(0.5 / 0.8, 12);
    expect(role.shares[1].property).toBe('location');
    expect(role.shares[1].share).toBeCloseTo(0.2 / 0.8, 12);
  });

  it('returns no label for untagged picks, empty picks, or below minConfidence', () => {
    expect(headRole([{ index: 33, varianceExplained: 0.4 }], propertyOf)).toEqual({ property: null, confidence: 0, shares: [] });
    expect(headRole([], propertyOf).property).toBeNull();
    const split = [
      { index: 0, varianceExplained: 0.3 },
      { index: 8, varianceExplained: 0.6 },
    ];
    const role = headRole(split, propertyOf, { minConfidence: 0.6 });
    expect(role.property).toBeNull();
    expect(role.confidence).toBeCloseTo(0.5, 12);
  });
});
