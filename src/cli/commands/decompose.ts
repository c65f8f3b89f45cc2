import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { closureResidual } from '../../analysis/closure.ts';
import { visionGrid } from '../../model/arch.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { imageComponents, outputNamed } from '../../model/decomposition.ts';
import type { ImageOutputName } from '../../model/onnx/graphSpec.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { parseTokenLayers } from '../../model/tokenLayers.ts';
import { defineCommand, IMAGE_OPTION, MODEL_OPTION, parseThreads, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError, usageError } from '../errors.ts';
import { openModel } from '../model.ts';
import { writeJsonFile, writeNpyFile } from '../output.ts';

/** graph output name -> file name (without .npy) */
const FILES: Partial<Record<ImageOutputName, string>> = {
  embedding: 'embedding',
  embed_term: 'embed_term',
  mlp: 'mlp',
  heads: 'heads',
  class_class: 'class_class',
  attention: 'attention',
  cells: 'cells',
  tokens: 'tokens',
};

export const decomposeCommand = defineCommand({
  summary: 'split an image embedding into its exact parts (layers, heads, tokens)',
  description: [
    'Writes one .npy per part (embedding, embed_term, mlp, heads, class_class, attention, cells,',
    "tokens) and meta.json into --out; meta.json lists every file's shape.",
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    image: IMAGE_OPTION,
    out: { type: 'string', value: 'DIR', description: 'output folder', required: true },
    'token-layers': {
      type: 'string',
      value: 'SPEC',
      description: 'layers whose per-token terms are written to tokens.npy: last:K, all, none or 0,5,11',
      default: 'last:4',
    },
    threads: threadsOption('onnxruntime threads'),
  },
  examples: ['clipscope decompose --model ./clip-vit-base-patch32 --image cat.jpg --out ./out --token-layers last:4'],
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: dir, image: imagePath, out: outDir } = args;
    const threads = parseThreads(args.threads);
    if (!existsSync(imagePath)) throw new CliError(`image not found: ${imagePath}`);

    const ckpt = await openModel(dir);
    let tokenLayers: number[];
    try {
      tokenLayers = parseTokenLayers(args['token-layers'] ?? `last:${Math.min(4, ckpt.vision.layers)}`, ckpt.vision.layers);
    } catch (err) {
      throw usageError(`--token-layers: ${(err as Error).message}`);
    }
    const t0 = performance.now();
    const image = await decodeImageFile(imagePath);
    const pixels = preprocessPixels(image, ckpt.preprocess);
    const t1 = performance.now();
    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads, executionProvider });
    try {
      const parts = await engine.decompose(pixels, { tokenLayers });
      const t2 = performance.now();
      for (const [name, file] of Object.entries(FILES)) {
        const t = outputNamed(parts, name);
        if (t) await writeNpyFile(join(outDir, `${file}.npy`), t.data as Float32Array, t.dims);
      }
      const closure = closureResidual(imageComponents(parts));
      if (closure.flagged) {
        process.stderr.write(`warning: the parts do not sum to the embedding: max|û − Σ parts| = ${closure.maxAbs.toExponential(2)} > ${closure.tolerance}\n`);
      }
      const { grid, tokens } = visionGrid(ckpt.vision);
      await writeJsonFile(join(outDir, 'meta.json'), {
        fingerprint: ckpt.fingerprint,
        layout: ckpt.layout,
        architecture: ckpt.vision,
        grid: { side: grid, tokens, patchSize: ckpt.vision.patchSize },
        tokenLayers,
        preprocess: { ...ckpt.preprocess, sourceSize: [image.width, image.height], sourceMode: image.mode },
        scalars: {
          lnMean: parts.ln_mean.data[0],
          lnStd: parts.ln_std.data[0],
          norm: parts.norm.data[0],
        },
        // û (ln_post → projection → normalise) against embed_term + Σ mlp + Σ heads, summed in float64
        closure: { maxAbsResidual: closure.maxAbs, tolerance: closure.tolerance, flagged: closure.flagged },
        executionProvider: 'onnxruntime-node cpu',
        threads,
        timingsMs: { preprocess: t1 - t0, sessionAndRun: t2 - t1 },
        image: imagePath,
        files: Object.fromEntries(Object.entries(FILES).flatMap(([n, f]) => { const t = outputNamed(parts, n); return t ? [[`${f}.npy`, t.dims]] : []; })),
      });
    } finally {
      await engine.release();
    }
  },
});
