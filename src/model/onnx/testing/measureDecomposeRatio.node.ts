/**
 * Measures decomposed / plain forward time of the image graph on a ViT-B/16-shaped random f32
 * checkpoint in onnxruntime-node (2 threads by default), cells for all layers and per-cell terms
 * for the last 4 layers. Usage: node --import tsx src/model/onnx/testing/measureDecomposeRatio.node.ts [runs] [threads]
 */
import { rmSync } from 'node:fs';
import { tensor } from '../../../math/tensor.ts';
import { createOrtNodeSession } from '../../runtime/ortNode.node.ts';
import { buildImageGraph } from '../imageGraph.ts';
import { randomPixels, writeTinyCheckpoint } from './tinyCheckpoint.node.ts';

const runs = Number(process.argv[2] ?? 5);
const threads = Number(process.argv[3] ?? 2);
const t0 = performance.now();
const { ckpt, dir } = writeTinyCheckpoint({
  seed: 1,
  vision: { width: 768, layers: 12, heads: 12, headWidth: 64, mlpWidth: 3072, patchSize: 16, imageSize: 224, embedDim: 512 },
  text: { layers: 1 },
});
console.log(`checkpoint written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
try {
  const S = 224;
  const feed = { pixel_values: tensor('B C S S', randomPixels(1, S, 3), [1, 3, S, S]) };
  const plain = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: false }), ckpt, { intraOpNumThreads: threads });
  const dec = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true, tokenLayers: [8, 9, 10, 11] }), ckpt, { intraOpNumThreads: threads });
  const time = async (s: typeof plain) => { const a = performance.now(); await s.run(feed); return performance.now() - a; };
  await time(plain); await time(dec);
  const tp: number[] = [], td: number[] = [];
  for (let i = 0; i < runs; i++) { tp.push(await time(plain)); td.push(await time(dec)); }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
  console.log(`plain ms: ${tp.map((x) => x.toFixed(0)).join(' ')}  median ${median(tp).toFixed(1)}`);
  console.log(`decomposed ms: ${td.map((x) => x.toFixed(0)).join(' ')}  median ${median(td).toFixed(1)}`);
  console.log(`ratio (median decomposed / median plain): ${(median(td) / median(tp)).toFixed(3)}`);
  await plain.release(); await dec.release();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
