/**
 * CLIP's reversible byte <-> symbol table (GPT-2 style byte-level BPE).
 *
 * BPE runs on strings of "symbols", one per UTF-8 byte. Printable bytes stand for themselves; the
 * other 68 bytes (controls, space, 0x7F-0xA0, 0xAD) are moved to U+0100 and up so every symbol is
 * a visible, non-space character. Space (0x20) becomes 'Ġ' (U+0120).
 */

function isPrintableByte(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

/**
 * The bytes in vocabulary order: the printable ones ascending, then the others ascending.
 * CLIP's vocabulary ids 0..255 follow this order (id 0 is '!', byte 0x21), not byte order.
 */
export const BYTES_IN_VOCAB_ORDER: readonly number[] = Object.freeze([
  ...Array.from({ length: 256 }, (_, b) => b).filter(isPrintableByte),
  ...Array.from({ length: 256 }, (_, b) => b).filter((b) => !isPrintableByte(b)),
]);

/** symbol of each byte, indexed by byte value */
export const BYTE_TO_SYMBOL: readonly string[] = (() => {
  const table = new Array<string>(256);
  let shifted = 0;
  for (const b of BYTES_IN_VOCAB_ORDER) {
    table[b] = isPrintableByte(b) ? String.fromCharCode(b) : String.fromCharCode(256 + shifted++);
  }
  return Object.freeze(table);
})();

const SYMBOL_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_SYMBOL.map((s, b) => [s, b]));

/** The 256 byte symbols in vocabulary order (ids 0..255 of a CLIP-structured vocabulary). */
export const BYTE_SYMBOLS_IN_VOCAB_ORDER: readonly string[] = Object.freeze(
  BYTES_IN_VOCAB_ORDER.map((b) => BYTE_TO_SYMBOL[b]),
);

const utf8Encoder = new TextEncoder();

/** UTF-8 encode `text` and map every byte to its symbol. */
export function textToByteSymbols(text: string): string {
  let out = '';
  for (const b of utf8Encoder.encode(text)) out += BYTE_TO_SYMBOL[b];
  return out;
}

/**
 * Map a string of byte symbols back to bytes. Characters that are not byte symbols are an error
 * (they cannot come out of a well-formed vocabulary).
 */
export function byteSymbolsToBytes(symbols: string): Uint8Array {
  const bytes = new Uint8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const b = SYMBOL_TO_BYTE.get(symbols[i]);
    if (b === undefined) {
      throw new Error(`'${symbols[i]}' (U+${symbols.charCodeAt(i).toString(16)}) is not a byte symbol`);
    }
    bytes[i] = b;
  }
  return bytes;
}
