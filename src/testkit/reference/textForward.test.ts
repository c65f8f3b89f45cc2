import { describe, expect, it } from 'vitest';
import { bruteForceTextEmbedding } from './bruteForce.ts';
import { readRawCheckpoint } from './rawCheckpoint.ts';
import { referenceTextForward } from './textForward.ts';
import { TOY_SPEC, toyCheckpointFiles, type ToyClipSpec } from './toyCheckpoint.ts';
import { readTextTower } from './towers.ts';
import { maxAbsDiff } from '../compare.ts';

const V = TOY_SPEC.text!.vocabSize; // 20: the end token is 19 unless a file says otherwise
const openclip = readRawCheckpoint(toyCheckpointFiles(TOY_SPEC, 'openclip'));
const ids = [18, 4, 11, 19, 0, 0, 0];


function withVocab(spec: ToyClipSpec, layout: 'hf' | 'openclip', vocab: Record<string, number>) {
  const files = toyCheckpointFiles(spec, layout);
  files.set('vocab.json', new TextEncoder().encode(JSON.stringify(vocab)));
  return readRawCheckpoint(files);
}

describe('referenceTextForward', () => {
  it('returns a unit vector equal to an independent brute-force text tower', () => {
    const t = referenceTextForward(openclip, ids);
    expect(t.dims).toEqual([TOY_SPEC.embedDim]);
    expect(Math.abs(Math.hypot(...t.data) - 1)).toBeLessThan(1e-15);
    const brute = bruteForceTextEmbedding(openclip, ids, V - 1, { heads: 3, act: 'gelu', eps: 1e-5 });
    expect(maxAbsDiff(t.data, brute)).toBeLessThan(1e-12);
  });

  it('the causal mask matters: a token after the end token changes nothing, one before does', () => {
    const base = referenceTextForward(openclip, ids).data;
    expect(referenceTextForward(openclip, [18, 4, 11, 19, 7, 3, 0]).data).toEqual(base);
    expect(maxAbsDiff(referenceTextForward(openclip, [18, 5, 11, 19, 0, 0, 0]).data, base)).toBeGreaterThan(1e-3);
  });

  it('HF and OpenCLIP layouts of the same weights give identical embeddings', () => {
    const hf = readRawCheckpoint(toyCheckpointFiles(TOY_SPEC, 'hf'));
    expect(referenceTextForward(hf, ids).data).toEqual(referenceTextForward(openclip, ids).data);
  });

  it('QuickGELU changes the text embedding', () => {
    const quick = readRawCheckpoint(toyCheckpointFiles({ ...TOY_SPEC, act: 'quick_gelu' }, 'openclip'));
    const q = referenceTextForward(quick, ids).data;
    expect(maxAbsDiff(q, referenceTextForward(openclip, ids).data)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(q, bruteForceTextEmbedding(quick, ids, V - 1, { heads: 3, act: 'quick_gelu', eps: 1e-5 }))).toBeLessThan(1e-12);
  });

  it('pools at the FIRST end token', () => {
    const twice = [18, 4, 19, 11, 19, 0, 0];
    const t = referenceTextForward(openclip, twice).data;
    expect(maxAbsDiff(t, bruteForceTextEmbedding(openclip, twice, 19, { heads: 3, act: 'gelu', eps: 1e-5 }))).toBeLessThan(1e-12);
    expect(referenceTextForward(openclip, [18, 4, 19, 2, 3, 4, 5]).data).toEqual(t);
  });

  describe('end-of-text id', () => {
    it('is <|endoftext|> from vocab.json for a small vocabulary, in both layouts', () => {
      for (const layout of ['hf', 'openclip'] as const) {
        const raw = withVocab(TOY_SPEC, layout, { '<|startoftext|>': 18, '<|endoftext|>': 5 });
        expect(readTextTower(raw).endTokenId).toBe(5);
        // pooled at position 2 (id 5): what follows, even the largest id 19, is invisible
        const a = referenceTextForward(raw, [18, 4, 5, 7, 19, 0, 0]).data;
        expect(referenceTextForward(raw, [18, 4, 5, 9, 9, 9, 9]).data).toEqual(a);
      }
    });

    it('is the HF config eos_token_id, with the legacy value 2 read as the largest id', () => {
      const modern = readRawCheckpoint(toyCheckpointFiles({ ...TOY_SPEC, hfEosTokenId: 6 }, 'hf'));
      expect(readTextTower(modern).endTokenId).toBe(6);
      const legacy = readRawCheckpoint(toyCheckpointFiles({ ...TOY_SPEC, hfEosTokenId: 2 }, 'hf'));
      expect(readTextTower(legacy).endTokenId).toBe(V - 1);
      expect(referenceTextForward(legacy, [18, 2, 11, 19, 0, 0, 0]).data).toEqual(
        referenceTextForward(legacy, [18, 2, 11, 19, 5, 5, 5]).data,
      );
    });

    it('is the largest id for OpenCLIP without vocab.json, and 49407 for CLIP\'s 49408-token vocabulary', () => {
      expect(readTextTower(openclip).endTokenId).toBe(V - 1);
      const clipSized: ToyClipSpec = {
        ...TOY_SPEC,
        vision: { ...TOY_SPEC.vision, layers: 1 },
        text: { width: 4, layers: 1, heads: 1, contextLength: 3, vocabSize: 49408, mlpWidth: 4 },
      };
      const raw = withVocab(clipSized, 'hf', { '<|endoftext|>': 3 }); // the CLIP vocabulary rule wins
      expect(readTextTower(raw).endTokenId).toBe(49407);
    });
  });

  it('refuses ids of the wrong length, outside the vocabulary, or without an end token', () => {
    expect(() => referenceTextForward(openclip, [18, 19])).toThrow(/expected the context length 7/);
    expect(() => referenceTextForward(openclip, [18, 20, 19, 0, 0, 0, 0])).toThrow(/token id 20 is outside/);
    expect(() => referenceTextForward(openclip, [18, 1, 2, 0, 0, 0, 0])).toThrow(/no end-of-text token \(id 19\)/);
  });
});
