import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { ClipTokenizer } from './clipTokenizer.ts';
import { cleanText } from './cleanText.ts';
import { splitClipPieces } from './pretokenize.ts';
import { parseHuggingFaceVocab, parseOriginalBpeGzip } from './vocabFiles.ts';

/** `| \`text\` | 49406 ... 49407 |` rows of METHOD.md Appendix A */
function appendixAVectors(): Array<{ text: string; ids: number[] }> {
  const method = readFileSync(sharedPath('docs', 'METHOD.md'), 'utf8');
  const appendix = method.slice(method.indexOf('## Appendix A'), method.indexOf('## Appendix B'));
  return [...appendix.matchAll(/^\| `(.+)` \| ([\d ]+) \|$/gm)].map((m) => ({
    text: m[1],
    ids: m[2].trim().split(/\s+/).map(Number),
  }));
}

function referenceCases(): Array<[string, number[]]> {
  const ref = JSON.parse(readFileSync(sharedPath('data', 'reference', 'reference_values.json'), 'utf8'));
  return Object.entries(ref.tokenizer_cases as Record<string, unknown>).filter(
    (entry): entry is [string, number[]] => Array.isArray(entry[1]),
  );
}

const vocabFile = (name: string) => sharedPath('data', 'vocab', name);

describe.runIf(hasShared())('ClipTokenizer on the 49,408-token CLIP vocabulary', () => {
  let hf: ClipTokenizer;
  let original: ClipTokenizer;
  let hfLoadMs = 0;
  let gzipLoadMs = 0;

  beforeAll(async () => {
    const vocabJson = readFileSync(vocabFile('vocab.json'), 'utf8');
    const mergesTxt = readFileSync(vocabFile('merges.txt'), 'utf8');
    const gzipBytes = new Uint8Array(readFileSync(vocabFile('bpe_simple_vocab_16e6.txt.gz')));
    let t = performance.now();
    hf = ClipTokenizer.fromHuggingFaceFiles(vocabJson, mergesTxt);
    hfLoadMs = performance.now() - t;
    t = performance.now();
    original = await ClipTokenizer.fromOriginalBpeGzip(gzipBytes);
    gzipLoadMs = performance.now() - t;
    console.info(`[tokenizer] load: HF files ${hfLoadMs.toFixed(0)} ms, original .gz ${gzipLoadMs.toFixed(0)} ms`);
  });

  it('loads from either form in bounded time (~150 ms idle; the bound only catches a pathological slowdown)', () => {
    expect(hfLoadMs).toBeLessThan(30_000);
    expect(gzipLoadMs).toBeLessThan(30_000);
    expect(hf.vocabSize).toBe(49408);
    expect(original.vocabSize).toBe(49408);
    expect([hf.startId, hf.endId]).toEqual([49406, 49407]);
  });

  it('the HF files and the original .gz give the same vocabulary and merges', async () => {
    const fromHf = parseHuggingFaceVocab(readFileSync(vocabFile('vocab.json'), 'utf8'), readFileSync(vocabFile('merges.txt'), 'utf8'));
    const fromGz = await parseOriginalBpeGzip(new Uint8Array(readFileSync(vocabFile('bpe_simple_vocab_16e6.txt.gz'))));
    expect(fromGz.merges.length).toBe(48894);
    expect(fromHf.merges).toEqual(fromGz.merges);
    expect(fromHf.tokenToId.size).toBe(fromGz.tokenToId.size);
    let differing = 0;
    for (const [token, id] of fromGz.tokenToId) if (fromHf.tokenToId.get(token) !== id) differing++;
    expect(differing).toBe(0);
  });

  it('METHOD Appendix A: tokenize(text) matches every vector, zero-padded to 77', () => {
    const vectors = appendixAVectors();
    expect(vectors.length).toBe(4);
    for (const { text, ids } of vectors) {
      for (const tok of [hf, original]) {
        const { ids: padded, eotIndex } = tok.tokenize(text);
        expect(padded.length).toBe(77);
        expect(Array.from(padded.subarray(0, ids.length)), text).toEqual(ids);
        expect(eotIndex).toBe(ids.length - 1);
        expect(padded.subarray(ids.length).every((id) => id === 0)).toBe(true);
      }
    }
  });

  it('reference_values.json tokenizer_cases: every entry matches exactly', () => {
    const cases = referenceCases();
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const [text, ids] of cases) {
      const { ids: padded, eotIndex } = hf.tokenize(text);
      expect(Array.from(padded.subarray(0, eotIndex + 1)), text).toEqual(ids);
      expect(original.encode(text), text).toEqual(ids.slice(1, -1));
    }
  });

  it('both loaders give identical ids on the 3,498 TEXTSPAN descriptions', () => {
    const pool = readFileSync(sharedPath('data', 'textspan', 'image_descriptions_general.txt'), 'utf8').split('\n');
    expect(pool.length).toBe(3498);
    const a = hf.tokenizeBatch(pool);
    const b = original.tokenizeBatch(pool);
    expect(a.count).toBe(3498);
    expect(a.ids.length).toBe(b.ids.length);
    let differing = 0;
    for (let i = 0; i < a.ids.length; i++) if (a.ids[i] !== b.ids[i]) differing++;
    expect(differing).toBe(0);
    expect(Array.from(a.eotIndex)).toEqual(Array.from(b.eotIndex));
    // every row: start, body, end at eotIndex, zeros after
    for (let row = 0; row < a.count; row += 97) {
      const r = a.ids.subarray(row * 77, row * 77 + 77);
      const eot = a.eotIndex[row];
      expect(r[0]).toBe(49406);
      expect(r[eot]).toBe(49407);
      expect(Array.from(r.subarray(1, eot))).toEqual(hf.encode(pool[row]).slice(0, eot - 1));
      expect(r.subarray(eot + 1).every((id) => id === 0)).toBe(true);
    }
  });

  it('tokenize(200 words) gives 77 ids: start, the first 75 body ids, end as the last id', () => {
    const words = Array.from({ length: 200 }, (_, i) => ['red', 'cat', 'on', 'a', 'mat'][i % 5]).join(' ');
    const body = hf.encode(words);
    expect(body.length).toBe(200);
    const { ids, eotIndex } = hf.tokenize(words);
    expect(ids.length).toBe(77);
    expect(eotIndex).toBe(76);
    expect(ids[0]).toBe(49406);
    expect(ids[76]).toBe(49407);
    expect(Array.from(ids.subarray(1, 76))).toEqual(body.slice(0, 75));
  });

  it('a body of exactly 75 ids fits without truncation; 76 ids lose the last one', () => {
    const exact = Array.from({ length: 75 }, () => 'cat').join(' ');
    expect(hf.tokenize(exact).eotIndex).toBe(76);
    expect(hf.tokenize(exact).ids[75]).toBe(hf.encode('cat')[0]);
    const over = `${exact} dog`;
    const t = hf.tokenize(over);
    expect(t.eotIndex).toBe(76);
    expect(t.ids[75]).toBe(hf.encode('cat')[0]);
  });

  it('encode keeps special tokens typed in the text whole', () => {
    expect(hf.encode('a<|endoftext|>b <|startoftext|>')).toEqual([320, 49407, 321, 49406]);
  });

  it('encode applies the cleaning: case, whitespace, HTML entities, curly quotes', () => {
    const plain = hf.encode("a photo of a dog's toy");
    expect(hf.encode('  A   PHOTO\tof\n a DOG&#39;s &#x54;oy ')).toEqual(plain);
    expect(hf.encode('a photo of a dog’s toy')).toEqual(plain);
    expect(hf.encode('a photo of a dog&amp;#39;s toy')).toEqual(plain); // unescaped twice
  });

  it('decode(encode(x)) gives the CLIP pieces separated by spaces', () => {
    for (const text of ['A photo taken in Seoul, South Korea', 'café 日本語 🐱 x²', "It's 2024!"]) {
      expect(hf.decode(hf.encode(text))).toBe(splitClipPieces(cleanText(text)).join(' '));
    }
    expect(hf.decode(hf.tokenize('a dog').ids.subarray(0, 4))).toBe('<|startoftext|>a dog <|endoftext|>');
    expect(hf.decode(hf.tokenize('a dog').ids.subarray(0, 4), { skipSpecialTokens: true })).toBe('a dog');
  });

  it('decode rejects ids outside the vocabulary', () => {
    expect(() => hf.decode([320, 49408])).toThrow(/49408/);
  });
});
