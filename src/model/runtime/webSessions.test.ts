/**
 * webSessionFactory keeps a log of where each session's creation went (read the weights, create
 * the session, first run), which the Chromium bench prints. onnxruntime-web is replaced by a
 * stand-in (ortWeb.ts's functions) whose create and run take known minimum times.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import { generateCheckpoint, TINY_P16_GELU } from '../checkpoint/checkpointGenerator.ts';
import { buildImageGraph } from '../onnx/imageGraph.ts';
import { tensor } from '../../math/tensor.ts';

const CREATE_MS = 40;
const RUN_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

vi.mock('./ortWeb.ts', () => ({
  createWebSession: async () => {
    await sleep(CREATE_MS);
    return {};
  },
  runWebSession: async () => {
    await sleep(RUN_MS);
    return { embedding: { data: new Float32Array(16), dims: [1, 16] } };
  },
  releaseWebSession: async () => {},
}));

const { sessionCreationLog, webSessionFactory } = await import('./webSessions.ts');

describe('webSessionFactory creation log', () => {
  it('records per session the weight bytes read, the create time and the first run only', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'hf', seed: 4 });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const graph = buildImageGraph(ckpt, { decompose: false });
    const before = sessionCreationLog().length;
    const session = await webSessionFactory()(graph, ckpt);
    const [created] = sessionCreationLog().slice(before);
    expect(created.graph).toBe('image (1 outputs)');
    expect(created.weightBytes).toBeGreaterThan(0);
    expect(created.createMs).toBeGreaterThanOrEqual(CREATE_MS - 5);
    expect(created.firstRunMs).toBeUndefined();
    const S = ckpt.vision.imageSize;
    const feeds = { pixel_values: tensor('B C S S', new Float32Array(3 * S * S), [1, 3, S, S]) };
    await session.run(feeds);
    const afterFirst = sessionCreationLog()[before].firstRunMs as number;
    expect(afterFirst).toBeGreaterThanOrEqual(RUN_MS - 5);
    await session.run(feeds);
    expect(sessionCreationLog()[before].firstRunMs).toBe(afterFirst); // later runs leave it
  });
});
