import { describe, expect, it } from 'vitest';
import { cleanText, collapseWhitespace, fixTextLikeFtfy, htmlUnescape } from './cleanText.ts';
import { splitClipPieces } from './pretokenize.ts';

describe('cleanText', () => {
  it('cleanText collapses whitespace runs, trims and lower-cases', () => {
    expect(cleanText('  Hello \t\n\r  World!  ')).toBe('hello world!');
    expect(cleanText('A\u00a0B\u2003C\u3000D')).toBe('a b c d');
    expect(cleanText('')).toBe('');
    expect(cleanText(' \n\t ')).toBe('');
  });

  it('cleanText unescapes HTML twice (not three times)', () => {
    expect(cleanText('Tom &amp; Jerry')).toBe('tom & jerry');
    expect(cleanText('&amp;lt;b&amp;gt;')).toBe('<b>');
    expect(cleanText('&amp;amp;lt;')).toBe('&lt;');
  });

  it('cleanText applies NFC: a decomposed é equals the composed one', () => {
    expect(cleanText('Cafe\u0301')).toBe('caf\u00e9');
  });

  it('cleanText lower-cases beyond ASCII like Python str.lower()', () => {
    expect(cleanText('ÉCOLE Straße ΣΟΦΟΣ')).toBe('école straße σοφος');
  });
});

describe('htmlUnescape (expected values are Python 3 html.unescape outputs)', () => {
  const cases: Array<[string, string]> = [
    ['&lt;&gt;&quot;&#39;', '<>"\''],
    ['&amp;amp;', '&amp;'],
    ['&lt', '<'], // legacy name without ';'
    ['&ampfoo', '&foo'], // longest known prefix
    ['&notit;', '\u00acit;'],
    ['&notin;', '\u2209'],
    ['&Bogus;', '&Bogus;'],
    ['&Amp;', '&Amp;'],
    ['&#65&#x42;', 'AB'],
    ['&#x80;', '\u20ac'], // Windows-1252 remap
    ['&#0;', '\ufffd'],
    ['&#xD800;', '\ufffd'],
    ['&#1114112;', '\ufffd'],
    ['&#128512;', '\u{1f600}'],
    ['&#1;x&#x7f;y&#xFFFE;', 'xy'], // code points Python drops
    ['a & b && c &;', 'a & b && c &;'],
  ];
  for (const [input, expected] of cases) {
    it(`htmlUnescape(${JSON.stringify(input)})`, () => {
      expect(htmlUnescape(input)).toBe(expected);
    });
  }
});

describe('fixTextLikeFtfy', () => {
  it('uncurls quotes, splits Latin ligatures, narrows full-width forms, drops control characters', () => {
    expect(fixTextLikeFtfy('\u2018it\u2019s\u2019 \u201cok\u201d \u02bc')).toBe('\'it\'s\' "ok" \'');
    expect(fixTextLikeFtfy('\ufb01ne \ufb02ag \u0133')).toBe('fine flag ij');
    expect(fixTextLikeFtfy('\uff28\uff45\uff4c\uff4c\uff4f\uff01 \uff11\uff12')).toBe('Hello! 12');
    expect(fixTextLikeFtfy('a\u0000b\u0008c\u007fd\ufeffe\u200bf')).toBe('abcde\u200bf');
    expect(fixTextLikeFtfy('keeps\ttab\nand newline')).toBe('keeps\ttab\nand newline');
  });
});

describe('collapseWhitespace', () => {
  it("uses Python's whitespace set, not JavaScript's", () => {
    expect(collapseWhitespace('a\u001cb\u0085c')).toBe('a b c'); // Python isspace, JS \\s does not match
    expect(collapseWhitespace('\u0085a\u0085')).toBe('a');
  });
});

describe('splitClipPieces', () => {
  it('splits contractions, letter runs, single digits and punctuation runs', () => {
    expect(splitClipPieces("it's 2024, isn't it?!")).toEqual(["it", "'s", '2', '0', '2', '4', ',', 'isn', "'t", 'it', '?!']);
    expect(splitClipPieces("we've i'm they'll he'd you're")).toEqual(['we', "'ve", 'i', "'m", 'they', "'ll", 'he', "'d", 'you', "'re"]);
  });

  it('keeps special tokens whole and treats Unicode letters and numbers by class', () => {
    expect(splitClipPieces('a<|endoftext|>b')).toEqual(['a', '<|endoftext|>', 'b']);
    expect(splitClipPieces('café 日本語 ٣٤ x²')).toEqual(['café', '日本語', '٣', '٤', 'x', '²']);
    expect(splitClipPieces('🐱🐶 ok')).toEqual(['🐱🐶', 'ok']);
  });
});
