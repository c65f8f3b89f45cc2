import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { byteSymbolsToBytes } from './byteSymbols.ts';
import { ClipTokenizer } from './clipTokenizer.ts';
import { cleanText } from './cleanText.ts';
import { generateBpeVocab, learnBpeMerges } from './generateBpeVocab.ts';
import { splitClipPieces } from './pretokenize.ts';

const CORPUS = [
  'a photo of a cat.',
  'a photo of a dog.',
  'a blurry photo of a bird on a branch',
  'a close-up photo of the small red car',
  'an image of two cats sleeping on the sofa',
  'a painting of a lighthouse at sunset',
  'the dog is running in the park',
  'a black and white photo of a horse',
  'a drawing of a tree with green leaves',
  'a photo of people walking in the city at night',
];

/** Texts unlike the corpus: other scripts, emoji, digits, punctuation, HTML, odd whitespace. */
const VARIED_SAMPLE = [
  'A Photo of a Cat',
  'zebras quietly jumping over quartz',
  'café naïve façade Ångström straße',
  'Привет мир',
  '日本語のテキスト 中文 한국어',
  'emoji 🐱🐶 👍🏽 🇫🇷',
  'Price: $3.50 (approx.) -- 50% off!!!',
  'Tom &amp; Jerry &lt;3',
  '  lots\tof \n  space  ',
  "it's the dog's toy, isn't it?",
  'x² + y² = z²',
  '',
];

function parsedVocab(json: string): Array<[string, number]> {
  return Object.entries(JSON.parse(json) as Record<string, number>).sort((a, b) => a[1] - b[1]);
}

describe('learnBpeMerges', () => {
  it('learnBpeMerges(["low low low lower"], 10, {minPairCount: 2}) learns the frequent pairs, most frequent first', () => {
    // words: low x3, lower x1 -> (l,o)=4, then (lo,w</w>)=3; every other pair occurs once (< 2)
    expect(learnBpeMerges(['low low low lower'], 10, { minPairCount: 2 })).toEqual([
      ['l', 'o'],
      ['lo', 'w</w>'],
    ]);
  });

  it('ties go to the pair that sorts first; by default pairs seen once are merged too', () => {
    // after the two merges above: (lo,w), (w,e), (e,r</w>) all occur once; 'e' < 'lo' < 'w'
    expect(learnBpeMerges(['low low low lower'], 3)).toEqual([
      ['l', 'o'],
      ['lo', 'w</w>'],
      ['e', 'r</w>'],
    ]);
    // runs out when every word is one token: low</w> and lower</w> need 2 + 3 merges
    expect(learnBpeMerges(['low low low lower'], 50)).toHaveLength(5);
  });

  it('stops at numMerges and rejects a negative count', () => {
    expect(learnBpeMerges(CORPUS, 5)).toHaveLength(5);
    expect(learnBpeMerges(CORPUS, 0)).toEqual([]);
    expect(() => learnBpeMerges(CORPUS, -1)).toThrow(/numMerges/);
  });
});

describe('generateBpeVocab', () => {
  const numMerges = 60;
  const generated = generateBpeVocab(CORPUS, numMerges);
  const tokenizer = ClipTokenizer.fromHuggingFaceFiles(generated.vocabJson, generated.mergesTxt);

  it('generateBpeVocab(corpus, 60) is deterministic and independent of corpus order', () => {
    const again = generateBpeVocab([...CORPUS].reverse(), numMerges);
    expect(again.vocabJson).toBe(generated.vocabJson);
    expect(again.mergesTxt).toBe(generated.mergesTxt);
    expect(generateBpeVocab(CORPUS, numMerges + 1).mergesTxt).not.toBe(generated.mergesTxt);
  });

  it('has CLIP structure: 256 byte symbols, their </w> variants, one token per merge, then the two specials', () => {
    const entries = parsedVocab(generated.vocabJson);
    const mergeLines = generated.mergesTxt.trimEnd().split('\n');
    expect(mergeLines[0]).toBe('#version: 0.2');
    const merges = mergeLines.slice(1).map((line) => line.split(' '));
    expect(merges).toHaveLength(numMerges);
    expect(entries).toHaveLength(512 + numMerges + 2);
    entries.forEach(([, id], i) => expect(id).toBe(i)); // ids 0..N-1, no gaps
    const tokens = entries.map(([token]) => token);
    for (let i = 0; i < 256; i++) {
      expect(tokens[i]).toHaveLength(1);
      expect(byteSymbolsToBytes(tokens[i])).toHaveLength(1);
      expect(tokens[256 + i]).toBe(`${tokens[i]}</w>`);
    }
    expect(new Set(tokens.slice(0, 256).map((t) => byteSymbolsToBytes(t)[0])).size).toBe(256);
    merges.forEach(([left, right], rank) => {
      expect([left, right].every((s) => tokens.slice(0, 512 + rank).includes(s))).toBe(true);
      expect(tokens[512 + rank]).toBe(left + right);
    });
    expect(tokens.slice(-2)).toEqual(['<|startoftext|>', '<|endoftext|>']);
    expect([tokenizer.startId, tokenizer.endId]).toEqual([512 + numMerges, 513 + numMerges]);
    expect(tokenizer.vocabSize).toBe(514 + numMerges);
  });

  it('learned merges compress the corpus: frequent words become one token', () => {
    expect(tokenizer.encode('photo')).toHaveLength(1);
    expect(tokenizer.encode('a')).toEqual([tokenizer.idOf('a</w>')]);
    const corpusIds = CORPUS.flatMap((t) => tokenizer.encode(t)).length;
    const corpusBytes = CORPUS.flatMap((t) => splitClipPieces(cleanText(t))).join('').length;
    expect(corpusIds).toBeLessThan(corpusBytes * 0.6);
  });

  it('decode(encode(x)) returns the cleaned pieces for a varied sample, and the cleaned text itself when pieces are space-separated', () => {
    for (const text of VARIED_SAMPLE) {
      const pieces = splitClipPieces(cleanText(text));
      expect(tokenizer.decode(tokenizer.encode(text)), text).toBe(pieces.join(' '));
    }
    for (const text of ['A Photo of a Cat', 'café naïve façade', 'Привет мир', '日本語 中文', '  lots\tof \n  space  ']) {
      expect(tokenizer.decode(tokenizer.encode(text)), text).toBe(cleanText(text));
    }
  });

  it('tokenize works on any text: unknown words fall back to byte symbols, ids stay in range', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const texts = Array.from({ length: 200 }, () =>
      String.fromCodePoint(...Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * 0x2ffff))),
    );
    texts.push('\ud800 lone surrogate', 'ünknöwn wörds ☃');
    for (const text of texts) {
      const { ids, eotIndex } = tokenizer.tokenize(text);
      expect(ids[0]).toBe(tokenizer.startId);
      expect(ids[eotIndex]).toBe(tokenizer.endId);
      expect(ids.every((id) => id >= 0 && id < tokenizer.vocabSize)).toBe(true);
    }
    // a word with no learned merges is spelled with byte symbols
    expect(tokenizer.encode('qzx')).toEqual([tokenizer.idOf('q'), tokenizer.idOf('z'), tokenizer.idOf('x</w>')]);
  });
});

describe.runIf(hasShared())('generateBpeVocab against the real CLIP files', () => {
  it('its first 512 tokens have the same ids as in CLIP vocab.json', () => {
    const clip = parsedVocab(readFileSync(sharedPath('data', 'vocab', 'vocab.json'), 'utf8')).slice(0, 512);
    const ours = parsedVocab(generateBpeVocab(['a photo'], 3).vocabJson).slice(0, 512);
    expect(ours).toEqual(clip);
  });

  it('learns 300 merges from the 3,498 TEXTSPAN descriptions quickly', () => {
    const pool = readFileSync(sharedPath('data', 'textspan', 'image_descriptions_general.txt'), 'utf8').split('\n');
    const t = performance.now();
    const generated = generateBpeVocab(pool, 300);
    const ms = performance.now() - t;
    console.info(`[tokenizer] generateBpeVocab(3,498 descriptions, 300 merges): ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(120_000); // a hang guard, not a speed goal (the bench measures speed)
    const tokenizer = ClipTokenizer.fromHuggingFaceFiles(generated.vocabJson, generated.mergesTxt);
    expect(tokenizer.vocabSize).toBe(512 + 300 + 2);
    for (const text of pool.slice(0, 200)) {
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(splitClipPieces(cleanText(text)).join(' '));
    }
  });
});
