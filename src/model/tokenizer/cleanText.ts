/**
 * Text cleaning before CLIP tokenisation, as close to OpenAI's simple_tokenizer as we can get
 * without the Python `ftfy` library:
 *
 *   1. the deterministic, table-free parts of `ftfy.fix_text` (ligatures, full/half-width forms,
 *      curly quotes, invisible control characters, then NFC);
 *   2. HTML-unescape twice (Python `html.unescape` semantics: HTML5 named entities, legacy names
 *      without ';', numeric references);
 *   3. every run of whitespace becomes one space, then trim;
 *   4. lower-case.
 *
 * Not reproduced: ftfy's mojibake repair (`fix_encoding`), its own extra HTML-unescape pass and
 * terminal-escape removal. Plain text (including ordinary accented and CJK text) is unaffected.
 */
import { decodeHTML, DecodingMode } from 'entities';

/** Latin ligatures that ftfy spells out (its `fix_latin_ligatures`). */
const LATIN_LIGATURES: ReadonlyMap<string, string> = new Map([
  ['\u0132', 'IJ'], ['\u0133', 'ij'], ['\u0149', '\u02bcn'],
  ['\u01c4', 'D\u017d'], ['\u01c5', 'D\u017e'], ['\u01c6', 'd\u017e'],
  ['\u01c7', 'LJ'], ['\u01c8', 'Lj'], ['\u01c9', 'lj'],
  ['\u01ca', 'NJ'], ['\u01cb', 'Nj'], ['\u01cc', 'nj'],
  ['\u01f1', 'DZ'], ['\u01f2', 'Dz'], ['\u01f3', 'dz'],
  ['\ufb00', 'ff'], ['\ufb01', 'fi'], ['\ufb02', 'fl'], ['\ufb03', 'ffi'], ['\ufb04', 'ffl'],
  ['\ufb05', '\u017ft'], ['\ufb06', 'st'],
]);
const LIGATURE_RE = /[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;

/** Full-width and half-width forms (U+FF01..U+FFEF) and the ideographic space take their NFKC form. */
const WIDTH_FORM_RE = /[\u3000\uff01-\uffef]/g;

/** ‘ ’ ‚ ‛ ʼ become ', and “ ” „ ‟ become " (ftfy's `uncurl_quotes`). */
const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;

/**
 * Invisible control characters ftfy deletes (its `remove_control_chars`): C0 controls other than
 * tab, line feed, form feed and carriage return; DEL; deprecated format characters; the
 * byte-order mark; interlinear annotation characters.
 */
const CONTROL_CHAR_RE = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/**
 * Python's `str.isspace()` set, which `re.sub(r'\s+', ' ', text)` uses. JavaScript's `\s` differs
 * (it lacks U+001C..U+001F and U+0085, and has U+FEFF).
 */
const PY_WHITESPACE_RUN_RE =
  /[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** The deterministic parts of `ftfy.fix_text` we can reproduce, ending in NFC. */
export function fixTextLikeFtfy(text: string): string {
  return text
    .replace(LIGATURE_RE, (c) => LATIN_LIGATURES.get(c) ?? c)
    .replace(WIDTH_FORM_RE, (c) => c.normalize('NFKC'))
    .replace(SINGLE_QUOTE_RE, "'")
    .replace(DOUBLE_QUOTE_RE, '"')
    .replace(CONTROL_CHAR_RE, '')
    .normalize('NFC');
}

/** Character references as Python's `html.unescape` finds them (numeric, or a name of up to 32 chars). */
const CHAR_REF_RE = /&(?:#([0-9]+);?|#[xX]([0-9a-fA-F]+);?|[^\t\n\f <&#;]{1,32};?)/g;

/**
 * Code points that Python's `html.unescape` deletes when a numeric reference names them (the
 * HTML decoder keeps them): C0 controls other than tab, LF, FF, CR; DEL; U+FDD0..U+FDEF; and the
 * two noncharacters at the end of every plane. (0x80..0x9F are remapped, not deleted.)
 */
function isDroppedByPythonUnescape(codePoint: number): boolean {
  return (
    (codePoint >= 0x01 && codePoint <= 0x08) ||
    codePoint === 0x0b ||
    (codePoint >= 0x0e && codePoint <= 0x1f) ||
    codePoint === 0x7f ||
    (codePoint >= 0xfdd0 && codePoint <= 0xfdef) ||
    (codePoint <= 0x10ffff && (codePoint & 0xfffe) === 0xfffe)
  );
}

/**
 * Python `html.unescape`, one pass: HTML5 named references (legacy names also without ';', the
 * longest known prefix wins), decimal and hex references (0x80..0x9F as Windows-1252, invalid
 * code points as U+FFFD). The decoding itself is the `entities` library's.
 */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHAR_REF_RE, (ref: string, decimal?: string, hex?: string) => {
    if (decimal !== undefined || hex !== undefined) {
      const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
      if (isDroppedByPythonUnescape(codePoint)) return '';
    }
    return decodeHTML(ref, DecodingMode.Legacy);
  });
}

/** Runs of Python whitespace become one space; leading and trailing whitespace is removed. */
export function collapseWhitespace(text: string): string {
  // not String.trim(): its whitespace set is JavaScript's, not Python's
  const collapsed = text.replace(PY_WHITESPACE_RUN_RE, ' ');
  const start = collapsed.startsWith(' ') ? 1 : 0;
  const end = collapsed.length > start && collapsed.endsWith(' ') ? collapsed.length - 1 : collapsed.length;
  return collapsed.slice(start, end);
}

/** The full cleaning CLIP applies before splitting: fix, unescape twice, collapse, lower-case. */
export function cleanText(text: string): string {
  const fixed = fixTextLikeFtfy(text);
  return collapseWhitespace(htmlUnescape(htmlUnescape(fixed))).toLowerCase();
}
