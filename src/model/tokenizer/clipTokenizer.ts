/**
 * CLIP's byte-level BPE tokenizer (OpenAI `simple_tokenizer`), exact on the reference vocabulary
 * and usable with any vocabulary of the same structure (e.g. one made by `generateBpeVocab`).
 *
 * Pipeline: clean (cleanText.ts) -> split into pieces (pretokenize.ts) -> UTF-8 bytes as symbols
 * (byteSymbols.ts) -> merge by rank with the end-of-word marker (bpe.ts) -> ids.
 */
import { applyMerges, END_OF_WORD, initialSymbols, mergeRanksOf, pairKey, type MergeRanks } from './bpe.ts';
import { BYTE_SYMBOLS_IN_VOCAB_ORDER, byteSymbolsToBytes, textToByteSymbols } from './byteSymbols.ts';
import { cleanText } from './cleanText.ts';
import { TokenizerError } from './errors.ts';
import { splitClipPieces } from './pretokenize.ts';
import {
  END_OF_TEXT,
  parseHuggingFaceVocab,
  parseOriginalBpeGzip,
  parseOriginalBpeText,
  START_OF_TEXT,
  type BpeVocabulary,
} from './vocabFiles.ts';

/** CLIP's text context length */
export const CLIP_CONTEXT_LENGTH = 77;

/** pieces remembered before the cache is emptied (bounds memory on endless distinct input) */
const PIECE_CACHE_LIMIT = 200_000;

/** One tokenized text: `[start] + ids + [end]`, zero-padded to the context length. */
export interface TokenizedText {
  /** `[contextLength]` ids, padded with 0 */
  readonly ids: Int32Array;
  /** position of the end-of-text id (where CLIP's text tower pools) */
  readonly eotIndex: number;
}

/** Several tokenized texts, row-major `[count, contextLength]`. */
export interface TokenizedBatch {
  readonly ids: Int32Array;
  /** `[count]` positions of the end-of-text id, one per row */
  readonly eotIndex: Int32Array;
  readonly count: number;
  readonly contextLength: number;
}

export interface DecodeOptions {
  /** drop the start-of-text and end-of-text ids (default false) */
  skipSpecialTokens?: boolean;
}

export class ClipTokenizer {
  /** id of `<|startoftext|>` in this vocabulary */
  readonly startId: number;
  /** id of `<|endoftext|>` in this vocabulary */
  readonly endId: number;
  /** number of ids (largest id + 1) */
  readonly vocabSize: number;

  private readonly tokenToId: ReadonlyMap<string, number>;
  private readonly idToToken: readonly (string | undefined)[];
  private readonly ranks: MergeRanks;
  private readonly pieceCache = new Map<string, readonly number[]>();

  /** From Hugging Face `vocab.json` and `merges.txt` text. */
  static fromHuggingFaceFiles(vocabJson: string, mergesTxt: string): ClipTokenizer {
    return new ClipTokenizer(parseHuggingFaceVocab(vocabJson, mergesTxt));
  }

  /** From OpenAI's original BPE text (already decompressed). */
  static fromOriginalBpeText(text: string): ClipTokenizer {
    return new ClipTokenizer(parseOriginalBpeText(text));
  }

  /** From the bytes of OpenAI's `bpe_simple_vocab_16e6.txt.gz`. */
  static async fromOriginalBpeGzip(gzipBytes: Uint8Array): Promise<ClipTokenizer> {
    return new ClipTokenizer(await parseOriginalBpeGzip(gzipBytes));
  }

  constructor(vocab: BpeVocabulary) {
    this.tokenToId = vocab.tokenToId;
    this.ranks = mergeRanksOf(vocab.merges);
    this.startId = this.requireToken(START_OF_TEXT, 'missing-special');
    this.endId = this.requireToken(END_OF_TEXT, 'missing-special');
    for (const symbol of BYTE_SYMBOLS_IN_VOCAB_ORDER) {
      this.requireToken(symbol, 'bad-vocab');
      this.requireToken(symbol + END_OF_WORD, 'bad-vocab');
    }
    // Every merge result must have an id, or some text would produce a token with none.
    vocab.merges.forEach(([left, right], rank) => {
      if (!this.tokenToId.has(left + right)) {
        throw new TokenizerError('bad-merges', `merge ${rank} (${pairKey(left, right)}) makes a token that is not in the vocabulary`);
      }
    });
    let maxId = -1;
    for (const id of this.tokenToId.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const idToToken = new Array<string | undefined>(this.vocabSize);
    for (const [token, id] of this.tokenToId) idToToken[id] = token;
    this.idToToken = idToToken;
    // Special tokens typed into the text stay whole (the splitter keeps them as one piece).
    this.pieceCache.set(START_OF_TEXT, [this.startId]);
    this.pieceCache.set(END_OF_TEXT, [this.endId]);
  }

  private requireToken(token: string, code: 'missing-special' | 'bad-vocab'): number {
    const id = this.tokenToId.get(token);
    if (id === undefined) throw new TokenizerError(code, `vocabulary has no token ${JSON.stringify(token)}`);
    return id;
  }

  /** id of a token string, or undefined */
  idOf(token: string): number | undefined {
    return this.tokenToId.get(token);
  }

  /** token string of an id, or undefined */
  tokenOf(id: number): string | undefined {
    return this.idToToken[id];
  }

  /** Ids of the text without the special tokens. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of splitClipPieces(cleanText(text))) {
      for (const id of this.encodePiece(textToByteSymbols(piece))) ids.push(id);
    }
    return ids;
  }

  private encodePiece(byteSymbols: string): readonly number[] {
    const cached = this.pieceCache.get(byteSymbols);
    if (cached !== undefined) return cached;
    const ids = applyMerges(initialSymbols(byteSymbols), this.ranks).map((token) => {
      const id = this.tokenToId.get(token);
      // unreachable for a vocabulary that passed the constructor's checks
      if (id === undefined) throw new TokenizerError('bad-vocab', `no id for token ${JSON.stringify(token)}`);
      return id;
    });
    if (this.pieceCache.size >= PIECE_CACHE_LIMIT) {
      this.pieceCache.clear();
      this.pieceCache.set(START_OF_TEXT, [this.startId]);
      this.pieceCache.set(END_OF_TEXT, [this.endId]);
    }
    this.pieceCache.set(byteSymbols, ids);
    return ids;
  }

  /**
   * `[start] + encode(text) + [end]`, zero-padded to `contextLength`. Longer sequences are cut to
   * `contextLength` ids and the last one is replaced by the end id (CLIP's `truncate=True`).
   */
  tokenize(text: string, contextLength: number = CLIP_CONTEXT_LENGTH): TokenizedText {
    const ids = new Int32Array(this.checkContextLength(contextLength));
    return { ids, eotIndex: this.writeTokens(text, ids) };
  }

  /** `tokenize` for many texts into one `[count, contextLength]` buffer. */
  tokenizeBatch(texts: readonly string[], contextLength: number = CLIP_CONTEXT_LENGTH): TokenizedBatch {
    this.checkContextLength(contextLength);
    const ids = new Int32Array(texts.length * contextLength);
    const eotIndex = new Int32Array(texts.length);
    texts.forEach((text, row) => {
      eotIndex[row] = this.writeTokens(text, ids.subarray(row * contextLength, (row + 1) * contextLength));
    });
    return { ids, eotIndex, count: texts.length, contextLength };
  }

  private checkContextLength(contextLength: number): number {
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new TokenizerError('bad-argument', `context length must be an integer >= 2, got ${contextLength}`);
    }
    return contextLength;
  }

  /** Writes `[start] + ids + [end]` into the zeroed row; returns the end token's position. */
  private writeTokens(text: string, row: Int32Array): number {
    const body = this.encode(text);
    const length = Math.min(body.length + 2, row.length);
    row[0] = this.startId;
    for (let i = 1; i < length - 1; i++) row[i] = body[i - 1];
    row[length - 1] = this.endId;
    return length - 1;
  }

  /**
   * Text of the ids: tokens concatenated, bytes decoded as UTF-8 (invalid sequences become U+FFFD),
   * every end-of-word marker replaced by a space, surrounding spaces trimmed. Pieces that were
   * written together ("cat.") come back separated ("cat ."), as in CLIP.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const skipSpecial = options.skipSpecialTokens ?? false;
    let symbols = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (skipSpecial && (id === this.startId || id === this.endId)) continue;
      const token = this.idToToken[id];
      if (token === undefined) throw new TokenizerError('unknown-id', `id ${id} is not in the vocabulary`);
      symbols += token;
    }
    const text = new TextDecoder('utf-8').decode(byteSymbolsToBytes(symbols));
    return text.replaceAll(END_OF_WORD, ' ').replace(/^ +| +$/g, '');
  }
}
