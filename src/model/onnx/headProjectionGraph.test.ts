import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { weightName } from '../checkpoint/types.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { buildHeadProjectionGraph } from './headProjectionGraph.ts';
import { buildImageGraph } from './imageGraph.ts';
import { decodeModelProto } from './proto.ts';
import { writeTinyCheckpoint, type TinyCheckpoint } from './testing/tinyCheckpoint.node.ts';

describe.each(['in_out', 'out_in'] as const)('buildHeadProjectionGraph (proj %s)', (projLayout) => {
  let tiny: TinyCheckpoint;
  beforeAll(() => { tiny = writeTinyCheckpoint({ projLayout, seed: 4, vision: { layers: 2 } }); });
  afterAll(() => rmSync(tiny.dir, { recursive: true, force: true }));

  it('head_proj, gamma_proj, beta_proj, bout_proj equal the METHOD 2.6 matrices computed in float64', async () => {
    const s = await createOrtNodeSession(buildHeadProjectionGraph(tiny.ckpt), tiny.ckpt);
    const out = await s.run({});
    await s.release();
    const { layers: L, heads: H, headWidth: E, embedDim: D, width: w } = tiny.ckpt.vision;
    const gamma = tiny.values.get(weightName('vision', 'ln_post.g'))!;
    const beta = tiny.values.get(weightName('vision', 'ln_post.b'))!;
    const proj = tiny.values.get(weightName('vision', 'proj'))!;
    const pi = (k: number, d: number) => (projLayout === 'in_out' ? proj[k * D + d] : proj[d * w + k]);
    expect(out.head_proj.dims).toEqual([L, H, E, D]);
    let worst = 0;
    for (let d = 0; d < D; d++) {
      let g = 0, b = 0;
      for (let k = 0; k < w; k++) { g += gamma[k] * pi(k, d); b += beta[k] * pi(k, d); }
      worst = Math.max(worst, Math.abs(out.gamma_proj.data[d] - g), Math.abs(out.beta_proj.data[d] - b));
    }
    for (let l = 0; l < L; l++) {
      const wo = tiny.values.get(weightName('vision', 'o.w', l))!; // [out, in]
      const bo = tiny.values.get(weightName('vision', 'o.b', l))!;
      for (let d = 0; d < D; d++) {
        let ob = 0;
        for (let k = 0; k < w; k++) ob += gamma[k] * bo[k] * pi(k, d);
        worst = Math.max(worst, Math.abs(out.bout_proj.data[l * D + d] - ob));
        for (let h = 0; h < H; h++) for (let e = 0; e < E; e++) {
          let m = 0; // M_{l,h}[e, d] = Σ_k W_out[k, h·E+e]·γ_k·Π[k, d]
          for (let k = 0; k < w; k++) m += wo[k * w + h * E + e] * gamma[k] * pi(k, d);
          worst = Math.max(worst, Math.abs(out.head_proj.data[((l * H + h) * E + e) * D + d] - m));
        }
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('constant folding of the per-head matrices', () => {
  let tiny: TinyCheckpoint;
  let dir: string;
  beforeAll(() => {
    tiny = writeTinyCheckpoint({ dtype: 'F16', projLayout: 'out_in', seed: 9 });
    dir = mkdtempSync(join(tmpdir(), 'clipscope-opt-'));
  });
  afterAll(() => {
    rmSync(tiny.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('ORT leaves no node whose inputs are all initializers in the optimised decomposed graph', async () => {
    const built = buildImageGraph(tiny.ckpt, { decompose: true, tokenLayers: [0, 1] });
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
    const s = await createOrtNodeSession(built, tiny.ckpt, { optimizedModelFilePath: optimized });
    await s.release();
    const after = decodeModelProto(new Uint8Array(readFileSync(optimized)));
    expect(constOnly(after).map((n) => `${n.opType}(${n.input.join(',')})`)).toEqual([]);
  });
});
