import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { tensor } from '../../math/tensor.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { nodeModelDir } from '../checkpoint/nodeSources.node.ts';
import type { ByteSource, ClipCheckpoint } from '../checkpoint/types.ts';
import { buildImageGraph } from '../onnx/imageGraph.ts';
import { TINY_P16_GELU } from '../checkpoint/checkpointGenerator.ts';
import { generateCheckpointDir } from '../checkpoint/checkpointGenerator.node.ts';
import { randomPixels } from '../../testkit/pixels.ts';
import { createOrtNodeSession } from './ortNode.node.ts';

const WEIGHTS = 'open_clip_model.safetensors';

describe('createOrtNodeSession', () => {
  let dir: string;
  let ckpt: ClipCheckpoint;
  /** the weights file on disk: the session hard-links it into its staging dir */
  let filePaths: ReadonlyMap<string, string>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clipscope-ort-test-'));
    generateCheckpointDir(dir, TINY_P16_GELU, { layout: 'openclip', seed: 2 });
    ckpt = await loadCheckpoint(nodeModelDir(dir));
    filePaths = new Map([[WEIGHTS, join(dir, WEIGHTS)]]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const S = () => ckpt.vision.imageSize;
  const feed = () => ({ pixel_values: tensor('B C S S', randomPixels(1, S(), 1), [1, 3, S(), S()]) });

  it('runs a graph and labels outputs with the graph shape letters; removes its staging dir', async () => {
    const tempRoot = mkdtempSync(join(tmpdir(), 'clipscope-test-'));
    const s = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true }), ckpt, { intraOpNumThreads: 1, tempRoot, filePaths });
    expect(readdirSync(tempRoot)).toEqual([]);
    rmSync(tempRoot, { recursive: true });
    const out = await s.run(feed(), ['heads', 'embedding']);
    expect(Object.keys(out).sort()).toEqual(['embedding', 'heads']);
    expect(out.heads.shape).toBe('B L H D');
    expect(out.embedding.dims).toEqual([1, ckpt.vision.embedDim]);
    await s.release();
  });

  it('profiles when asked: endProfiling returns the trace with one model_run per run and the graph\'s nodes', async () => {
    const traceDir = mkdtempSync(join(tmpdir(), 'clipscope-profile-'));
    try {
      const s = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: false }), ckpt, { intraOpNumThreads: 1, filePaths, profileFilePrefix: join(traceDir, 'trace') });
      await s.run(feed());
      await s.run(feed());
      const file = s.endProfiling();
      expect(file.startsWith(join(traceDir, 'trace_'))).toBe(true);
      const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; args?: { op_name?: string } }[];
      expect(events.filter((e) => e.cat === 'Session' && e.name === 'model_run')).toHaveLength(2);
      expect(events.some((e) => e.cat === 'Node' && e.args?.op_name === 'Conv')).toBe(true);
      await s.release();
      const plain = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: false }), ckpt, { intraOpNumThreads: 1, filePaths });
      expect(() => plain.endProfiling()).toThrow(/without profileFilePrefix/);
      await plain.release();
    } finally {
      rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('reads weights from memory when a file has no path on disk, with the same results', async () => {
    const graph = buildImageGraph(ckpt, { decompose: false });
    const src = ckpt.files.get(WEIGHTS)!;
    const pathless: ByteSource = { name: src.name, size: src.size, read: (o, l) => src.read(o, l) };
    // a source that cannot be read: a session built over it proves the file was hard-linked
    const unreadable: ByteSource = { ...pathless, read: () => Promise.reject(new Error(`${WEIGHTS} was read instead of hard-linked`)) };
    const ckptOf = (source: ByteSource): ClipCheckpoint => ({ ...ckpt, files: new Map([[WEIGHTS, source]]) });
    await expect(createOrtNodeSession(graph, ckptOf(unreadable))).rejects.toThrow(/read instead of hard-linked/); // no path: it is read
    const sessions = [
      await createOrtNodeSession(graph, ckptOf(unreadable), { filePaths }), // hard link from filePaths
      await createOrtNodeSession(graph, ckptOf(Object.assign({ ...unreadable }, { path: join(dir, WEIGHTS) }))), // from the source's `path`
      await createOrtNodeSession(graph, ckptOf(pathless)), // bytes from memory
    ];
    const [a, b, c] = await Promise.all(sessions.map(async (s) => Array.from((await s.run(feed())).embedding.data)));
    expect(a.length).toBe(ckpt.vision.embedDim);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    for (const s of sessions) await s.release();
  });

  it('names the missing input and the missing file', async () => {
    const s = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: false }), ckpt);
    await expect(s.run({})).rejects.toThrow(/needs input pixel_values/);
    await s.release();
    const noFiles: ClipCheckpoint = { ...ckpt, files: new Map() };
    await expect(createOrtNodeSession(buildImageGraph(noFiles, { decompose: false }), noFiles)).rejects.toThrow(/open_clip_model\.safetensors/);
  });
});
