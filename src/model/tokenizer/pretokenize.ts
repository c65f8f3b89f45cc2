/**
 * CLIP's pre-tokenisation: the cleaned text is cut into pieces, each of which is BPE-encoded on
 * its own and ends with the end-of-word marker. Alternatives are tried in this order:
 * the two special tokens, English contractions, runs of letters, a single digit, runs of other
 * non-space characters. Whitespace separates pieces and is dropped.
 *
 * The reference pattern is case-insensitive; the text is lower-cased before splitting, so only
 * the contractions need both cases here.
 */
const CLIP_PIECE_RE =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+/giu;

/** Split already-cleaned text into CLIP's pieces (before byte mapping). */
export function splitClipPieces(cleaned: string): string[] {
  return cleaned.match(CLIP_PIECE_RE) ?? [];
}
