import { describe, expect, it } from 'vitest';
import { parseTokenLayers } from './tokenLayers.ts';

describe('parseTokenLayers', () => {
  it("parseTokenLayers('last:4', 12) is the last four layers", () => expect(parseTokenLayers('last:4', 12)).toEqual([8, 9, 10, 11]));
  it("parseTokenLayers('all', 3) is every layer", () => expect(parseTokenLayers('all', 3)).toEqual([0, 1, 2]));
  it("parseTokenLayers('none', 3) is empty", () => expect(parseTokenLayers('none', 3)).toEqual([]));
  it("parseTokenLayers('11,0,5,5', 12) is sorted and deduplicated", () => expect(parseTokenLayers('11,0,5,5', 12)).toEqual([0, 5, 11]));
  it('rejects layers out of range and bad syntax with specific messages', () => {
    expect(() => parseTokenLayers('12', 12)).toThrow('layer 12 does not exist');
    expect(() => parseTokenLayers('last:13', 12)).toThrow('N must be 1..12');
    expect(() => parseTokenLayers('last:0', 12)).toThrow('N must be 1..12');
    expect(() => parseTokenLayers('first:2', 12)).toThrow('expected last:N, all, none');
    expect(() => parseTokenLayers('1,-2', 12)).toThrow('expected last:N, all, none');
  });
});
