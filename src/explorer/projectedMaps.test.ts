/**
 * All-heads prompt maps through each image's projected token matrix P (ClipEngine.projectTokens,
 * computed in the background after addImage) on a generated checkpoint: equal to the scalar path
 * within 1e-5 relative (P is a float32 MatMul), and used for nothing else — head selections,
 * ablations and an image whose P failed still take the scalar path.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { promptPatchMap, textProbe } from '../analysis/heatmap.ts';
import type { SpatialTerms } from '../analysis/inputs.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { memoryModelFiles } from '../model/checkpoint/sources.ts';
import { headProjections, spatialTerms } from '../model/decomposition.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { decodeImage } from '../model/preprocess/decode.ts';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { galleryPath } from '../testkit/shared.ts';
import { ImageExplorer } from './imageExplorer.ts';

const PHOTOS = ['astronaut.png', 'coffee.png', 'horse.png'];
const PROMPTS = ['a photo of a cat', 'a red rocket', 'a cup of coffee', 'a horse in a field'];

describe('ImageExplorer: all-heads maps through P', () => {
  let engine: ClipEngine;
  const bytes = new Map<string, Uint8Array>();
  const spatial = new Map<string, SpatialTerms>();

  beforeAll(async () => {
    await initNodeImageDecoders();
    const tokenizer = generateBpeVocab(PROMPTS, 40);
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', seed: 9, tokenizer })));
    engine = await createNodeEngine(ckpt);
    for (const p of PHOTOS) {
      bytes.set(p, new Uint8Array(readFileSync(galleryPath(p))));
      const px = preprocessPixels(await decodeImage(bytes.get(p)!, p), ckpt.preprocess);
      spatial.set(p, spatialTerms(await engine.decompose(px)));
    }
  });

  /** the scalar path's map of one image for one prompt over the heads in `mask` (all when omitted), in float64 */
  async function scalarMap(image: string, prompt: string, mask?: Uint8Array): Promise<Float64Array> {
    const model = headProjections(await engine.headProjections());
    const t = (await engine.encodeText([prompt])).data;
    return promptPatchMap(spatial.get(image)!, textProbe(model, t), mask).data;
  }

  /** an explorer whose engine's projectTokens is `project` (the real one when omitted), counting its calls */
  async function explorerWith(project?: (real: ClipEngine['projectTokens']) => ClipEngine['projectTokens']) {
    const calls = { n: 0 };
    const wrapped = Object.create(engine) as ClipEngine;
    const real = engine.projectTokens.bind(engine);
    const fn = project ? project(real) : real;
    wrapped.projectTokens = (...args) => {
      calls.n++;
      return fn(...args);
    };
    const explorer = new ImageExplorer(wrapped);
    for (const p of PHOTOS) await explorer.addImage(p, p, bytes.get(p)!);
    return { explorer, calls };
  }

  const expectRelativelyClose = (got: ArrayLike<number>, want: ArrayLike<number>, rel: number) => {
    const scale = Math.max(...Array.from(want, Math.abs));
    expect(scale).toBeGreaterThan(0);
    expect(got.length).toBe(want.length);
    for (let p = 0; p < want.length; p++) expect(Math.abs(got[p] - want[p])).toBeLessThanOrEqual(rel * scale);
  };

  it('equals the scalar path within 1e-5 relative for several prompts and images, contrastive maps included; P is computed once per image', async () => {
    const { explorer, calls } = await explorerWith();
    for (const prompt of PROMPTS) {
      const maps = await explorer.heatmaps({ prompts: [prompt] }, PHOTOS);
      for (const [k, image] of PHOTOS.entries()) expectRelativelyClose(maps[k].maps[0], await scalarMap(image, prompt), 1e-5);
    }
    const contrastive = await explorer.heatmaps({ prompts: PROMPTS.slice(0, 2), contrastive: true }, PHOTOS);
    for (const [k, image] of PHOTOS.entries()) {
      const [a, b] = [await scalarMap(image, PROMPTS[0]), await scalarMap(image, PROMPTS[1])];
      expectRelativelyClose(contrastive[k].maps[0], a.map((v, p) => (v - b[p]) / 2), 1e-5);
    }
    expect(calls.n).toBe(PHOTOS.length);
  });

  it('is used for all-heads requests only: head selections, ablations and an image whose P failed take the scalar path', async () => {
    // a P of zeros: a map through it is the constant terms alone, so the path taken is visible
    const zeros: (real: ClipEngine['projectTokens']) => ClipEngine['projectTokens'] = (real) => async (cells, hp) => {
      const P = await real(cells, hp);
      return tensor('T D', new Float32Array(P.data.length), P.dims) as Tensor<'T D', Float32Array>;
    };
    const { explorer } = await explorerWith(zeros);
    const image = PHOTOS[0];
    const { layers: L, heads: H } = engine.checkpoint.vision;
    const allHeads = (await explorer.heatmaps({ prompts: [PROMPTS[0]] }, [image]))[0].maps[0];
    expect(new Set(allHeads).size).toBe(1);
    // the spec of every head is still all heads: P
    expect(Array.from((await explorer.heatmaps({ prompts: [PROMPTS[0]], heads: 'L*' }, [image]))[0].maps[0])).toEqual(Array.from(allHeads));
    // a selection of heads: the scalar path, exactly
    const layer0 = new Uint8Array(L * H).fill(1, 0, H);
    const selected = (await explorer.heatmaps({ prompts: [PROMPTS[0]], heads: 'L0' }, [image]))[0].maps[0];
    expect(Array.from(selected)).toEqual(Array.from(Float32Array.from(await scalarMap(image, PROMPTS[0], layer0))));
    // an ablated head: the scalar path over the others
    await explorer.setAblation('L1.H0');
    const ablated = (await explorer.heatmaps({ prompts: [PROMPTS[0]] }, [image]))[0].maps[0];
    const others = new Uint8Array(L * H).fill(1);
    others[1 * H + 0] = 0;
    expect(Array.from(ablated)).toEqual(Array.from(Float32Array.from(await scalarMap(image, PROMPTS[0], others))));
    await explorer.setAblation('');

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const failing = await explorerWith(() => () => Promise.reject(new Error('no session')));
    // asked of every image, so every image's P has been tried (each is awaited) before the count is read
    const fallback = (await failing.explorer.heatmaps({ prompts: [PROMPTS[1]] }, PHOTOS))[0].maps[0];
    expect(failing.calls.n).toBe(PHOTOS.length);
    // said, not silent
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/projected token matrix of astronaut\.png failed .*: no session/));
    warn.mockRestore();
    expect(Array.from(fallback)).toEqual(Array.from(Float32Array.from(await scalarMap(image, PROMPTS[1]))));
  });
});
