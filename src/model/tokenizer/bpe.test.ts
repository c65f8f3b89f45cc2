import { describe, expect, it } from 'vitest';
import { applyMerges, initialSymbols, mergePair, mergeRanksOf } from './bpe.ts';
import {
  BYTE_SYMBOLS_IN_VOCAB_ORDER,
  BYTE_TO_SYMBOL,
  BYTES_IN_VOCAB_ORDER,
  byteSymbolsToBytes,
  textToByteSymbols,
} from './byteSymbols.ts';

describe('byte symbols', () => {
  it('BYTE_TO_SYMBOL is a bijection of 256 bytes onto 256 single non-space characters', () => {
    expect(new Set(BYTE_TO_SYMBOL).size).toBe(256);
    for (const s of BYTE_TO_SYMBOL) {
      expect(s.length).toBe(1);
      expect(/\s/.test(s)).toBe(false);
    }
    expect(new Set(BYTES_IN_VOCAB_ORDER).size).toBe(256);
  });

  it('matches CLIP: printable bytes map to themselves, space is Ġ, NUL is Ā, id 0 is "!"', () => {
    expect(BYTE_TO_SYMBOL[0x41]).toBe('A');
    expect(BYTE_TO_SYMBOL[0xe9]).toBe('é');
    expect(BYTE_TO_SYMBOL[0x20]).toBe('Ġ');
    expect(BYTE_TO_SYMBOL[0x00]).toBe('Ā');
    expect(BYTE_TO_SYMBOL[0xad]).toBe('Ń'); // the last shifted byte: 256 + 67
    expect(BYTE_SYMBOLS_IN_VOCAB_ORDER[0]).toBe('!');
    expect(BYTE_SYMBOLS_IN_VOCAB_ORDER[188]).toBe('Ā'); // 94 + 12 + 82 printable bytes come first
  });

  it('textToByteSymbols and byteSymbolsToBytes round-trip any UTF-8', () => {
    for (const text of ['hello', 'café', '日本', '🐱', '\u0000\u007f\u00ad']) {
      const bytes = byteSymbolsToBytes(textToByteSymbols(text));
      expect(new TextDecoder().decode(bytes)).toBe(text);
    }
    expect(() => byteSymbolsToBytes('a b')).toThrow(/not a byte symbol/);
  });
});

describe('BPE merging', () => {
  it('initialSymbols marks the end of the word on the last symbol', () => {
    expect(initialSymbols('cat')).toEqual(['c', 'a', 't</w>']);
    expect(initialSymbols('a')).toEqual(['a</w>']);
  });

  it('mergePair merges non-overlapping occurrences left to right', () => {
    expect(mergePair(['a', 'a', 'a'], 'a', 'a')).toEqual(['aa', 'a']);
    expect(mergePair(['a', 'b', 'a', 'b</w>'], 'a', 'b')).toEqual(['ab', 'a', 'b</w>']);
  });

  it('applyMerges applies the lowest-ranked pair first, whatever its position', () => {
    const ranks = mergeRanksOf([
      ['e', 'r</w>'],
      ['l', 'o'],
      ['lo', 'w'],
      ['low', 'er</w>'],
      ['o', 'w'],
    ]);
    expect(applyMerges(initialSymbols('lower'), ranks)).toEqual(['lower</w>']);
    // 'o w' has rank 4 but 'l o' (rank 1) wins first, after which 'o w' no longer exists
    expect(applyMerges(initialSymbols('lowing'), ranks)).toEqual(['low', 'i', 'n', 'g</w>']);
    expect(applyMerges(initialSymbols('xyz'), ranks)).toEqual(['x', 'y', 'z</w>']);
  });

  it('mergeRanksOf keeps the first rank of a repeated pair', () => {
    expect(mergeRanksOf([['a', 'b'], ['c', 'd'], ['a', 'b']]).get('a b')).toBe(0);
  });
});
