import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { decompositionFromOutputs, headProjections, headProjectionsFromOutputs, imageComponents, outputNamed, requiredOutput, spatialTerms } from './decomposition.ts';

const t = (shape: string, dims: number[]) => tensor(shape, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i + 1), dims);

describe('the one adapter from engine outputs to analysis inputs (model/decomposition.ts)', () => {
  const outputs = {
    embedding: t('D', [4]),
    embed_term: t('D', [4]),
    mlp: t('L D', [2, 4]),
    heads: t('L H D', [2, 3, 4]),
    class_class: t('L D', [2, 4]),
    attention: t('L H T', [2, 3, 5]),
    cells: t('L T H E', [2, 5, 3, 2]),
    ln_mean: t('', []),
    ln_std: tensor('', Float32Array.of(2.5), []),
    norm: tensor('', Float32Array.of(7), []),
  };
  const parts = decompositionFromOutputs(outputs);

  it('imageComponents(engine output) maps snake_case outputs onto the analysis fields, sharing the data', () => {
    const c = imageComponents(parts);
    expect(c.embedTerm.data).toBe(outputs.embed_term.data);
    expect(c.classClass.data).toBe(outputs.class_class.data);
    expect(c.heads.dims).toEqual([2, 3, 4]);
  });

  it('spatialTerms(engine output) reads the ln_post scalars and the norm', () => {
    const s = spatialTerms(parts);
    expect([s.lnMean, s.lnStd, s.norm]).toEqual([1, 2.5, 7]);
    expect(s.cells.dims).toEqual([2, 5, 3, 2]);
  });

  it('a missing or mis-shaped output is named in the error', () => {
    const { cells: _cells, ...noCells } = outputs;
    expect(() => decompositionFromOutputs(noCells)).toThrow(/no 'cells'/);
    expect(() => decompositionFromOutputs({ ...outputs, mlp: t('D', [4]) })).toThrow(/'mlp' has dims \[4\], expected 2 dims/);
    expect(() => headProjectionsFromOutputs({ head_proj: t('L H E D', [1, 1, 1, 1]), gamma_proj: t('D', [1]), beta_proj: t('D', [1]) })).toThrow(/no 'bout_proj'/);
  });

  it('decompositionFromOutputs(outputs, requested) requires what was requested and refuses names outside the contract', () => {
    expect(() => decompositionFromOutputs(outputs, ['tokens'])).toThrow(/no 'tokens'/);
    expect(() => decompositionFromOutputs({ ...outputs, heads_typo: t('D', [4]) })).toThrow(/'heads_typo' is not in the image graph's contract/);
    const withTokens = decompositionFromOutputs({ ...outputs, tokens: t('K T H D', [1, 5, 3, 4]) }, ['tokens']);
    expect(requiredOutput(withTokens, 'tokens').dims).toEqual([1, 5, 3, 4]);
    expect(() => requiredOutput(parts, 'neuron_effects')).toThrow(/no 'neuron_effects' output/);
  });

  it('outputNamed(d, text) finds outputs by a name given as text, and nothing else', () => {
    expect(outputNamed(parts, 'heads')?.dims).toEqual([2, 3, 4]);
    expect(outputNamed(parts, 'tokens')).toBeUndefined();
    expect(outputNamed(parts, 'constructor')).toBeUndefined();
    const p = headProjectionsFromOutputs({ head_proj: t('L H E D', [1, 1, 1, 1]), gamma_proj: t('D', [1]), beta_proj: t('D', [1]), bout_proj: t('L D', [1, 1]) });
    expect(headProjections(p).boutProj).toBe(p.bout_proj);
  });
});
