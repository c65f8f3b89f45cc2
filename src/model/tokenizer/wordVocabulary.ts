/**
 * METHOD §10's vocabulary from a model's own tokenizer: the whole-word tokens of at least three
 * lower-case letters (`^[a-z]{3,}</w>$`, 32,230 in CLIP's vocabulary), `</w>` dropped, in token-id
 * order — so a description of a neuron or an image needs no third-party word list.
 */
import type { ClipTokenizer } from './clipTokenizer.ts';

const WORD_TOKEN = /^([a-z]{3,})<\/w>$/;

export function wordVocabulary(tokenizer: ClipTokenizer): string[] {
  const words: string[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const match = WORD_TOKEN.exec(tokenizer.tokenOf(id) ?? '');
    if (match) words.push(match[1]);
  }
  return words;
}
