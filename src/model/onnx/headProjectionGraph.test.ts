import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_P16_GELU } from '../checkpoint/checkpointGenerator.ts';
import { referenceImageForward } from '../../testkit/reference/imageForward.ts';
import { readRawCheckpoint } from '../../testkit/reference/rawCheckpoint.ts';
import { buildHeadProjectionGraph } from './headProjectionGraph.ts';
import { buildImageGraph } from './imageGraph.ts';
import { decodeModelProto } from './proto.ts';
import { maxAbsDiff } from '../../testkit/compare.ts';


// OpenCLIP stores the projection [w, D] ('in_out'), Hugging Face [D, w] ('out_in')
describe.each(['openclip', 'hf'] as const)('buildHeadProjectionGraph (%s layout)', (layout) => {
  it('head_proj, gamma_proj, beta_proj, bout_proj equal the METHOD 2.6 matrices of the float64 reference', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout, seed: 4 });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const s = await createOrtNodeSession(buildHeadProjectionGraph(ckpt), ckpt);
    const out = await s.run({});
    await s.release();
    const { layers: L, heads: H, headWidth: E, embedDim: D, imageSize: S } = ckpt.vision;
    // the matrices depend on the weights only; any image will do
    const { M, gPi, bPi, oPi } = referenceImageForward(readRawCheckpoint(files), new Float32Array(3 * S * S)).headMatrices;
    expect(out.head_proj.dims).toEqual([L, H, E, D]);
    expect([out.gamma_proj.dims, out.beta_proj.dims, out.bout_proj.dims]).toEqual([[D], [D], [L, D]]);
    const worst = Math.max(
      maxAbsDiff(out.head_proj.data, M.data),
      maxAbsDiff(out.gamma_proj.data, gPi.data),
      maxAbsDiff(out.beta_proj.data, bPi.data),
      maxAbsDiff(out.bout_proj.data, oPi.data),
    );
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('constant folding of the per-head matrices', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'clipscope-opt-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ORT leaves no node whose inputs are all initializers in the optimised decomposed graph', async () => {
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P16_GELU, { layout: 'hf', dtype: 'F16', seed: 9 })));
    const built = buildImageGraph(ckpt, { decompose: true, tokenLayers: [0, 1] });
    const before = decodeModelProto(built.model);
    // nodes computable from initializers alone (nodes are in topological order)
    const constOnly = (m: typeof before) => {
      const known = new Set(m.graph.initializer.map((t) => t.name));
      const nodes = m.graph.node.filter((n) => {
        const constant = n.input.filter(Boolean).every((i) => known.has(i));
        if (constant) n.output.forEach((o) => known.add(o));
        return constant;
      });
      return nodes.filter((n) => n.opType !== 'Identity' || !m.graph.output.some((o) => n.output.includes(o.name)));
    };
    // the unoptimised graph computes G, W_outᵀ·G, the f16 casts, … from initializers
    expect(constOnly(before).map((n) => n.opType)).toEqual(expect.arrayContaining(['MatMul', 'Mul', 'Transpose', 'Cast']));
    const optimized = join(dir, 'optimized.onnx');
    const s = await createOrtNodeSession(built, ckpt, { optimizedModelFilePath: optimized });
    await s.release();
    const after = decodeModelProto(new Uint8Array(readFileSync(optimized)));
    expect(constOnly(after).map((n) => `${n.opType}(${n.input.join(',')})`)).toEqual([]);
  });
});
