import { buildAtlas, type Atlas } from '../../cache/atlas.ts';
import { readTextPool } from '../poolFile.ts';
import { embedTextsWithProgress } from '../textEmbedding.ts';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { embedTexts } from '../../model/textCache.ts';
import { parseTokenLayers } from '../../model/tokenLayers.ts';
import { defaultTextCacheDir, openCacheForCli, openModelForCache } from '../cacheAccess.ts';
import { CliError, usageError } from '../errors.ts';
import { CACHE_OPTION, defineCommand, MODEL_OPTION, parsePositiveInt, parseThreads, TEXT_CACHE_OPTION, threadsOption } from '../command.ts';
import { openTokenizer } from '../model.ts';
import { writeJsonFile } from '../output.ts';
import { createProgress } from '../progress.ts';
import { buildClassifier } from '../../labels/classifier.ts';
import { readLabelSet, readLabelsCsv } from '../../labels/labelFiles.node.ts';
import { ReconstructionCheck } from '../reconstructionCheck.ts';
import { startTextspanRunner } from '../../cache/textspanWorkers.node.ts';
import { matchLabelsToCache } from '../labelMatch.ts';

export const textspanCommand = defineCommand({
  summary: 'TEXTSPAN per head over a cache: the texts that span each head, and its role (atlas.json)',
  description: [
    'For every head of --layers: the --m pool texts that greedily span its outputs over the cached',
    'images (METHOD 4), and the head\'s role; written as atlas.json (docs/FORMATS.md §2). With',
    '--classes and --labels it also runs the reconstruction check (METHOD 4.5).',
  ].join('\n'),
  options: {
    model: { ...MODEL_OPTION, description: 'the model (folder or hub id) that filled the cache' },
    cache: CACHE_OPTION,
    out: { type: 'string', value: 'atlas.json', description: 'output atlas', required: true },
    pool: { type: 'string', value: 'FILE', description: 'text pool: one description per line, optionally property<TAB>text (docs/FORMATS.md §2)', default: 'public/data/descriptions.tsv' },
    layers: { type: 'string', value: 'SPEC', description: 'layers to analyse: last:K, all or 0,5,11', default: 'last:4' },
    m: { type: 'string', value: 'N', description: 'texts per head', default: '20' },
    rank: { type: 'string', value: 'N', description: "rank of the span of the head's outputs the texts are projected on (METHOD 4.2)", default: '80' },
    'text-cache': { ...TEXT_CACHE_OPTION, default: 'CACHE/text-embeddings' },
    classes: { type: 'string', value: 'FILE', description: 'label set for the reconstruction check (with --labels)', default: 'none (no check)' },
    labels: { type: 'string', value: 'FILE.csv', description: 'image labels for the reconstruction check (with --classes)', default: 'none (no check)' },
    threads: threadsOption('threads running heads (this one and N−1 workers), matrix products on onnxruntime-node in float64'),
  },
  examples: ['clipscope textspan --model ./clip-vit-base-patch32 --cache ./cache --out atlas.json --layers last:4 --m 20'],
  json: true,
  async run(args) {
    const threads = parseThreads(args.threads);
    if (Boolean(args.classes) !== Boolean(args.labels)) throw usageError('the reconstruction check needs both --classes and --labels');
    const { model: modelDir, cache: cacheDir, out } = args;
    const m = parsePositiveInt(args.m, 'm', 20);
    const rank = parsePositiveInt(args.rank, 'rank', 80);
    const pool = readTextPool(args.pool);
    const cache = await openCacheForCli(cacheDir);
    let layers: number[];
    try {
      const L = cache.meta.architecture.layers;
      layers = parseTokenLayers(args.layers ?? `last:${Math.min(4, L)}`, L);
    } catch (err) {
      throw usageError(`--layers: ${(err as Error).message}`);
    }
    if (layers.length === 0) throw usageError('--layers selects no layer');
    if (cache.count < 2) throw new CliError(`TEXTSPAN needs at least 2 cached images; ${cacheDir} holds ${cache.count}`);

    const ckpt = await openModelForCache(modelDir, cache, cacheDir);
    if (!ckpt.text) throw new CliError(`${modelDir} holds no text tower: the pool cannot be embedded`);
    await openTokenizer(ckpt, modelDir);
    const engine = await createNodeEngine(ckpt);
    try {
      const store = new NodeTextCache(args['text-cache'] ?? defaultTextCacheDir(cacheDir));
      const poolEmbeddings = await embedTextsWithProgress(engine, pool.texts, store, `embed ${pool.name}`);
      const heads = layers.length * cache.meta.architecture.heads;
      const progress = createProgress({ total: heads, label: 'textspan', unit: 'head', logIntervalMs: 0 });
      const R = tensor('M D', poolEmbeddings.data, poolEmbeddings.dims);
      let check: ReconstructionCheck | undefined;
      if (args.classes && args.labels) {
        const labelSet = await readLabelSet(args.classes, { warn: (message) => process.stderr.write(`textspan: warning: ${message}\n`) });
        const table = await readLabelsCsv(args.labels, labelSet.classes);
        const match = matchLabelsToCache(table.rows, cache.images, cache.skipped);
        if (match.matched.length === 0) throw new CliError(`none of the labelled files of ${args.labels} is in the cache ${cacheDir}`);
        const labels = new Int32Array(cache.count).fill(-1);
        const groups = new Int32Array(cache.count).fill(-1);
        for (const row of match.matched) {
          labels[row.row] = row.label;
          if (row.group !== undefined) groups[row.row] = row.group;
        }
        const classifier = await buildClassifier(labelSet, (texts) => embedTexts(engine, texts, store));
        check = new ReconstructionCheck(cache, layers, classifier, labels, groups);
        await check.prepare();
      }
      const reconstructions: Promise<void>[] = [];
      // heads are independent: run them on this thread and threads − 1 workers, their
      // matrix products on onnxruntime-node in float64
      const workers = await startTextspanRunner(R, threads);
      let atlas: Atlas;
      try {
        atlas = await buildAtlas(cache, pool, R, {
          runTextspan: workers.run,
          layers,
          m,
          rank,
          onHead: () => progress.tick(),
          ...(check ? { onReconstruction: (l: number, h: number, recon: Tensor<'K D', Float32Array>) => void reconstructions.push(check.addHead(l, h, recon)) } : {}),
        });
      } finally {
        await workers.close();
      }
      progress.finish();
      await Promise.all(reconstructions);
      const distinct = new Set(atlas.heads.flatMap((h) => h.texts.map((t) => t.text))).size;
      const reconstructionCheck = check ? await check.report(distinct) : undefined;
      if (reconstructionCheck) {
        const a = reconstructionCheck.accuracy;
        process.stderr.write(
          `textspan: reconstruction check over ${reconstructionCheck.images} labelled images: top-1 model ${a.model.top1.toFixed(4)}, ` +
            `other layers mean-ablated ${a.otherLayersMeanAblated.top1.toFixed(4)}, TEXTSPAN reconstruction ${a.textspanReconstruction.top1.toFixed(4)} (${distinct} distinct texts)\n`,
        );
      }
      await writeJsonFile(out, reconstructionCheck ? { ...atlas, reconstructionCheck } : atlas);
      process.stderr.write(`textspan: ${atlas.heads.length} heads over ${atlas.images} images, pool ${pool.name} (${pool.texts.length} texts) -> ${out}\n`);
      return {
        out,
        heads: atlas.heads.length,
        images: atlas.images,
        pool: atlas.pool,
        settings: atlas.settings,
        distinctTexts: distinct,
        ...(reconstructionCheck ? { reconstructionCheck } : {}),
      };
    } finally {
      await engine.release();
    }
  },
});
