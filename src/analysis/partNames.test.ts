import { describe, expect, it } from 'vitest';
import { formatAblation, parseAblation } from './ablationSyntax.ts';
import { headLabel, layerLabel, neuronLabel, parsePartLabel } from './partNames.ts';

describe('partNames: labels the ablation syntax reads back as the same part', () => {
  it('headLabel(3, 7) is "L3.H7", parsed as head 7 of layer 3', () => {
    expect(headLabel(3, 7)).toBe('L3.H7');
    expect(parseAblation(headLabel(3, 7))).toEqual([{ kind: 'heads', layers: { from: 3, to: 3 }, heads: { from: 7, to: 7 } }]);
    expect(formatAblation(parseAblation(headLabel(11, 0)))).toBe('L11.H0');
  });

  it('layerLabel(5) is "L5", the whole attention layer', () => {
    expect(layerLabel(5)).toBe('L5');
    expect(parseAblation(layerLabel(5))).toMatchObject([{ kind: 'layer' }]);
  });
});

describe('parsePartLabel', () => {
  it('reads head and neuron labels back to their indices, any case; anything else is undefined', () => {
    expect(parsePartLabel(headLabel(11, 4))).toEqual({ kind: 'head', layer: 11, head: 4 });
    expect(parsePartLabel(neuronLabel(9, 123))).toEqual({ kind: 'neuron', layer: 9, neuron: 123 });
    expect(parsePartLabel(' l2.h3 ')).toEqual({ kind: 'head', layer: 2, head: 3 });
    for (const bad of ['embedding', 'L2', 'L2.H', 'L2.X3', 'L-1.H2', 'head3']) expect(parsePartLabel(bad)).toBeUndefined();
  });
});
