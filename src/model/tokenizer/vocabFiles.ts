/**
 * Reading a byte-level BPE vocabulary from either of its two published forms:
 *
 * - Hugging Face: `vocab.json` (token -> id) + `merges.txt` ("#version" header, one "left right"
 *   pair per line, in rank order);
 * - OpenAI's original `bpe_simple_vocab_16e6.txt.gz`: a header line, then merge lines; CLIP uses
 *   the first 48,894 and derives the vocabulary from them (`clipStructuredTokens`).
 */
import { BYTE_SYMBOLS_IN_VOCAB_ORDER } from './byteSymbols.ts';
import { END_OF_WORD } from './bpe.ts';
import { TokenizerError } from './errors.ts';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';

/** merges CLIP takes from the original BPE file: 49,152 - 256 - 2 */
export const CLIP_MERGE_COUNT = 48_894;

export type MergePair = readonly [left: string, right: string];

export interface BpeVocabulary {
  /** token string -> id */
  readonly tokenToId: ReadonlyMap<string, number>;
  /** merge pairs in rank order (rank 0 first) */
  readonly merges: readonly MergePair[];
}

function parseMergeLine(line: string, lineNumber: number): MergePair {
  // fast path for the usual "left right" line (loading 48,894 of them should take milliseconds)
  const space = line.indexOf(' ');
  if (space > 0 && space < line.length - 1 && line.indexOf(' ', space + 1) === -1 && !/[\t\r\v\f]/.test(line)) {
    return [line.slice(0, space), line.slice(space + 1)];
  }
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0] === '') {
    throw new TokenizerError('bad-merges', `merge line ${lineNumber} is not "left right": ${JSON.stringify(line)}`);
  }
  return [parts[0], parts[1]];
}

/**
 * The token list of a CLIP-structured vocabulary, in id order: the 256 byte symbols, the same with
 * the end-of-word marker, one token per merge (the pair joined), then the two special tokens.
 */
export function clipStructuredTokens(merges: readonly MergePair[]): string[] {
  return [
    ...BYTE_SYMBOLS_IN_VOCAB_ORDER,
    ...BYTE_SYMBOLS_IN_VOCAB_ORDER.map((s) => s + END_OF_WORD),
    ...merges.map(([left, right]) => left + right),
    START_OF_TEXT,
    END_OF_TEXT,
  ];
}

/** Hugging Face `vocab.json` + `merges.txt` text. */
export function parseHuggingFaceVocab(vocabJson: string, mergesTxt: string): BpeVocabulary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(vocabJson);
  } catch (e) {
    throw new TokenizerError('bad-vocab', `vocab.json is not JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TokenizerError('bad-vocab', 'vocab.json must be an object mapping tokens to ids');
  }
  const tokenToId = new Map<string, number>();
  for (const [token, id] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerError('bad-vocab', `vocab.json: id of ${JSON.stringify(token)} is not a non-negative integer`);
    }
    tokenToId.set(token, id);
  }
  const lines = mergesTxt.split(/\r?\n/);
  const merges: MergePair[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || (i === 0 && line.startsWith('#version'))) return;
    merges.push(parseMergeLine(line, i + 1));
  });
  return { tokenToId, merges };
}

/** OpenAI's original BPE text (already decompressed): header line, then merges. */
export function parseOriginalBpeText(text: string, mergeCount: number = CLIP_MERGE_COUNT): BpeVocabulary {
  const lines = text.split('\n');
  if (lines.length - 1 < mergeCount) {
    throw new TokenizerError('bad-merges', `BPE file has ${lines.length - 1} merge lines, need ${mergeCount}`);
  }
  const merges = lines.slice(1, 1 + mergeCount).map((line, i) => parseMergeLine(line, i + 2));
  const tokenToId = new Map(clipStructuredTokens(merges).map((token, id) => [token, id] as const));
  return { tokenToId, merges };
}

/** Decompress gzip bytes to UTF-8 text with the platform's DecompressionStream (Node 20, browsers). */
export async function gunzipToText(gzipBytes: Uint8Array): Promise<string> {
  const body = new Response(gzipBytes as BufferSource).body;
  if (body === null) throw new TokenizerError('bad-argument', 'empty gzip input');
  return new Response(body.pipeThrough(new DecompressionStream('gzip'))).text();
}

/** OpenAI's original `bpe_simple_vocab_16e6.txt.gz` bytes. */
export async function parseOriginalBpeGzip(
  gzipBytes: Uint8Array,
  mergeCount: number = CLIP_MERGE_COUNT,
): Promise<BpeVocabulary> {
  return parseOriginalBpeText(await gunzipToText(gzipBytes), mergeCount);
}
