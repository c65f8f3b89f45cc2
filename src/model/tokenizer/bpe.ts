/**
 * Byte-pair merging of one pre-tokenised piece, the way CLIP does it.
 *
 * Symbols never contain a space (the space byte is the symbol 'Ġ'), so a pair is keyed as
 * "left right", exactly as it is written in merges.txt.
 */

/** merge pair "left right" -> rank (0 = applied first) */
export type MergeRanks = ReadonlyMap<string, number>;

/** The end-of-word marker appended to the last symbol of every piece. */
export const END_OF_WORD = '</w>';

export function pairKey(left: string, right: string): string {
  return `${left} ${right}`;
}

/** Build the rank table from merges in order; a repeated pair keeps its first rank. */
export function mergeRanksOf(merges: ReadonlyArray<readonly [string, string]>): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach(([left, right], rank) => {
    const key = pairKey(left, right);
    if (!ranks.has(key)) ranks.set(key, rank);
  });
  return ranks;
}

/** Split a byte-symbol string into single symbols, the last one carrying the end-of-word marker. */
export function initialSymbols(byteSymbols: string): string[] {
  const symbols = Array.from(byteSymbols);
  if (symbols.length > 0) symbols[symbols.length - 1] += END_OF_WORD;
  return symbols;
}

/**
 * Repeatedly merge the adjacent pair with the lowest rank (every non-overlapping occurrence, left
 * to right) until no adjacent pair has a rank. Returns a new array.
 */
export function applyMerges(symbols: readonly string[], ranks: MergeRanks): string[] {
  let word = symbols.slice();
  while (word.length > 1) {
    let bestRank = Infinity;
    let bestLeft = '';
    let bestRight = '';
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = ranks.get(pairKey(word[i], word[i + 1]));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        bestLeft = word[i];
        bestRight = word[i + 1];
      }
    }
    if (bestRank === Infinity) break;
    word = mergePair(word, bestLeft, bestRight);
  }
  return word;
}

/** Replace every non-overlapping occurrence of (left, right), scanning left to right. */
export function mergePair(word: readonly string[], left: string, right: string): string[] {
  const merged: string[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
      merged.push(left + right);
      i++;
    } else {
      merged.push(word[i]);
    }
  }
  return merged;
}
