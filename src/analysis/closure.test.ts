import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { CLOSURE_TOLERANCE, closureResidual } from './closure.ts';

/** parts with a known sum: embed term e, L MLP terms, L·H head terms; û = their exact sum + `offset` */
function parts(L: number, H: number, D: number, offset: number[] = []) {
  const embedTerm = Float64Array.from({ length: D }, (_, d) => 0.01 * (d + 1));
  const mlp = Float64Array.from({ length: L * D }, (_, i) => 0.001 * ((i % 7) - 3));
  const heads = Float64Array.from({ length: L * H * D }, (_, i) => 0.0005 * ((i % 5) - 2));
  const embedding = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let s = embedTerm[d];
    for (let l = 0; l < L; l++) s += mlp[l * D + d];
    for (let k = 0; k < L * H; k++) s += heads[k * D + d];
    embedding[d] = s + (offset[d] ?? 0);
  }
  return {
    embedding: tensor('D', embedding, [D]),
    embedTerm: tensor('D', embedTerm, [D]),
    mlp: tensor('L D', mlp, [L, D]),
    heads: tensor('L H D', heads, [L, H, D]),
  };
}

describe('closureResidual(parts)', () => {
  it('is ~0 and not flagged when the parts sum to û', () => {
    const r = closureResidual(parts(3, 4, 6));
    expect(r.maxAbs).toBeLessThan(1e-15);
    expect(r.flagged).toBe(false);
    expect(r.tolerance).toBe(CLOSURE_TOLERANCE);
  });

  it('reports the largest entry-wise gap: û off by 3e-5 at one entry and -7e-4 at another', () => {
    const r = closureResidual(parts(2, 2, 5, [0, 3e-5, 0, -7e-4, 0]));
    expect(r.maxAbs).toBeCloseTo(7e-4, 12);
    expect(r.flagged).toBe(true);
    expect(closureResidual(parts(2, 2, 5, [0, 3e-5])).flagged).toBe(false);
  });

  it('a corrupted part (one head term changed by 2e-4) flags it', () => {
    const p = parts(3, 4, 6);
    p.heads.data[(1 * 4 + 2) * 6 + 5] += 2e-4;
    const r = closureResidual(p);
    expect(r.maxAbs).toBeCloseTo(2e-4, 12);
    expect(r.flagged).toBe(true);
  });

  it('a NaN anywhere is flagged, not hidden', () => {
    const p = parts(1, 1, 3);
    p.mlp.data[1] = Number.NaN;
    const r = closureResidual(p);
    expect(r.maxAbs).toBeNaN();
    expect(r.flagged).toBe(true);
  });

  it('refuses parts of different widths', () => {
    const p = parts(2, 2, 4);
    expect(() => closureResidual({ ...p, mlp: tensor('L D', new Float64Array(6), [2, 3]) })).toThrow(/disagree in shape/);
  });
});
