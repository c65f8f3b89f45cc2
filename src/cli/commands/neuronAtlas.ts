import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NeuronTopImages, type NeuronTopImagesState } from '../../analysis/neuronSummary.ts';
import { SparseTextDictionary, sparseTextDecomposition, sparseTextDefaults } from '../../analysis/sparseText.ts';
import { listImageFiles } from '../../cache/walk.node.ts';
import { tensor } from '../../math/tensor.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { wordVocabulary } from '../../model/tokenizer/wordVocabulary.ts';
import { defineCommand, MODEL_OPTION, parsePositiveInt, parseThreads, TEXT_CACHE_OPTION, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError } from '../errors.ts';
import { openModel, openTokenizer } from '../model.ts';
import { parseNeuronLayer } from '../neuronLayer.ts';
import { writeJsonFile, writeNpyFile } from '../output.ts';
import { readTextPool } from '../poolFile.ts';
import { createProgress } from '../progress.ts';
import { embedTextsWithProgress } from '../textEmbedding.ts';

/** what OUTDIR/state.json holds between runs (the top-image vectors are in state.bin) */
interface AtlasState {
  fingerprint: string;
  layer: number;
  folder: string;
  /** the sorted image list the positions refer to */
  images: string[];
  /** next position to process */
  next: number;
  skipped: { image: string; reason: string }[];
  /** the per-neuron top images (positions into `images`) and norm sums */
  accumulator: NeuronTopImagesState;
}

/** the state is written at least this often while images are processed */
const SAVE_EVERY_IMAGES = 16;
const SAVE_EVERY_MS = 30_000;

function saveState(outDir: string, state: AtlasState, vectors: Float32Array): void {
  // binaries first, then the JSON that refers to them; each by rename, so a crash leaves the old pair
  writeFileSync(join(outDir, 'state.bin.tmp'), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  renameSync(join(outDir, 'state.bin.tmp'), join(outDir, 'state.bin'));
  writeFileSync(join(outDir, 'state.json.tmp'), JSON.stringify(state));
  renameSync(join(outDir, 'state.json.tmp'), join(outDir, 'state.json'));
}

function loadState(outDir: string): { state: AtlasState; acc: NeuronTopImages } | undefined {
  const path = join(outDir, 'state.json');
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, 'utf8')) as AtlasState;
  const bytes = readFileSync(join(outDir, 'state.bin'));
  const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { state, acc: NeuronTopImages.restore(state.accumulator, vectors) };
}

async function vocabulary(spec: string, ckptDir: string, ckpt: Awaited<ReturnType<typeof openModel>>): Promise<{ name: string; texts: string[] }> {
  if (spec === 'model') return { name: 'model', texts: wordVocabulary(await openTokenizer(ckpt, ckptDir)) };
  const pool = readTextPool(spec);
  return { name: pool.name, texts: [...pool.texts] };
}

export const neuronAtlasCommand = defineCommand({
  summary: 'per-neuron summaries of one MLP layer over a folder (METHOD §9): top images, direction, words (neurons.json, directions.npy)',
  description: [
    'For every neuron of --layer: the mean norm of its second-order effect over the images, its top',
    'images by that norm, its direction d_n (top singular vector of the top images\' effects) and the',
    'few words of --vocab that make up d_n (METHOD §10). Memory stays M·k·D floats; the state in OUTDIR',
    'lets the same command resume after an interruption (docs/FORMATS.md).',
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    images: { type: 'string', value: 'DIR', description: 'folder of images (recursively, path-sorted)', required: true },
    layer: { type: 'string', value: 'L', description: 'the MLP layer (0-based, not the last)', required: true },
    out: { type: 'string', value: 'OUTDIR', description: 'output folder (neurons.json, directions.npy, the resumable state)', required: true },
    'top-images': { type: 'string', value: 'K', description: 'top images kept per neuron', default: '100' },
    vocab: { type: 'string', value: 'model|FILE', description: "words for the directions: the tokenizer's whole words, or a pool file", default: 'model' },
    texts: { type: 'string', value: 'N', description: 'at most this many words per neuron', default: String(sparseTextDefaults.maxTexts) },
    'text-cache': { ...TEXT_CACHE_OPTION, default: 'OUTDIR/text-embeddings' },
    limit: { type: 'string', value: 'N', description: 'stop after N more images (run again to go on)', default: 'all' },
    threads: threadsOption('onnxruntime threads'),
  },
  examples: ['clipscope neuron-atlas --model ./clip-vit-base-patch16 --images ./photos --layer 9 --out ./atlas9 --top-images 100'],
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: modelArg, images: folder, out: outDir } = args;
    const k = parsePositiveInt(args['top-images'], 'top-images', 100);
    const maxTexts = parsePositiveInt(args.texts, 'texts', sparseTextDefaults.maxTexts);
    const threads = parseThreads(args.threads);
    const limit = args.limit === undefined ? Infinity : parsePositiveInt(args.limit, 'limit', 1);
    if (!existsSync(folder)) throw new CliError(`images folder not found: ${folder}`);
    const ckpt = await openModel(modelArg);
    const layer = parseNeuronLayer(args.layer, ckpt.vision.layers);
    const images = listImageFiles(folder);
    if (images.length === 0) throw new CliError(`no images in ${folder}`);
    await mkdir(outDir, { recursive: true });

    const M = ckpt.vision.mlpWidth;
    const D = ckpt.vision.embedDim;
    let resumed = loadState(outDir);
    if (resumed) {
      const { state } = resumed;
      const why =
        state.fingerprint !== ckpt.fingerprint ? 'another model' :
        state.layer !== layer ? `layer ${state.layer}` :
        state.accumulator.k !== k ? `--top-images ${state.accumulator.k}` :
        state.images.slice(0, state.next).some((name, i) => images[i] !== name) ? 'another image list' : undefined;
      if (why) throw new CliError(`${outDir} holds a neuron atlas in progress for ${why}: use another --out or delete ${join(outDir, 'state.json')}`);
      process.stderr.write(`resuming ${outDir}: ${state.next}/${images.length} images done\n`);
    }
    const acc = resumed?.acc ?? new NeuronTopImages(M, D, k);
    const state: AtlasState = resumed?.state ?? { fingerprint: ckpt.fingerprint, layer, folder, images, next: 0, skipped: [], accumulator: acc.saveState().state };
    state.images = images;
    resumed = undefined;

    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads, executionProvider });
    try {
      const todo = Math.min(images.length - state.next, limit);
      const progress = createProgress({ total: todo, label: `neuron-atlas L${layer}`, unit: 'image' });
      let sinceSave = 0;
      let lastSave = performance.now();
      const save = () => {
        const { state: accState, vectors } = acc.saveState();
        saveState(outDir, { ...state, accumulator: accState }, vectors);
        sinceSave = 0;
        lastSave = performance.now();
      };
      for (let done = 0; done < todo; done++) {
        const position = state.next;
        const name = images[position];
        try {
          const pixels = preprocessPixels(await decodeImageFile(join(folder, name)), ckpt.preprocess);
          const parts = await engine.decompose(pixels, { neuronLayer: layer });
          acc.add(position, parts.neuron_effects.data);
        } catch (err) {
          const reason = ((err as Error).message ?? String(err)).replace(/\s*\n\s*/g, ' ');
          state.skipped.push({ image: name, reason });
          process.stderr.write(`skipped ${name}: ${reason}\n`);
        }
        state.next = position + 1;
        progress.tick(1);
        if (++sinceSave >= SAVE_EVERY_IMAGES || performance.now() - lastSave > SAVE_EVERY_MS) save();
      }
      progress.finish();
      save();
      if (state.next < images.length) {
        process.stderr.write(`stopped after --limit ${limit}: ${state.next}/${images.length} images; run the same command again to go on\n`);
        return;
      }
      if (acc.imagesSeen === 0) throw new CliError(`none of the ${images.length} images in ${folder} could be read`);

      const vocab = await vocabulary(args.vocab ?? 'model', modelArg, ckpt);
      // the vocabulary is normalised once for all M directions, not once per neuron
      let vocabEmbeddings: SparseTextDictionary | undefined;
      if (vocab.texts.length > 0) {
        const store = new NodeTextCache(args['text-cache'] ?? join(outDir, 'text-embeddings'));
        const embedded = await embedTextsWithProgress(engine, vocab.texts, store, `embed ${vocab.name} vocabulary`);
        vocabEmbeddings = new SparseTextDictionary(tensor('M D', embedded.data, embedded.dims));
      }
      const directions = new Float32Array(M * D);
      const meanNorms = acc.meanNorms();
      const neurons = [];
      for (let n = 0; n < M; n++) {
        const { direction, share } = acc.direction(n);
        directions.set(direction, n * D);
        const explained = vocabEmbeddings ? sparseTextDecomposition(direction, vocabEmbeddings, { maxTexts }) : undefined;
        neurons.push({
          neuron: n,
          meanNorm: meanNorms[n],
          topImages: acc.topImages(n).map((t) => ({ image: images[t.image], norm: t.norm })),
          directionShare: share,
          texts: explained?.picks.map((p) => ({ index: p.index, text: vocab.texts[p.index], coefficient: p.coefficient })) ?? [],
        });
      }
      await writeNpyFile(join(outDir, 'directions.npy'), directions, [M, D]);
      await writeJsonFile(join(outDir, 'neurons.json'), {
        model: { fingerprint: ckpt.fingerprint, layout: ckpt.layout, architecture: ckpt.vision },
        layer,
        images: { folder, count: acc.imagesSeen, skipped: state.skipped },
        vocab: { name: vocab.name, size: vocab.texts.length, texts: maxTexts },
        topImagesPerNeuron: k,
        neurons,
      });
    } finally {
      await engine.release();
    }
  },
});
