import { describe, expect, it } from 'vitest';
import { erf, erfc } from './erf.ts';

// Reference values computed with mpmath at 30 significant digits (mpmath.erf / mpmath.erfc).
const KNOWN: ReadonlyArray<[x: number, erf: number, erfc: number]> = [
  [0, 0, 1],
  [1e-8, 1.1283791670955125363e-8, 0.99999998871620832904],
  [0.1, 0.1124629160182848922, 0.8875370839817151078],
  [0.5, 0.52049987781304653768, 0.47950012218695346232],
  [-0.7, -0.67780119383741847298, 1.677801193837418473],
  [1, 0.84270079294971486934, 0.15729920705028513066],
  [1.5, 0.96610514647531072707, 0.033894853524689272933],
  [2, 0.99532226501895273416, 0.0046777349810472658379],
  [2.5, 0.99959304798255504106, 0.00040695201744495893956],
  [3, 0.99997790950300141456, 0.000022090496998585441373],
  [3.5, 0.99999925690162765859, 7.4309837234141274552e-7],
  [4, 0.99999998458274209972, 1.5417257900280018852e-8],
  [5, 0.99999999999846254021, 1.5374597944280348502e-12],
  [6, 0.99999999999999997848, 2.1519736712498913117e-17],
];

describe('erf / erfc (float64)', () => {
  it.each(KNOWN)('erf(%s) matches mpmath to 1e-15 absolute', (x, e) => {
    expect(Math.abs(erf(x) - e)).toBeLessThan(1e-15);
  });

  it.each(KNOWN)('erfc(%s) matches mpmath to 1e-14 relative', (x, _e, c) => {
    expect(Math.abs(erfc(x) - c)).toBeLessThanOrEqual(1e-14 * Math.abs(c));
  });

  it('erf is odd, erf + erfc = 1, and both are continuous at the branch switches (2.5 and 1)', () => {
    for (let x = -7; x <= 7; x += 0.173) {
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(2e-16 * 4);
    }
    const below = 2.5 - 1e-12;
    expect(Math.abs(erf(below) - erf(2.5))).toBeLessThan(1e-14);
    const belowOne = 1 - 1e-12;
    expect(Math.abs(erfc(belowOne) - erfc(1)) / erfc(1)).toBeLessThan(1e-11);
  });

  it('agrees with the derivative 2/√π·e^{-x²} (central differences)', () => {
    const h = 1e-5;
    for (const x of [-3, -1.2, 0, 0.4, 2.49, 2.51, 3.7]) {
      const numeric = (erf(x + h) - erf(x - h)) / (2 * h);
      expect(numeric).toBeCloseTo((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x), 9);
    }
  });

  it('handles the limits and NaN', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(40)).toBe(0);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });
});
