import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../checkpoint/types.ts';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { generateBpeVocab } from './generateBpeVocab.ts';
import { clipTokenizerFromFiles } from './tokenizerFiles.ts';

function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return { name, size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) };
}

function sources(entries: Record<string, Uint8Array>): Map<string, ByteSource> {
  return new Map(Object.entries(entries).map(([name, bytes]) => [name, memorySource(name, bytes)]));
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('clipTokenizerFromFiles', () => {
  it('clipTokenizerFromFiles({vocab.json, merges.txt}) loads a generated vocabulary', async () => {
    const { vocabJson, mergesTxt } = generateBpeVocab(['a photo of a photo', 'a photograph of the photographer'], 8);
    const tok = await clipTokenizerFromFiles(
      sources({ 'repo/vocab.json': utf8(vocabJson), 'repo/merges.txt': utf8(mergesTxt), 'repo/model.safetensors': new Uint8Array(4) }),
    );
    expect(tok.vocabSize).toBe(512 + 8 + 2);
    expect(tok.encode('photo')).toEqual([tok.idOf('photo</w>')]);
  });

  it('clipTokenizerFromFiles without tokenizer files throws a TokenizerError naming the files', async () => {
    await expect(clipTokenizerFromFiles(sources({ 'model.safetensors': new Uint8Array(4) }))).rejects.toThrow(
      /model\.safetensors.*vocab\.json/,
    );
  });

  it.runIf(hasShared())('clipTokenizerFromFiles({bpe_simple_vocab_16e6.txt.gz}) loads the CLIP vocabulary', async () => {
    const gz = new Uint8Array(readFileSync(sharedPath('data', 'vocab', 'bpe_simple_vocab_16e6.txt.gz')));
    const tok = await clipTokenizerFromFiles(sources({ 'bpe_simple_vocab_16e6.txt.gz': gz }));
    expect(Array.from(tok.tokenize('a photo of a cat.').ids.subarray(0, 8))).toEqual([49406, 320, 1125, 539, 320, 2368, 269, 49407]);
  });
});
