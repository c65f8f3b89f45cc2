/**
 * Parity of every graph output with the float64 reference forward (src/testkit/reference), on
 * checkpoints from the shared generator loaded by the real loader, in both file layouts.
 * Tolerance: max|a − b| / max|b| ≤ 1e-4 per output.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../math/tensor.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import { int64Input } from './graphSpec.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_PRESETS } from '../checkpoint/checkpointGenerator.ts';
import { randomPixels } from '../../testkit/pixels.ts';
import { referenceImageForward } from '../../testkit/reference/imageForward.ts';
import { readRawCheckpoint } from '../../testkit/reference/rawCheckpoint.ts';
import { referenceTextForward } from '../../testkit/reference/textForward.ts';
import { buildImageGraph } from './imageGraph.ts';
import { buildTextGraph } from './textGraph.ts';
import { relErr } from '../../testkit/compare.ts';


const SPECS = TINY_PRESETS;
const LAYOUTS = ['openclip', 'hf'] as const;

describe.each(SPECS.flatMap((spec) => LAYOUTS.map((layout) => ({ spec, layout, name: spec.name }))))('graphs vs the float64 reference: $name ($layout)', ({ spec, layout }) => {
  const files = generateCheckpoint(spec, { layout, seed: 77 });

  it('every decomposed image output is within 1e-4 (relative to its max) of the reference', async () => {
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const raw = readRawCheckpoint(new Map(files));
    const v = ckpt.vision;
    const S = v.imageSize;
    const pixels = randomPixels(1, S, 13);
    const L = v.layers;
    const tokenLayers = [L - 1, 0];
    const session = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true, tokenLayers, debugResidual: true }), ckpt);
    const out = await session.run({ pixel_values: tensor('B C S S', pixels, [1, 3, S, S]) });
    await session.release();
    const ref = referenceImageForward(raw, pixels);
    const { tokens: T } = ref.tower;
    const D = v.embedDim, H = v.heads;
    const cellsOf = (l: number) => ref.terms.cells!.data.subarray(l * T * H * D, (l + 1) * T * H * D);
    const pairs: [string, ArrayLike<number>][] = [
      ['embedding', ref.uHat.data], ['embed_term', ref.terms.embedding.data], ['mlp', ref.terms.mlp.data],
      ['heads', ref.terms.heads.data], ['class_class', ref.terms.classToClass.data], ['attention', ref.alpha.data],
      ['ln_mean', [ref.muStar]], ['ln_std', [ref.sigmaStar]], ['norm', [ref.norm]], ['cells', ref.headSpaceCells.data],
      ['tokens', tokenLayers.flatMap((l) => Array.from(cellsOf(l)))],
      ['resid', ref.r.data], ['embed_resid', ref.e.data], ['attn_out', ref.A.data], ['mlp_out', ref.F.data],
    ];
    expect(pairs.map(([n]) => n).sort()).toEqual(Object.keys(out).sort());
    const errors = Object.fromEntries(pairs.map(([name, expected]) => [name, relErr(out[name].data, expected)]));
    for (const [name, err] of Object.entries(errors)) expect(err, name).toBeLessThanOrEqual(1e-4);
  });

  it.runIf(spec.text)('text_embedding is within 1e-4 of the reference', async () => {
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const raw = readRawCheckpoint(new Map(files));
    const t = ckpt.text!;
    const body = [3, 7, 11, 5].map((x) => x % (t.vocabSize - 2) + 1);
    const ids = [t.bosTokenId, ...body, t.eosTokenId];
    const padded = [...ids, ...Array(t.contextLength - ids.length).fill(t.padTokenId)];
    const session = await createOrtNodeSession(buildTextGraph(ckpt), ckpt);
    const out = await session.run({ input_ids: int64Input(ids, [1, ids.length]), eot_row: int64Input([ids.length - 1], [1]) });
    await session.release();
    expect(relErr(out.text_embedding.data, referenceTextForward(raw, padded).data)).toBeLessThanOrEqual(1e-4);
  });
});
