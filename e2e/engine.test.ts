/**
 * The worker runs the decomposed image graph and the text graph of generated checkpoints in
 * headless Chromium, on WebGPU (SwiftShader; CPU fallback disabled, so every node provably runs
 * on WebGPU) and on WASM (2 threads, cross-origin isolated); every output, the neuron effects of
 * METHOD §9 included, matches onnxruntime-node within 1e-4 (max|a-b| / max|b|). The opt-in f16
 * compute path runs where the adapter offers `shader-f16` and is checked against the f32 numbers
 * within an argued bound; SwiftShader has no `shader-f16`, so here the test checks the refusal
 * message and skips the run, saying so.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '../src/math/tensor.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { generateBpeVocab } from '../src/model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU, TINY_P16_48PX_F16, type CheckpointSpec } from '../src/model/checkpoint/checkpointGenerator.ts';
import { openHarness, type HarnessSession } from './lib/harness.ts';
import { relErr } from '../src/testkit/compare.ts';

const FIXTURES = fileURLToPath(new URL('./.out/fixtures/engine', import.meta.url));
const TEXTS = ['a photo of a cat', 'a diagram of a horse on a beach', 'red'];
/** the neuron effects of METHOD §9 (outputs neuron_effects, neuron_bias_effect, mlp_second_order) ride along */
const NEURON_LAYER = 0;
const CORPUS = ['a photo of a cat', 'a photo of a dog', 'a diagram of a horse', 'the beach at sunset', 'red green blue'];

interface Case {
  spec: CheckpointSpec;
  layout: 'hf' | 'openclip';
}
const CASES: Case[] = [
  { spec: TINY_P14_QUICKGELU, layout: 'hf' },
  { spec: TINY_P16_48PX_F16, layout: 'openclip' },
];

function pixelsFor(S: number): Float32Array {
  const p = new Float32Array(3 * S * S);
  for (let i = 0; i < p.length; i++) p[i] = Math.sin(i * 0.37) * 1.5;
  return p;
}

interface Expected {
  dir: string;
  files: { name: string; url: string; size: number }[];
  pixels: Float32Array;
  S: number;
  tokenLayers: number[];
  outputs: Record<string, Tensor>;
  text: Tensor;
  headProj: Tensor;
}

async function prepare(c: Case): Promise<Expected> {
  const dir = join(FIXTURES, `${c.spec.name}-${c.layout}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tokenizer = generateBpeVocab(CORPUS, 40);
  const names = generateCheckpointDir(dir, c.spec, { layout: c.layout, seed: 5, tokenizer });
  const ckpt = await loadCheckpoint(nodeModelDir(dir));
  const engine = await createNodeEngine(ckpt);
  const S = ckpt.vision.imageSize;
  const pixels = pixelsFor(S);
  const tokenLayers = [ckpt.vision.layers - 1];
  const outputs = await engine.decompose(tensor('C S S', pixels, [3, S, S]), { tokenLayers, neuronLayer: NEURON_LAYER });
  const text = await engine.encodeText(TEXTS);
  const headProj = (await engine.headProjections()).head_proj;
  await engine.release();
  const base = `/fixtures/${c.spec.name}-${c.layout}`;
  return {
    dir,
    files: names.map((p) => basename(p)).map((n) => ({ name: n, url: `${base}/${n}`, size: statSync(join(dir, n)).size })),
    pixels,
    S,
    tokenLayers,
    outputs,
    text,
    headProj,
  };
}

for (const provider of ['wasm', 'webgpu'] as const) {
  describe(`engine in Chromium on ${provider}`, () => {
    let h: HarnessSession;
    const expected = new Map<Case, Expected>();
    before(async () => {
      for (const c of CASES) expected.set(c, await prepare(c));
      h = await openHarness({ '/fixtures/': FIXTURES });
    });
    after(async () => h?.close());

    for (const c of CASES) {
      it(`runEngine(${c.spec.name}, ${c.layout}) on ${provider} equals onnxruntime-node within 1e-4`, async () => {
        const e = expected.get(c)!;
        await h.page.reload();
        await h.page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready');
        const got = await h.page
          .evaluate((req) => window.harness.runEngine(req), {
            provider,
            files: e.files,
            pixels: Array.from(e.pixels),
            pixelDims: [3, e.S, e.S],
            tokenLayers: e.tokenLayers,
            neuronLayer: NEURON_LAYER,
            texts: TEXTS,
            verbose: process.env.CLIPSCOPE_ORT_VERBOSE === '1',
          })
          .catch((err: Error) => {
            throw new Error(`${err.message}\nconsole:\n${h.consoleLines.slice(process.env.CLIPSCOPE_ORT_VERBOSE === '1' ? -400 : -30).join('\n')}`);
          });
        assert.equal(got.runtime.provider, provider, `provider in use: ${JSON.stringify(got.runtime)}`);
        if (provider === 'wasm') {
          assert.equal(got.runtime.crossOriginIsolated, true);
          assert.equal(got.runtime.threads, 2);
        }
        assert.deepEqual(Object.keys(got.outputs).sort(), Object.keys(e.outputs).sort());
        for (const [name, t] of Object.entries(e.outputs)) {
          assert.deepEqual(got.outputs[name].dims, [...t.dims], `${name} dims`);
          const err = relErr(got.outputs[name].data, t.data);
          assert.ok(err <= 1e-4, `${name}: relative error ${err.toExponential(2)} > 1e-4 on ${provider}`);
        }
        assert.ok(got.text, 'text embeddings');
        assert.deepEqual(got.text.dims, [...e.text.dims]);
        assert.ok(relErr(got.text.data, e.text.data) <= 1e-4, `text_embedding: ${relErr(got.text.data, e.text.data)}`);
        assert.ok(relErr(got.headProj.data, e.headProj.data) <= 1e-4, 'head_proj');
      });
    }
  });
}

describe('f16 compute on WebGPU (opt-in)', () => {
  let h: HarnessSession;
  let e: Expected;
  const c = CASES[0];
  before(async () => {
    e = await prepare(c);
    h = await openHarness({ '/fixtures/': FIXTURES });
  });
  after(async () => h?.close());

  it(`runs ${c.spec.name} within the f16 bound of the f32 numbers where the adapter has shader-f16; elsewhere it is refused, naming the missing feature`, async (t) => {
    await h.page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready');
    const hasF16 = await h.page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(o?: object): Promise<{ features: { has(f: string): boolean } } | null> } }).gpu;
      const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
      return Boolean(adapter?.features.has('shader-f16'));
    });
    const run = h.page.evaluate((req) => window.harness.runEngine(req), {
      provider: 'webgpu' as const,
      precision: 'f16' as const,
      files: e.files,
      pixels: Array.from(e.pixels),
      pixelDims: [3, e.S, e.S],
      tokenLayers: e.tokenLayers,
      texts: TEXTS,
    });
    if (!hasF16) {
      await assert.rejects(run, /f16 compute needs a WebGPU adapter with the 'shader-f16' feature; this adapter \(.+\) does not offer it/);
      t.skip('this WebGPU adapter has no shader-f16 (SwiftShader here): the f16 compute run needs an adapter that offers it');
      return;
    }
    const got = await run;
    assert.equal(got.runtime.precision, 'f16');
    /**
     * The bound, first order in f16's unit roundoff U = 2^-11: K = 6L + 2 weight products on the
     * embedding's path, each with its weight, input and output rounded (3U), and an f16 dot product
     * over n terms adding rounding errors of random sign (~√n·U); n is the widest inner dimension.
     */
    const v = c.spec.vision;
    const K = 6 * v.layers + 2;
    const n = Math.max(v.mlpWidth ?? 4 * v.width, 3 * v.patchSize * v.patchSize);
    const bound = K * (3 + Math.sqrt(n)) * 2 ** -11;
    for (const name of ['embedding', 'heads', 'mlp', 'embed_term']) {
      const err = relErr(got.outputs[name].data, e.outputs[name].data);
      assert.ok(err <= bound, `${name}: f16 on WebGPU vs f32 on onnxruntime-node ${err.toExponential(2)} > ${bound.toExponential(2)}`);
    }
    assert.ok(relErr(got.text!.data, e.text.data) <= 1e-4, 'the text graph stays f32');
  });
});
