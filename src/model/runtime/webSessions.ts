/** Session factory for ClipEngine in the browser: onnxruntime-web with in-memory external data. */
import type { ByteSource, ClipCheckpoint } from '../checkpoint/types.ts';
import type { GraphFeed, GraphSession, SessionFactory } from '../engine.ts';
import { materializeDerivedBlob } from '../onnx/externalData.ts';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { createWebSession, runWebSession, type ExternalFile, type FeedValue } from './ortWeb.ts';

/** Whole-file bytes are read once per file and shared by the image and text sessions. */
export function webSessionFactory(): SessionFactory {
  const fileBytes = new Map<string, Promise<Uint8Array>>();
  const read = (src: ByteSource) => {
    let p = fileBytes.get(src.name);
    if (!p) {
      p = src.read(0, src.size);
      fileBytes.set(src.name, p);
    }
    return p;
  };
  return async (graph, ckpt: ClipCheckpoint): Promise<GraphSession> => {
    const external: ExternalFile[] = [];
    for (const location of graph.externalData.placedLocations) {
      const src = ckpt.files.get(location);
      if (!src) throw new Error(`the ${graph.kind} graph reads weights from ${location}, which the model folder lacks`);
      external.push({ path: location, data: await read(src) });
    }
    for (const blob of graph.externalData.derived) {
      external.push({ path: blob.location, data: await materializeDerivedBlob(blob, ckpt.files) });
    }
    const session = await createWebSession(graph.model, external);
    const shapes = new Map(graph.outputs.map((o) => [o.name, o.shape]));
    return {
      async run(feeds: Record<string, GraphFeed>, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
        const webFeeds: Record<string, FeedValue> = {};
        for (const [name, f] of Object.entries(feeds)) {
          webFeeds[name] = 'dtype' in f && f.dtype === 'int64'
            ? { type: 'int64', data: f.data, dims: f.dims }
            : { type: 'float32', data: (f as Tensor<string, Float32Array>).data, dims: f.dims };
        }
        const out = await runWebSession(session, webFeeds);
        const result: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(out)) {
          if (outputNames && !outputNames.includes(name)) continue;
          result[name] = tensor(shapes.get(name) ?? t.dims.map((_, i) => `X${i}`).join(' '), t.data, t.dims);
        }
        return result;
      },
      release: () => session.release(),
    };
  };
}
