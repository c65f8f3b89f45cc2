/**
 * `clipscope ablate`: zero-shot accuracy of a labelled image set before and after mean-ablating a
 * set of components (METHOD §3.2), from the per-image cache written by `clipscope analyze`.
 * Means are taken over the same labelled images that are evaluated. Without --ablate, the
 * reference experiments run: MLPs + embedding term, class→class, both, and the cumulative MSA
 * sweep.
 */
import { REFERENCE_ABLATIONS, msaSweepSpecs, resolveAblation, runMeanAblationAsync, type LabelledComponents } from '../../analysis/ablation.ts';
import { AblationSyntaxError, formatAblation, parseAblation, type AblationSpec } from '../../analysis/ablationSyntax.ts';
import type { HeadGrid, ImageComponents } from '../../analysis/inputs.ts';
import type { AccuracyReport } from '../../analysis/zeroshot.ts';
import { CacheError } from '../../cache/errors.ts';
import { openAnalysisCacheDir } from '../../cache/reader.node.ts';
import type { AnalysisCache } from '../../cache/reader.ts';
import { buildClassifier } from '../../labels/classifier.ts';
import { readLabelSet, readLabelsCsv } from '../../labels/labelFiles.node.ts';
import { LabelFileError } from '../../labels/labelSet.ts';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { embedTexts } from '../../model/textCache.ts';
import { CACHE_OPTION, defineCommand, MODEL_OPTION, parseThreads, TEXT_CACHE_OPTION, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError } from '../errors.ts';
import { openModel, openTokenizer } from '../model.ts';
import { writeJsonFile } from '../output.ts';
import { defaultTextCacheDir } from '../cacheAccess.ts';
import { matchLabelsToCache, type CacheMatch } from '../labelMatch.ts';

type F = Float32Array | Float64Array;

export interface GroupSummary {
  readonly group: string;
  readonly count: number;
  readonly top1: number;
}

/** One accuracy measurement: top-1 / top-5, and per group with the worst group when groups are given. */
export interface AccuracySummary {
  readonly count: number;
  readonly top1: number;
  readonly top5: number;
  readonly groups?: readonly GroupSummary[];
  readonly worstGroup?: GroupSummary;
}

export interface AblationResult {
  /** canonical ablation syntax ('' = nothing ablated) */
  readonly set: string;
  readonly accuracy: AccuracySummary;
}

export interface AblationStudy {
  readonly images: number;
  readonly classes: number;
  /** accuracy of the unablated embeddings */
  readonly before: AccuracySummary;
  /** --ablate given: that set and the accuracy with it ablated */
  readonly ablation?: AblationResult;
  /** no --ablate: METHOD §3.2's experiments */
  readonly experiments?: {
    readonly mlpAndEmbed: AblationResult;
    readonly classClass: AblationResult;
    readonly both: AblationResult;
    /** step ℓ₀ ablates attention layers 0..ℓ₀ (L entries; the unablated step is `before`) */
    readonly msaSweep: readonly AblationResult[];
  };
}

export interface AblationStudyOptions {
  /** an ablation set in the shared syntax; undefined runs the reference experiments */
  readonly ablate?: string;
  /** group names by group id (the ids of LabelledComponents.group) */
  readonly groupNames?: readonly string[];
}

function summarise(r: AccuracyReport, groupNames: readonly string[] | undefined): AccuracySummary {
  if (r.groups.length === 0) return { count: r.count, top1: r.top1, top5: r.top5 };
  const name = (id: number) => groupNames?.[id] ?? String(id);
  const groups = r.groups.map((g) => ({ group: name(g.group), count: g.count, top1: g.top1 }));
  const w = r.worstGroup!;
  return { count: r.count, top1: r.top1, top5: r.top5, groups, worstGroup: { group: name(w.group), count: w.count, top1: w.top1 } };
}

/** Labelled images that can be walked more than once (the study walks them twice). */
export type LabelledDataset = Iterable<LabelledComponents> | AsyncIterable<LabelledComponents>;

/**
 * The study over a re-iterable labelled dataset, streamed: the first walk accumulates the
 * component means (over the same images that are evaluated), the second classifies every image
 * under every ablation set. Memory is O(L·H·D) whatever the number of images.
 * Throws AblationSyntaxError for a bad set, naming the offending item.
 */
export async function ablationStudy(
  dataset: LabelledDataset,
  classifier: Tensor<'C D', F>,
  options: AblationStudyOptions = {},
): Promise<AblationStudy> {
  const custom = options.ablate === undefined ? undefined : parseAblation(options.ablate);
  let specs: AblationSpec[] = [];
  // the reference sets depend on the layer count, known once the first image is read
  const specsFor = (g: HeadGrid): AblationSpec[] => {
    specs = custom
      ? [[], custom]
      : [[], ...[REFERENCE_ABLATIONS.mlp, REFERENCE_ABLATIONS.classClass, REFERENCE_ABLATIONS.both].map(parseAblation), ...msaSweepSpecs(g.layers).slice(1)];
    return specs;
  };
  const reports = await runMeanAblationAsync(dataset, classifier, specsFor);
  const evaluated = reports[0].count;
  const summary = reports.map((r) => summarise(r, options.groupNames));
  const result = (j: number): AblationResult => ({ set: formatAblation(specs[j]), accuracy: summary[j] });
  const base = { images: evaluated, classes: classifier.dims[0], before: summary[0] };
  if (custom) return { ...base, ablation: result(1) };
  return {
    ...base,
    experiments: {
      mlpAndEmbed: result(1),
      classClass: result(2),
      both: result(3),
      msaSweep: specs.slice(4).map((_, l) => result(4 + l)),
    },
  };
}

/** The per-image terms stored in an analysis cache record -> ImageComponents. */
export function componentsFromRecord(
  record: { heads: Float32Array; embed_mlp: Float32Array; class_class: Float32Array; embedding: Float32Array },
  arch: { layers: number; heads: number; embedDim: number },
): ImageComponents {
  const { layers: L, heads: H, embedDim: D } = arch;
  return {
    embedding: tensor('D', record.embedding, [D]),
    embedTerm: tensor('D', record.embed_mlp.subarray(0, D), [D]),
    mlp: tensor('L D', record.embed_mlp.subarray(D), [L, D]),
    heads: tensor('L H D', record.heads, [L, H, D]),
    classClass: tensor('L D', record.class_class, [L, D]),
  };
}

/** The matched images as a re-iterable dataset read from the cache one image at a time. */
function cacheDataset(cache: AnalysisCache, matched: CacheMatch['matched']): AsyncIterable<LabelledComponents> {
  const arch = cache.meta.architecture;
  return {
    async *[Symbol.asyncIterator]() {
      for (const m of matched) {
        const [heads, embedMlp, classClass, embedding] = await Promise.all(
          (['heads', 'embed_mlp', 'class_class', 'embedding'] as const).map((q) => cache.record(q, m.row)),
        );
        const image = componentsFromRecord(
          { heads: heads.data, embed_mlp: embedMlp.data, class_class: classClass.data, embedding: embedding.data },
          arch,
        );
        yield { image, label: m.label, ...(m.group === undefined ? {} : { group: m.group }) };
      }
    },
  };
}

function asCli(err: unknown): unknown {
  if (err instanceof LabelFileError || err instanceof AblationSyntaxError || err instanceof CacheError) return new CliError(err.message);
  return err;
}

export const ablateCommand = defineCommand({
  summary: 'zero-shot accuracy before/after mean-ablating components (METHOD 3.2), from an analysis cache',
  description: [
    'Classifies the labelled cached images with the label set\'s zero-shot classifier, then again with',
    'the components of --ablate replaced by their means over those images. Without --ablate it runs',
    "METHOD 3.2's experiments: MLPs + embedding term, class->class, both, and the cumulative MSA sweep.",
    'Ablation sets: docs/ABLATION_SYNTAX.md.',
  ].join('\n'),
  options: {
    model: { ...MODEL_OPTION, description: 'the model (folder or hub id) that filled the cache; its text tower builds the classifier' },
    provider: PROVIDER_OPTION,
    cache: CACHE_OPTION,
    classes: { type: 'string', value: 'FILE', description: 'label set: JSON {classes, templates} or one class name a line', required: true },
    labels: { type: 'string', value: 'FILE.csv', description: 'file,label[,group] per cached image', required: true },
    ablate: { type: 'string', value: 'SET', description: "components to mean-ablate, e.g. 'L0-7.H*,mlp'", default: "METHOD 3.2's experiments" },
    out: { type: 'string', value: 'FILE.json', description: 'output report', required: true },
    'text-cache': { ...TEXT_CACHE_OPTION, default: 'CACHE/text-embeddings' },
    threads: threadsOption('onnxruntime threads'),
  },
  examples: ["clipscope ablate --model ./clip-vit-base-patch32 --cache ./cache --classes labels.json --labels labels.csv --ablate 'L0-7.H*,mlp' --out ablation.json"],
  json: true,
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: modelDir, cache: cacheDir, classes: classesFile, labels: labelsFile, out: outFile } = args;
    const threads = parseThreads(args.threads);
    const log = (line: string) => process.stderr.write(`ablate: ${line}\n`);

    try {
      const cache = await openAnalysisCacheDir(cacheDir);
      const { layers, heads } = cache.meta.architecture;
      // a bad set fails before any work
      if (args.ablate !== undefined) resolveAblation(args.ablate, { layers, heads });
      const labelSet = await readLabelSet(classesFile, { warn: (message) => log(`warning: ${message}`) });
      const table = await readLabelsCsv(labelsFile, labelSet.classes);
      const match = matchLabelsToCache(table.rows, cache.images, cache.skipped);
      for (const m of match.missing) log(`warning: ${m.file} is not evaluated: ${m.reason}`);
      if (match.matched.length === 0) throw new CliError(`none of the ${table.rows.length} labelled files of ${labelsFile} is in the cache ${cacheDir}`);

      const ckpt = await openModel(modelDir);
      if (ckpt.fingerprint !== cache.meta.model.fingerprint) {
        throw new CliError(`the cache ${cacheDir} was made by another model than ${modelDir} (fingerprints differ)`);
      }
      if (!ckpt.text) throw new CliError(`${modelDir} holds no text tower: the zero-shot classifier needs one`);
      await openTokenizer(ckpt, modelDir);
      const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads, executionProvider });
      let classifier: Tensor<'C D', Float64Array>;
      try {
        const store = new NodeTextCache(args['text-cache'] ?? defaultTextCacheDir(cacheDir));
        log(`classifier: ${labelSet.classes.length} classes x ${labelSet.templates.length} templates`);
        classifier = await buildClassifier(labelSet, (texts) => embedTexts(engine, texts, store));
      } finally {
        await engine.release();
      }
      log(`${match.matched.length} labelled images (${match.unlabelled} cached images unlabelled, ${match.missing.length} labels not in the cache)`);
      const study = await ablationStudy(cacheDataset(cache, match.matched), classifier, {
        ablate: args.ablate,
        groupNames: table.groups,
      });
      const report = {
        model: ckpt.fingerprint,
        cache: cacheDir,
        labels: labelsFile,
        notEvaluated: match.missing,
        unlabelled: match.unlabelled,
        ...study,
      };
      await writeJsonFile(outFile, report);
      const after = study.ablation ? `, after '${study.ablation.set}' ${study.ablation.accuracy.top1.toFixed(4)}` : '';
      log(`top-1 before ${study.before.top1.toFixed(4)}${after} -> ${outFile}`);
      return { out: outFile, ...report };
    } catch (err) {
      throw asCli(err);
    }
  },
});
