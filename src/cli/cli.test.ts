/**
 * The `clipscope` CLI end to end (spawned as a user would run it) on a generated checkpoint:
 * outputs equal the library's, the files keep the decomposition's invariants, and every bad input
 * ends with a one-line reason and a non-zero exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import { readNpy } from '../model/io/npy.ts';
import { decodeImageFile } from '../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { ClipTokenizer } from '../model/tokenizer/clipTokenizer.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { runCliProcess } from '../testkit/cliProcess.node.ts';
import { galleryPath } from '../testkit/shared.ts';

const run = promisify(execFile);

const cli = (...args: string[]) => runCliProcess(args);

function npy(path: string) {
  return readNpy(new Uint8Array(readFileSync(path)));
}

describe('clipscope CLI on a generated checkpoint', () => {
  let dir: string;
  let model: string;
  const image = galleryPath('chelsea.png');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clipscope-cli-'));
    model = join(dir, 'model');
    const tokenizer = generateBpeVocab(['a photo of a cat', 'a photo of a dog', 'tabby cat on a sofa'], 40);
    generateCheckpointDir(model, TINY_P14_QUICKGELU, { layout: 'hf', seed: 3, tokenizer });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('clipscope tokenize prints the padded ids of ClipTokenizer.tokenize', async () => {
    const r = await cli('tokenize', '--model', model, '--text', 'A photo of a CAT');
    expect(r.code).toBe(0);
    const ids = JSON.parse(r.stdout) as number[];
    const tok = ClipTokenizer.fromHuggingFaceFiles(readFileSync(join(model, 'vocab.json'), 'utf8'), readFileSync(join(model, 'merges.txt'), 'utf8'));
    const ckpt = await loadCheckpoint(nodeModelDir(model));
    expect(ids).toEqual(Array.from(tok.tokenize('A photo of a CAT', ckpt.text!.contextLength).ids));
    expect(ids.length).toBe(ckpt.text!.contextLength);
  });

  it('clipscope preprocess writes [3,S,S] equal to preprocessPixels', async () => {
    const out = join(dir, 'pixels.npy');
    const r = await cli('preprocess', '--model', model, '--image', image, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const ckpt = await loadCheckpoint(nodeModelDir(model));
    const expected = preprocessPixels(await decodeImageFile(image), ckpt.preprocess);
    const got = npy(out);
    expect(got.shape).toEqual([3, 56, 56]);
    expect(Array.from(got.data as Float32Array)).toEqual(Array.from(expected.data));
  });

  it('clipscope decompose writes every part; the parts sum to the embedding and match the engine', async () => {
    const out = join(dir, 'decomp');
    const r = await cli('decompose', '--model', model, '--image', image, '--out', out, '--token-layers', 'all');
    expect(r.code, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    const ckpt = await loadCheckpoint(nodeModelDir(model));
    expect(meta.fingerprint).toBe(ckpt.fingerprint);
    expect(meta.tokenLayers).toEqual([0, 1]);
    const { layers: L, heads: H, embedDim: D, headWidth: E } = ckpt.vision;
    const T = 17;
    const files = Object.fromEntries(['embedding', 'embed_term', 'mlp', 'heads', 'class_class', 'attention', 'cells', 'tokens'].map((n) => [n, npy(join(out, `${n}.npy`))]));
    expect(files.embedding.shape).toEqual([D]);
    expect(files.mlp.shape).toEqual([L, D]);
    expect(files.heads.shape).toEqual([L, H, D]);
    expect(files.class_class.shape).toEqual([L, D]);
    expect(files.attention.shape).toEqual([L, H, T]);
    expect(files.cells.shape).toEqual([L, T, H, E]);
    expect(files.tokens.shape).toEqual([L, T, H, D]);
    const emb = files.embedding.data as Float32Array;
    const sum = Float64Array.from(files.embed_term.data as Float32Array);
    for (const name of ['mlp', 'heads']) {
      const d = files[name].data as Float32Array;
      for (let i = 0; i < d.length; i++) sum[i % D] += d[i];
    }
    for (let i = 0; i < D; i++) expect(Math.abs(sum[i] - emb[i])).toBeLessThan(1e-5);
    // meta.json reports that same closure residual, unflagged
    const residual = Math.max(...Array.from(emb, (e, i) => Math.abs(e - sum[i])));
    expect(meta.closure.maxAbsResidual).toBeCloseTo(residual, 12);
    expect(meta.closure).toMatchObject({ tolerance: 1e-4, flagged: false });
    expect(r.stderr).not.toMatch(/do not sum/);
    // per-cell terms summed over tokens give the head terms
    const tokens = files.tokens.data as Float32Array;
    const heads = files.heads.data as Float32Array;
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        for (let d = 0; d < D; d++) {
          let s = 0;
          for (let t = 0; t < T; t++) s += tokens[((l * T + t) * H + h) * D + d];
          expect(Math.abs(s - heads[(l * H + h) * D + d])).toBeLessThan(1e-5);
        }
      }
    }
    const engine = await createNodeEngine(ckpt);
    const pixels = preprocessPixels(await decodeImageFile(image), ckpt.preprocess);
    const direct = await engine.decompose(tensor('C S S', pixels.data, pixels.dims), { tokenLayers: [0, 1] });
    await engine.release();
    expect(Array.from(emb)).toEqual(Array.from(direct.embedding.data));
  });

  it('clipscope encode-text writes unit rows equal to ClipEngine.encodeText', async () => {
    const out = join(dir, 'text.npy');
    const texts = ['a photo of a cat', 'a tabby cat on a sofa', 'zebra'];
    const r = await cli('encode-text', '--model', model, ...texts.flatMap((t) => ['--text', t]), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const got = npy(out);
    const D = TINY_P14_QUICKGELU.embedDim;
    expect(got.shape).toEqual([3, D]);
    const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(model)));
    const direct = await engine.encodeText(texts);
    await engine.release();
    const data = got.data as Float32Array;
    for (let i = 0; i < data.length; i++) expect(Math.abs(data[i] - direct.data[i])).toBeLessThan(1e-6);
    for (let r = 0; r < 3; r++) {
      let n = 0;
      for (let d = 0; d < D; d++) n += data[r * D + d] ** 2;
      expect(Math.sqrt(n)).toBeCloseTo(1, 5);
    }
  });

  describe('bad input: one line, non-zero exit', () => {
    const oneLine = (r: { stderr: string }) => {
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^clipscope: /);
      return lines[0];
    };
    it('clipscope decompose without --model is a usage error (exit 2)', async () => {
      const r = await cli('decompose', '--image', image, '--out', join(dir, 'x'));
      expect(r.code).toBe(2);
      expect(oneLine(r)).toContain('missing --model');
    });
    it('an unknown command is a usage error', async () => {
      const r = await cli('frobnicate');
      expect(r.code).toBe(2);
      expect(oneLine(r)).toContain("unknown command 'frobnicate'");
    });
    it('a missing model folder is named', async () => {
      const r = await cli('tokenize', '--model', join(dir, 'nope'), '--text', 'x');
      expect(r.code).toBe(1);
      expect(oneLine(r)).toContain('model folder not found');
    });
    it('a pickle-only folder is refused with "use the safetensors file"', async () => {
      const pickle = join(dir, 'pickle');
      rmSync(pickle, { recursive: true, force: true });
      await run('mkdir', ['-p', pickle]);
      writeFileSync(join(pickle, 'pytorch_model.bin'), new Uint8Array([0x80, 0x02, 0x7d]));
      writeFileSync(join(pickle, 'config.json'), '{"model_type": "clip"}');
      const r = await cli('decompose', '--model', pickle, '--image', image, '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(oneLine(r)).toMatch(/pytorch_model\.bin.*safetensors/);
    });
    it('a text file given as the image is "not an image"', async () => {
      const txt = join(dir, 'notes.txt');
      writeFileSync(txt, 'hello, this is not a picture\n');
      const r = await cli('decompose', '--model', model, '--image', txt, '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(oneLine(r)).toContain('not an image');
    });
    it('a truncated checkpoint is reported as truncated', async () => {
      const cut = join(dir, 'cut');
      rmSync(cut, { recursive: true, force: true });
      await run('cp', ['-r', model, cut]);
      const bytes = readFileSync(join(cut, 'model.safetensors'));
      writeFileSync(join(cut, 'model.safetensors'), bytes.subarray(0, Math.floor(bytes.length / 2)));
      const r = await cli('decompose', '--model', cut, '--image', image, '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(oneLine(r)).toMatch(/model\.safetensors.*(truncated|bytes)/i);
    });
    it('bad --token-layers is a usage error naming the layers', async () => {
      const r = await cli('decompose', '--model', model, '--image', image, '--out', join(dir, 'x'), '--token-layers', '7');
      expect(r.code).toBe(2);
      expect(oneLine(r)).toContain('layer 7 does not exist');
    });
  });
});
