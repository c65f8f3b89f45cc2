import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { headProjections, imageComponents, spatialTerms } from './engineAdapters.ts';

const t = (shape: string, dims: number[]) => tensor(shape, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i + 1), dims);

describe('engineAdapters', () => {
  const parts = {
    embedding: t('D', [4]),
    embed_term: t('D', [4]),
    mlp: t('L D', [2, 4]),
    heads: t('L H D', [2, 3, 4]),
    class_class: t('L D', [2, 4]),
    cells: t('L T H E', [2, 5, 3, 2]),
    ln_mean: t('', []),
    ln_std: tensor('', Float32Array.of(2.5), []),
    norm: tensor('', Float32Array.of(7), []),
  };

  it('imageComponents(engine output) maps snake_case outputs onto the analysis fields, sharing the data', () => {
    const c = imageComponents(parts);
    expect(c.embedTerm.data).toBe(parts.embed_term.data);
    expect(c.classClass.data).toBe(parts.class_class.data);
    expect(c.heads.dims).toEqual([2, 3, 4]);
  });

  it('spatialTerms(engine output) reads the ln_post scalars and the norm', () => {
    const s = spatialTerms(parts);
    expect([s.lnMean, s.lnStd, s.norm]).toEqual([1, 2.5, 7]);
    expect(s.cells.dims).toEqual([2, 5, 3, 2]);
  });

  it('a missing or mis-shaped output is named in the error', () => {
    const { cells: _cells, ...noCells } = parts;
    expect(() => spatialTerms(noCells)).toThrow(/no 'cells'/);
    expect(() => imageComponents({ ...parts, mlp: t('D', [4]) })).toThrow(/'mlp' has dims \[4\], expected 2 dims/);
    expect(() => headProjections({ head_proj: t('L H E D', [1, 1, 1, 1]), gamma_proj: t('D', [1]), beta_proj: t('D', [1]) })).toThrow(/no 'bout_proj'/);
  });
});
