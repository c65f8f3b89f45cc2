/**
 * The explorer's neuron view (METHOD §9) and "Explain this image" (METHOD §10) on a generated
 * checkpoint and gallery photos, checked against the engine's own outputs for the same pixels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { neuronProbe, neuronTokenScores } from '../analysis/neuronTokens.ts';
import { sparseTextDecomposition } from '../analysis/sparseText.ts';
import { classLogits, zeroShotClassifier } from '../analysis/zeroshot.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { generateCheckpoint, TINY_P32_64PX } from '../model/checkpoint/checkpointGenerator.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { memoryModelFiles } from '../model/checkpoint/sources.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { decodeImage } from '../model/preprocess/decode.ts';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { REPO_ROOT } from '../testkit/shared.ts';
import { ImageExplorer } from './imageExplorer.ts';

const PHOTOS = ['astronaut.png', 'coffee.png', 'horse.png'];
const POOL = ['a photo of a cat', 'a red rocket', 'a cup of coffee', 'a horse in a field', 'blue sky', 'an astronaut', 'grass', 'a dog'];
const LAYER = 1;

describe('ImageExplorer neurons and explanations', () => {
  let engine: ClipEngine;
  let explorer: ImageExplorer;
  const effects = new Map<string, Tensor>();
  const parts = new Map<string, Record<string, Tensor>>();

  beforeAll(async () => {
    await initNodeImageDecoders();
    const tokenizer = generateBpeVocab(POOL, 40);
    engine = await createNodeEngine(await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P32_64PX, { layout: 'hf', seed: 4, tokenizer }))));
    explorer = new ImageExplorer(engine);
    await explorer.setPool(POOL.join('\n'));
    for (const p of PHOTOS) {
      const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'public/gallery', p)));
      await explorer.addImage(p, p, bytes);
      const px = preprocessPixels(await decodeImage(bytes, p), engine.checkpoint.preprocess);
      const out = await engine.decompose(px, { neuronLayer: LAYER });
      parts.set(p, out);
      effects.set(p, out.neuron_effects);
    }
  }, 60_000);

  const D = () => engine.checkpoint.vision.embedDim;
  const M = () => engine.checkpoint.vision.mlpWidth;
  const normOf = (p: string, n: number) => Math.hypot(...effects.get(p)!.data.subarray(n * D(), (n + 1) * D()));

  it('ranks every neuron of the layer by its mean effect norm over the loaded images', async () => {
    const ranking = await explorer.neuronRanking(LAYER);
    expect(ranking.neurons).toHaveLength(M());
    expect(ranking.images).toBe(PHOTOS.length);
    for (const r of ranking.neurons) {
      expect(r.label).toBe(`L${LAYER}.N${r.neuron}`);
      expect(r.meanNorm).toBeCloseTo(PHOTOS.reduce((s, p) => s + normOf(p, r.neuron), 0) / PHOTOS.length, 5);
      expect(r.maxNorm).toBeCloseTo(Math.max(...PHOTOS.map((p) => normOf(p, r.neuron))), 5);
    }
    for (let i = 1; i < ranking.neurons.length; i++) expect(ranking.neurons[i].meanNorm).toBeLessThanOrEqual(ranking.neurons[i - 1].meanNorm);
  });

  it("a neuron's panel: images by ‖φ_n‖, its words are METHOD §10 of its direction over the pool", async () => {
    const top = (await explorer.neuronRanking(LAYER)).neurons[0].neuron;
    const panel = await explorer.neuronPanel(LAYER, top);
    expect(panel.topImages.map((t) => t.id)).toEqual([...PHOTOS].sort((a, b) => normOf(b, top) - normOf(a, top)));
    expect(panel.directionShare).toBeGreaterThan(0);
    expect(panel.directionShare).toBeLessThanOrEqual(1 + 1e-9);
    expect(panel.texts.length).toBeGreaterThan(0);
    for (const t of panel.texts) expect(t.text).toBe(POOL[t.index]);
    expect(panel.cosine).toHaveLength(panel.texts.length);
  });

  it("a neuron's token map with a prompt: its patches plus the class token sum to ⟨φ_n, t̂⟩", async () => {
    const n = 3;
    const map = await explorer.neuronTokenMap('horse.png', LAYER, n, POOL[3]);
    const t = (await engine.encodeText([POOL[3]])).data;
    const phi = effects.get('horse.png')!.data.subarray(n * D(), (n + 1) * D());
    const total = phi.reduce((s, x, d) => s + x * t[d], 0);
    const out = parts.get('horse.png')!;
    const constants = await engine.neuronProjections(LAYER);
    const factors = { post: out.neuron_post as Tensor<'T U'>, tokenWeights: out.neuron_token_weights as Tensor<'K H T'> };
    const classToken = neuronTokenScores(factors, n, neuronProbe({ q: constants.neuron_q as Tensor<'K H U E'>, out: constants.neuron_out as Tensor<'K H E D'> }, n, t)).data[0];
    const patches = map.maps[0].reduce((s, x) => s + x, 0);
    expect(map.grid ** 2).toBe(map.maps[0].length);
    expect(patches + classToken).toBeCloseTo(total, 5);
  });

  it('explains the image embedding and a head term with pool texts (METHOD §10)', async () => {
    const embedding = await explorer.explainImage('coffee.png', 'embedding', 3);
    const emb = parts.get('coffee.png')!.embedding.data;
    const pool = await engine.encodeText(POOL);
    const expected = sparseTextDecomposition(emb, tensor('M D', pool.data, pool.dims), { maxTexts: 3 });
    expect(embedding.texts.map((t) => t.index)).toEqual(expected.picks.map((p) => p.index));
    embedding.texts.forEach((t, i) => expect(t.coefficient).toBeCloseTo(expected.picks[i].coefficient, 4));
    const head = await explorer.explainImage('coffee.png', 'L2.H3', 2);
    expect(head.part).toBe('L2.H3');
    expect(head.texts.length).toBeGreaterThan(0);
    await expect(explorer.explainImage('coffee.png', 'L9.H0')).rejects.toThrow(/part must be 'embedding' or L<layer>\.H<head> within 3 layers and 8 heads/);
  });

  it('switching a neuron off (L1.N3) moves each logit by W_c·(mean φ_n − φ_n(I)); with every later head off it changes nothing more', async () => {
    const classes = ['cat', 'rocket', 'coffee', 'horse'];
    const templates = ['a photo of a {}', 'a {}'];
    await explorer.setLabels({ classes, templates });
    const emb = await engine.encodeText(classes.flatMap((c) => templates.map((t) => t.replace('{}', c))));
    const W = zeroShotClassifier(tensor('C P D', emb.data, [classes.length, templates.length, D()]));
    const n = 3;
    const meanPhi = new Float64Array(D());
    for (const p of PHOTOS) effects.get(p)!.data.subarray(n * D(), (n + 1) * D()).forEach((x, d) => (meanPhi[d] += x / PHOTOS.length));

    await explorer.setAblation('L1.N3');
    const [top] = await explorer.topClasses(['horse.png'], classes.length);
    const phi = effects.get('horse.png')!.data.subarray(n * D(), (n + 1) * D());
    const y = Float64Array.from(parts.get('horse.png')!.embedding.data, (x, d) => x + meanPhi[d] - phi[d]);
    const expected = classLogits(W, y);
    for (const c of top.classes) expect(c.logit).toBeCloseTo(expected[c.index], 5);

    // layer 2 is every head after layer 1 in this 3-layer model: the neuron adds nothing to 'L2'
    await explorer.setAblation('L2');
    const headsOnly = (await explorer.topClasses(['horse.png'], classes.length))[0].classes;
    await explorer.setAblation('L1.N3,L2');
    const both = (await explorer.topClasses(['horse.png'], classes.length))[0].classes;
    expect(both.map((c) => c.index)).toEqual(headsOnly.map((c) => c.index));
    both.forEach((c, i) => expect(c.logit).toBeCloseTo(headsOnly[i].logit, 6));
    await explorer.setAblation('');
  });

  it('the last layer and a neuron outside the layer are bad requests naming why', async () => {
    await expect(explorer.neuronRanking(2)).rejects.toThrow(/layer 2 is the last layer: no later attention heads carry its neurons' effects/);
    await expect(explorer.neuronPanel(LAYER, M())).rejects.toThrow(new RegExp(`neuron ${M()} is outside 0-${M() - 1}`));
  });
});
