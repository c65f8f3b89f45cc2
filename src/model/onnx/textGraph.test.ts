import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextArch } from '../arch.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import { int64Input } from './graphSpec.ts';
import { createOrtNodeSession, type OrtNodeSession } from '../runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_P16_GELU, type WeightDType } from '../checkpoint/checkpointGenerator.ts';
import { readRawCheckpoint, type RawCheckpoint } from '../../testkit/reference/rawCheckpoint.ts';
import { referenceTextForward, referenceTextUnnormalised } from '../../testkit/reference/textForward.ts';
import { buildTextGraph } from './textGraph.ts';
import { maxAbsDiff } from '../../testkit/compare.ts';


// OpenCLIP stores the text projection [w, D] ('in_out'), Hugging Face [D, w] ('out_in')
describe.each([
  { dtype: 'F32' as WeightDType, layout: 'openclip' as const },
  { dtype: 'F16' as WeightDType, layout: 'hf' as const },
  { dtype: 'BF16' as WeightDType, layout: 'openclip' as const },
])('buildTextGraph on a generated $dtype checkpoint ($layout)', ({ dtype, layout }) => {
  let ckpt: ClipCheckpoint;
  let text: TextArch;
  let raw: RawCheckpoint;
  let session: OrtNodeSession;
  /** two prompts padded to the context length, and the position of each one's end token */
  let rows: number[][];
  const eots = [4, 2];
  beforeAll(async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout, dtype, seed: 21 });
    ckpt = await loadCheckpoint(memoryModelFiles(files));
    text = ckpt.text!;
    raw = readRawCheckpoint(files);
    session = await createOrtNodeSession(buildTextGraph(ckpt), ckpt);
    const { bosTokenId: BOS, eosTokenId: EOS, padTokenId: PAD, contextLength } = text;
    const pad = (ids: number[]) => [...ids, ...Array<number>(contextLength - ids.length).fill(PAD)];
    rows = [pad([BOS, 5, 6, 7, EOS]), pad([BOS, 9, EOS])];
  });
  afterAll(async () => {
    await session.release();
  });

  const embed = async (seqs: number[][], eot: number[]) => {
    const n = seqs[0].length;
    const out = await session.run({ input_ids: int64Input(seqs.flat(), [seqs.length, n]), eot_row: int64Input(eot.map((e, b) => b * n + e), [seqs.length]) });
    return out.text_embedding;
  };

  it('text_embedding matches the float64 reference forward (causal mask, end-token pooling) and has unit norm', async () => {
    const out = await embed(rows, eots);
    const D = text.embedDim;
    expect(out.dims).toEqual([2, D]);
    rows.forEach((ids, b) => {
      expect(ids[eots[b]]).toBe(text.eosTokenId); // the reference pools at the first end token
      const row = out.data.subarray(b * D, (b + 1) * D);
      expect(maxAbsDiff(row, referenceTextForward(raw, ids).data)).toBeLessThan(1e-4);
      expect(Math.abs(Math.hypot(...row) - 1)).toBeLessThan(1e-5);
    });
  });

  it('text_norm is ‖t‖ of the unnormalised embedding: t̂·text_norm matches the reference t', async () => {
    const n = rows[0].length;
    const out = await session.run({ input_ids: int64Input(rows.flat(), [rows.length, n]), eot_row: int64Input(eots.map((e, b) => b * n + e), [rows.length]) });
    const D = text.embedDim;
    expect(out.text_norm.dims).toEqual([2]);
    rows.forEach((ids, b) => {
      const t = referenceTextUnnormalised(raw, ids).data;
      const norm = Math.hypot(...t);
      expect(Math.abs(out.text_norm.data[b] - norm) / norm).toBeLessThan(1e-5);
      const raw_ = Array.from(out.text_embedding.data.subarray(b * D, (b + 1) * D), (x) => x * out.text_norm.data[b]);
      expect(maxAbsDiff(raw_, t) / norm).toBeLessThan(1e-4);
    });
  });

  it('ignores tokens after the end token: other trailing ids and truncation give the same embedding', async () => {
    const full = await embed(rows, eots);
    const noisy = await embed(rows.map((r, b) => r.map((id, i) => (i > eots[b] ? 3 + i : id))), eots);
    const truncated = await embed(rows.map((r) => r.slice(0, 5)), eots);
    expect(maxAbsDiff(noisy.data, full.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(truncated.data, full.data)).toBeLessThan(1e-5);
  });

  it('refuses a checkpoint without a text tower', () => {
    expect(() => buildTextGraph({ ...ckpt, text: undefined })).toThrow(/no text tower/);
  });
});
