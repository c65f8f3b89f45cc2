import { describe, expect, it } from 'vitest';
import { headLabel, layerLabel } from '../../analysis/partNames.ts';
import { hasItem, splitItems, toggleItem } from './ablationSet.ts';

describe('ablation set editing', () => {
  it('toggleItem("", L4.H3) adds it; toggling again removes it', () => {
    const on = toggleItem('', headLabel(4, 3));
    expect(on).toBe('L4.H3');
    expect(toggleItem(on, 'L4.H3')).toBe('');
  });

  it('toggleItem keeps hand-written items and their order', () => {
    expect(toggleItem('L9-11.H*, mlp', layerLabel(2))).toBe('L9-11.H*,mlp,L2');
    expect(toggleItem('L9-11.H*,l2,mlp', 'L2')).toBe('L9-11.H*,mlp');
  });

  it('hasItem compares case-insensitively and ignores spaces', () => {
    expect(hasItem(' l4.h3 , mlp', 'L4.H3')).toBe(true);
    expect(hasItem('L4.H3', 'L4.H30')).toBe(false);
    expect(splitItems(' , ,embed,')).toEqual(['embed']);
  });
});
