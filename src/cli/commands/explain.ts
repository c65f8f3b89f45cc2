import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { sparseTextDecomposition, sparseTextDefaults } from '../../analysis/sparseText.ts';
import { tensor } from '../../math/tensor.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { MemoryTextCache } from '../../model/textCache.ts';
import { defineCommand, IMAGE_OPTION, MODEL_OPTION, parsePositiveInt, parseThreads, TEXT_CACHE_OPTION, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError, usageError } from '../errors.ts';
import { openModel, openTokenizer } from '../model.ts';
import { writeJsonFile } from '../output.ts';
import { readTextPool } from '../poolFile.ts';
import { embedTextsWithProgress } from '../textEmbedding.ts';
import { headLabel, neuronLabel, parsePartLabel } from '../../analysis/partNames.ts';
import { requiredOutput } from '../../model/decomposition.ts';

/** What `--part` names: the unit embedding û, one head's term c_{ℓ,h}, or one neuron's φ_n (METHOD §9) for the image. */
export type ExplainPart =
  | { kind: 'embedding' }
  | { kind: 'head'; layer: number; head: number }
  | { kind: 'neuron'; layer: number; neuron: number };

export function parseExplainPart(text: string, layers: number, heads: number, mlpWidth: number): ExplainPart {
  if (text.toLowerCase() === 'embedding') return { kind: 'embedding' };
  const named = parsePartLabel(text);
  if (named?.kind === 'head') {
    if (named.layer >= layers || named.head >= heads) throw usageError(`--part ${text}: the model has layers 0-${layers - 1} and heads 0-${heads - 1}`);
    return named;
  }
  if (named?.kind === 'neuron') {
    if (named.layer >= layers - 1) {
      throw usageError(`--part ${text}: neurons of layers 0-${layers - 2} have second-order effects (the last layer has no later heads to carry them, METHOD §9)`);
    }
    if (named.neuron >= mlpWidth) throw usageError(`--part ${text}: the MLP has neurons 0-${mlpWidth - 1}`);
    return named;
  }
  throw usageError(`--part must be embedding, L<layer>.H<head> or L<layer>.N<neuron> (0-based), got '${text}'`);
}

function partName(part: ExplainPart): string {
  if (part.kind === 'embedding') return 'embedding';
  return part.kind === 'head' ? headLabel(part.layer, part.head) : neuronLabel(part.layer, part.neuron);
}

export const explainCommand = defineCommand({
  summary: 'the few texts of a pool whose embeddings make up an image embedding, a head term or a neuron effect (METHOD §10)',
  description: [
    "Orthogonal matching pursuit (float64) of the target over the pool's unit text embeddings: the",
    'picked texts, their coefficients, the cosine of the fit and why it stopped (docs/FORMATS.md).',
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    image: IMAGE_OPTION,
    pool: { type: 'string', value: 'FILE', description: 'text pool: one description per line, optionally property<TAB>text', required: true },
    out: { type: 'string', value: 'F.json', description: 'output explanation', required: true },
    part: {
      type: 'string',
      value: 'embedding|L.H|L.N',
      description: "the target: the unit image embedding, head H of layer L (L11.H4), or neuron N's second-order effect (L10.N7)",
      default: 'embedding',
    },
    texts: { type: 'string', value: 'N', description: 'at most this many texts', default: String(sparseTextDefaults.maxTexts) },
    nonnegative: { type: 'boolean', description: 'coefficients constrained to be >= 0', default: 'off' },
    center: { type: 'boolean', description: 'subtract the mean text embedding from the target and the texts first', default: 'off' },
    'text-cache': { ...TEXT_CACHE_OPTION, default: 'none (texts are embedded each run)' },
    threads: threadsOption('onnxruntime threads'),
  },
  examples: ['clipscope explain --model ./clip-vit-base-patch32 --image cat.jpg --pool public/data/descriptions.tsv --part L11.H4 --texts 10 --out explain.json'],
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: modelDir, image: imagePath, pool: poolPath, out } = args;
    const maxTexts = parsePositiveInt(args.texts, 'texts', sparseTextDefaults.maxTexts);
    const threads = parseThreads(args.threads);
    if (!existsSync(imagePath)) throw new CliError(`image not found: ${imagePath}`);
    const pool = readTextPool(poolPath);

    const ckpt = await openModel(modelDir);
    if (!ckpt.text) throw new CliError(`${modelDir} holds no text tower: the pool cannot be embedded`);
    const part = parseExplainPart(args.part ?? 'embedding', ckpt.vision.layers, ckpt.vision.heads, ckpt.vision.mlpWidth);
    await openTokenizer(ckpt, modelDir);
    const image = await decodeImageFile(imagePath);
    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads, executionProvider });
    try {
      const neuronLayer = part.kind === 'neuron' ? part.layer : undefined;
      const parts = await engine.decompose(preprocessPixels(image, ckpt.preprocess), { tokenLayers: [], neuronLayer });
      const D = parts.embedding.data.length; // outputs come unbatched: embedding [D], heads [L, H, D], neuron_effects [M, D]
      const rowOf = (data: Float32Array, row: number) => data.subarray(row * D, (row + 1) * D);
      const target =
        part.kind === 'embedding'
          ? parts.embedding.data
          : part.kind === 'head'
            ? rowOf(parts.heads.data as Float32Array, part.layer * ckpt.vision.heads + part.head)
            : rowOf(requiredOutput(parts, 'neuron_effects').data, part.neuron);

      const store = args['text-cache'] === undefined ? new MemoryTextCache() : new NodeTextCache(args['text-cache']);
      const texts = await embedTextsWithProgress(engine, pool.texts, store, `embed ${pool.name}`);
      const settings = { texts: maxTexts, nonnegative: Boolean(args.nonnegative), center: Boolean(args.center) };
      const result = sparseTextDecomposition(target, tensor('M D', texts.data, texts.dims), {
        maxTexts,
        nonnegative: settings.nonnegative,
        center: settings.center,
      });
      await writeJsonFile(out, {
        target: {
          part: partName(part),
          // what the vector is, in METHOD's words
          vector: { embedding: 'unit image embedding û', head: 'head term c_{l,h} (summed over tokens)', neuron: 'second-order effect phi_n of the neuron (METHOD 9)' }[part.kind],
          image: basename(imagePath),
          fingerprint: ckpt.fingerprint,
        },
        pool: { file: basename(poolPath), size: pool.texts.length },
        settings,
        texts: result.picks.map((p) => ({ index: p.index, text: pool.texts[p.index], coefficient: p.coefficient })),
        cosine: result.cosine,
        stop: result.stop,
        relativeResidual: result.relativeResidual,
      });
    } finally {
      await engine.release();
    }
  },
});
