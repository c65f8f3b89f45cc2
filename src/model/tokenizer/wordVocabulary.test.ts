import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { ClipTokenizer } from './clipTokenizer.ts';
import { generateBpeVocab } from './generateBpeVocab.ts';
import { wordVocabulary } from './wordVocabulary.ts';

describe('wordVocabulary (METHOD §10)', () => {
  it('keeps whole-word tokens of three or more lower-case letters, without </w>, in id order', () => {
    const files = generateBpeVocab(['a cat sat on the mat', 'dogs run fast', 'x2 yo'], 20);
    const tokenizer = ClipTokenizer.fromHuggingFaceFiles(files.vocabJson, files.mergesTxt);
    const words = wordVocabulary(tokenizer);
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(w).toMatch(/^[a-z]{3,}$/);
    const ids = words.map((w) => tokenizer.idOf(`${w}</w>`)!);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  describe.runIf(hasShared())('on the CLIP vocabulary', () => {
    it('has the 32,230 entries METHOD §10 counts', () => {
      const vocab = readFileSync(sharedPath('data/vocab/vocab.json'), 'utf8');
      const merges = readFileSync(sharedPath('data/vocab/merges.txt'), 'utf8');
      const words = wordVocabulary(ClipTokenizer.fromHuggingFaceFiles(vocab, merges));
      expect(words).toHaveLength(32230);
      expect(words).toContain('cat');
      expect(words).not.toContain('a');
    });
  });
});
