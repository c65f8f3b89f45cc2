import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createOrtNodeSession, int64Feed, type OrtNodeSession } from '../runtime/ortNode.node.ts';
import { buildTextGraph } from './textGraph.ts';
import { writeTinyCheckpoint, type TinyCheckpoint, type TinyDType } from './testing/tinyCheckpoint.node.ts';
import { tinyTextForward } from './testing/tinyForward.ts';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe.each([
  { dtype: 'F32' as TinyDType, projLayout: 'in_out' as const },
  { dtype: 'F16' as TinyDType, projLayout: 'out_in' as const },
  { dtype: 'BF16' as TinyDType, projLayout: 'in_out' as const },
])('buildTextGraph on a tiny $dtype checkpoint (proj $projLayout)', ({ dtype, projLayout }) => {
  let tiny: TinyCheckpoint;
  let session: OrtNodeSession;
  beforeAll(async () => {
    tiny = writeTinyCheckpoint({ dtype, projLayout, seed: 21 });
    session = await createOrtNodeSession(buildTextGraph(tiny.ckpt), tiny.ckpt);
  });
  afterAll(async () => {
    await session.release();
    rmSync(tiny.dir, { recursive: true, force: true });
  });

  const BOS = 48, EOS = 49;
  const rows = [
    [BOS, 5, 6, 7, EOS, 0, 0, 0, 0, 0],
    [BOS, 9, EOS, 0, 0, 0, 0, 0, 0, 0],
  ];
  const eots = [4, 2];
  const embed = async (seqs: number[][], eot: number[]) => {
    const n = seqs[0].length;
    const out = await session.run({ input_ids: int64Feed(seqs.flat(), [seqs.length, n]), eot_row: int64Feed(eot.map((e, b) => b * n + e), [seqs.length]) });
    return out.text_embedding;
  };

  it('text_embedding matches a float64 loop forward (causal mask, end-token pooling) and has unit norm', async () => {
    const out = await embed(rows, eots);
    const D = tiny.ckpt.text!.embedDim;
    expect(out.dims).toEqual([2, D]);
    rows.forEach((ids, b) => {
      const row = out.data.subarray(b * D, (b + 1) * D);
      expect(maxAbsDiff(row, tinyTextForward(tiny.values, tiny.ckpt.text!, projLayout, ids, eots[b]))).toBeLessThan(1e-4);
      expect(Math.abs(Math.hypot(...row) - 1)).toBeLessThan(1e-5);
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
    expect(() => buildTextGraph({ ...tiny.ckpt, text: undefined })).toThrow(/no text tower/);
  });
});
