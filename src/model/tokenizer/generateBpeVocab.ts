/**
 * Learns a small byte-level BPE vocabulary with CLIP's structure (256 byte symbols, their 256
 * end-of-word variants, one token per learned merge, then `<|startoftext|>` and `<|endoftext|>`)
 * and writes it in the Hugging Face file format. Meant for demo checkpoints with random weights:
 * every text still tokenizes, because any byte falls back to its byte symbol.
 *
 * Training is plain BPE on the corpus, pre-tokenised exactly as the tokenizer does (clean, split,
 * byte symbols, end-of-word marker on the last symbol). Each step merges the most frequent
 * adjacent pair; ties go to the pair that sorts first (by left, then right symbol, in UTF-16
 * order), so the result depends only on the corpus and the merge count.
 */
import { initialSymbols, mergePair, pairKey } from './bpe.ts';
import { textToByteSymbols } from './byteSymbols.ts';
import { cleanText } from './cleanText.ts';
import { TokenizerError } from './errors.ts';
import { splitClipPieces } from './pretokenize.ts';
import { clipStructuredTokens, type MergePair } from './vocabFiles.ts';

export interface GeneratedBpeVocab {
  /** Hugging Face `vocab.json` text (token -> id, ids ascending) */
  readonly vocabJson: string;
  /** Hugging Face `merges.txt` text ("#version: 0.2" header, one pair per line) */
  readonly mergesTxt: string;
}

export interface GenerateBpeVocabOptions {
  /**
   * a pair must occur at least this often (summed over the corpus) to be merged; default 1, so
   * exactly `numMerges` merges are learned unless every word of the corpus is already one token
   */
  minPairCount?: number;
}

interface WordCount {
  symbols: string[];
  count: number;
}

/** Distinct pre-tokenised words of the corpus with their frequencies, in first-seen order. */
function countWords(corpus: readonly string[]): WordCount[] {
  const byPiece = new Map<string, WordCount>();
  for (const text of corpus) {
    for (const piece of splitClipPieces(cleanText(text))) {
      const symbols = textToByteSymbols(piece);
      const entry = byPiece.get(symbols);
      if (entry) entry.count++;
      else byPiece.set(symbols, { symbols: initialSymbols(symbols), count: 1 });
    }
  }
  return [...byPiece.values()];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The most frequent adjacent pair whose joined token is new, or undefined. */
function bestPair(words: readonly WordCount[], known: ReadonlySet<string>, minCount: number): MergePair | undefined {
  const counts = new Map<string, { pair: MergePair; count: number }>();
  for (const { symbols, count } of words) {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = pairKey(symbols[i], symbols[i + 1]);
      const entry = counts.get(key);
      if (entry) entry.count += count;
      else counts.set(key, { pair: [symbols[i], symbols[i + 1]], count });
    }
  }
  let best: { pair: MergePair; count: number } | undefined;
  for (const candidate of counts.values()) {
    const [left, right] = candidate.pair;
    // a pair whose join is already a token would give a duplicate vocabulary entry
    if (candidate.count < minCount || known.has(left + right)) continue;
    if (
      best === undefined ||
      candidate.count > best.count ||
      (candidate.count === best.count &&
        (compareStrings(left, best.pair[0]) || compareStrings(right, best.pair[1])) < 0)
    ) {
      best = candidate;
    }
  }
  return best?.pair;
}

/** Learn `numMerges` merges from the corpus (fewer if no pair occurs `minPairCount` times). */
export function learnBpeMerges(
  corpus: readonly string[],
  numMerges: number,
  options: GenerateBpeVocabOptions = {},
): MergePair[] {
  if (!Number.isInteger(numMerges) || numMerges < 0) {
    throw new TokenizerError('bad-argument', `numMerges must be a non-negative integer, got ${numMerges}`);
  }
  const minCount = options.minPairCount ?? 1;
  const words = countWords(corpus);
  const known = new Set(clipStructuredTokens([]));
  const merges: MergePair[] = [];
  while (merges.length < numMerges) {
    const pair = bestPair(words, known, minCount);
    if (pair === undefined) break;
    merges.push(pair);
    known.add(pair[0] + pair[1]);
    for (const word of words) {
      if (word.symbols.length > 1) word.symbols = mergePair(word.symbols, pair[0], pair[1]);
    }
  }
  return merges;
}

/** Hugging Face `vocab.json` text with entries in id order. */
export function formatVocabJson(tokens: readonly string[]): string {
  return `{${tokens.map((token, id) => `${JSON.stringify(token)}:${id}`).join(',')}}`;
}

/** Hugging Face `merges.txt` text. */
export function formatMergesTxt(merges: readonly MergePair[]): string {
  return `#version: 0.2\n${merges.map(([left, right]) => `${left} ${right}\n`).join('')}`;
}

/** A small CLIP-structured vocabulary learned from `corpus`, as Hugging Face files. */
export function generateBpeVocab(
  corpus: readonly string[],
  numMerges: number,
  options: GenerateBpeVocabOptions = {},
): GeneratedBpeVocab {
  const merges = learnBpeMerges(corpus, numMerges, options);
  return { vocabJson: formatVocabJson(clipStructuredTokens(merges)), mergesTxt: formatMergesTxt(merges) };
}
