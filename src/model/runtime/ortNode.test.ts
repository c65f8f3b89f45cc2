import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { tensor } from '../../math/tensor.ts';
import type { ByteSource, ClipCheckpoint } from '../checkpoint/types.ts';
import { buildImageGraph } from '../onnx/imageGraph.ts';
import { randomPixels, writeTinyCheckpoint, type TinyCheckpoint } from '../onnx/testing/tinyCheckpoint.node.ts';
import { createOrtNodeSession } from './ortNode.node.ts';


describe('createOrtNodeSession', () => {
  let tiny: TinyCheckpoint;
  beforeAll(() => { tiny = writeTinyCheckpoint({ seed: 2 }); });
  afterAll(() => rmSync(tiny.dir, { recursive: true, force: true }));
  const S = () => tiny.ckpt.vision.imageSize;
  const feed = () => ({ pixel_values: tensor('B C S S', randomPixels(1, S(), 1), [1, 3, S(), S()]) });

  it('runs a graph and labels outputs with the graph shape letters; removes its staging dir', async () => {
    const tempRoot = mkdtempSync(join(tmpdir(), 'clipscope-test-'));
    const s = await createOrtNodeSession(buildImageGraph(tiny.ckpt, { decompose: true }), tiny.ckpt, { intraOpNumThreads: 1, tempRoot });
    expect(readdirSync(tempRoot)).toEqual([]);
    rmSync(tempRoot, { recursive: true });
    const out = await s.run(feed(), ['heads', 'embedding']);
    expect(Object.keys(out).sort()).toEqual(['embedding', 'heads']);
    expect(out.heads.shape).toBe('B L H D');
    expect(out.embedding.dims).toEqual([1, tiny.ckpt.vision.embedDim]);
    await s.release();
  });

  it('reads weights from memory when a file has no path on disk, with the same results', async () => {
    const graph = buildImageGraph(tiny.ckpt, { decompose: false });
    const [name, src] = [...tiny.ckpt.files][0];
    const pathless: ByteSource = { name: src.name, size: src.size, read: (o, l) => src.read(o, l) };
    const ckpt2: ClipCheckpoint = { ...tiny.ckpt, files: new Map([[name, pathless]]) };
    const a = await createOrtNodeSession(graph, tiny.ckpt);
    const b = await createOrtNodeSession(graph, ckpt2);
    const [ea, eb] = [(await a.run(feed())).embedding, (await b.run(feed())).embedding];
    expect(Array.from(eb.data)).toEqual(Array.from(ea.data));
    await a.release();
    await b.release();
  });

  it('names the missing input and the missing file', async () => {
    const s = await createOrtNodeSession(buildImageGraph(tiny.ckpt, { decompose: false }), tiny.ckpt);
    await expect(s.run({})).rejects.toThrow(/needs input pixel_values/);
    await s.release();
    const noFiles: ClipCheckpoint = { ...tiny.ckpt, files: new Map() };
    await expect(createOrtNodeSession(buildImageGraph(noFiles, { decompose: false }), noFiles)).rejects.toThrow(/tiny\.safetensors/);
  });
});
