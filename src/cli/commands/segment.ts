/**
 * `clipscope segment`: zero-shot foreground segmentation of photos against their ground-truth
 * masks (METHOD §5.2), reporting pixel accuracy, mIoU and mAP.
 *
 * Photos come from a folder with a folder of same-named masks, or from the ImageNet-Segmentation
 * benchmark file the paper used (`--imagenet-seg gtsegs_ijcv.mat`, src/cli/imagenetSegMat.ts).
 * Per photo: the decomposed forward pass, the predicted class over the given label set, the
 * class map minus the mean over classes through the cells' scalar path (src/analysis/
 * segmentation.ts), and the mask brought onto the S x S input (src/analysis/maskAlign.ts): by
 * default through the photo's own resize and centre crop ('crop'), or resized straight to S x S
 * as the paper's code does ('paper', to reproduce its numbers).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { binarizeMask, MASK_PROTOCOLS, maskOnInput, type CropGeometry, type MaskProtocol, type MaskRaster } from '../../analysis/maskAlign.ts';
import { SegmentationAccumulator, segmentImage } from '../../analysis/segmentation.ts';
import { classLogits, predictClass } from '../../analysis/zeroshot.ts';
import { buildClassifier } from '../../labels/classifier.ts';
import { readLabelSet } from '../../labels/labelFiles.node.ts';
import { LabelFileError, type LabelSet } from '../../labels/labelSet.ts';
import { visionGrid, type PreprocessConfig } from '../../model/arch.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import type { ClipEngine } from '../../model/engine.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { embedTexts, type TextEmbeddingStore } from '../../model/textCache.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import type { DecodedImage } from '../../model/preprocess/image.ts';
import { convertToRgb } from '../../model/preprocess/modes.ts';
import { centerCropOffset, preprocessPixels, shortSideResizeSize } from '../../model/preprocess/transform.ts';
import { headProjections, imageComponents, spatialTerms } from '../../model/decomposition.ts';
import { CliError, usageError } from '../errors.ts';
import { defineCommand, MODEL_OPTION, parsePositiveInt, parseThreads, required, TEXT_CACHE_OPTION, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { openImagenetSegMat, type BenchmarkSample } from '../imagenetSegMat.ts';
import { openModel, openTokenizer } from '../model.ts';
import { writeJsonFile } from '../output.ts';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.bmp', '.tif', '.tiff']);

export interface ImageMaskPair {
  readonly name: string;
  readonly image: string;
  readonly mask: string;
}

function listFiles(dir: string, flag: string): string[] {
  if (!existsSync(dir)) throw new CliError(`--${flag} folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new CliError(`--${flag} must be a folder, got a file: ${dir}`);
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && statSync(join(dir, f)).isFile())
    .sort();
}

/**
 * Photos (image extensions) of `imagesDir`, each with the mask of the same base name (any
 * extension) in `masksDir`, in file-name order; photos without a mask are listed apart.
 */
export function pairImagesWithMasks(imagesDir: string, masksDir: string): { pairs: ImageMaskPair[]; unmatched: string[] } {
  const masks = new Map<string, string>();
  for (const f of listFiles(masksDir, 'masks')) {
    const stem = basename(f, extname(f));
    const prev = masks.get(stem);
    if (prev !== undefined) throw new CliError(`two masks for '${stem}' in ${masksDir}: ${prev} and ${f}`);
    masks.set(stem, f);
  }
  const pairs: ImageMaskPair[] = [];
  const unmatched: string[] = [];
  for (const f of listFiles(imagesDir, 'images')) {
    if (!IMAGE_EXTENSIONS.has(extname(f).toLowerCase())) continue;
    const mask = masks.get(basename(f, extname(f)));
    if (mask === undefined) unmatched.push(f);
    else pairs.push({ name: f, image: join(imagesDir, f), mask: join(masksDir, mask) });
  }
  return { pairs, unmatched };
}

/** Where the CLIP transform crops a photo of this size. */
export function photoCropGeometry(width: number, height: number, cfg: Pick<PreprocessConfig, 'size' | 'resizeShortSide'>): CropGeometry {
  const resized = shortSideResizeSize(width, height, cfg.resizeShortSide);
  return {
    photoWidth: width,
    photoHeight: height,
    resizedWidth: resized.width,
    resizedHeight: resized.height,
    left: centerCropOffset(resized.width, cfg.size),
    top: centerCropOffset(resized.height, cfg.size),
    size: cfg.size,
  };
}

/** A decoded mask image as grey values, as Pillow's convert('L') (ITU-R 601-2 luma). */
export function maskGrey(img: DecodedImage): MaskRaster {
  const rgb = convertToRgb(img);
  const n = img.width * img.height;
  const grey = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    grey[i] = (rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16;
  }
  return { width: img.width, height: img.height, data: grey };
}

async function labelSetOrFail(path: string | undefined, log: (line: string) => void): Promise<LabelSet> {
  try {
    return await readLabelSet(path, { warn: (message) => log(`warning: ${message}`) });
  } catch (err) {
    if (err instanceof LabelFileError) throw new CliError(err.message);
    throw err;
  }
}

/** W [C, D] of a label set, through a text-embedding store when one is given */
async function classifierFor(engine: ClipEngine, set: LabelSet, store: TextEmbeddingStore | undefined, log: (line: string) => void) {
  log(`classifier: ${set.classes.length} classes x ${set.templates.length} templates`);
  return buildClassifier(set, (texts) => (store ? embedTexts(engine, texts, store) : engine.encodeText(texts)));
}

/** One photo with its ground truth, read when the loop reaches it. */
interface SegmentationSample {
  readonly name: string;
  /** the photo and its 0/1 mask; throws when either cannot be read */
  load(): Promise<BenchmarkSample>;
}

interface SampleSource {
  readonly samples: readonly SegmentationSample[];
  /** files listed but not scored (photos without a mask) */
  readonly unmatched: readonly string[];
  close(): void;
}

/** photo/mask pairs of two folders; masks are grey images cut at 127 */
function folderSource(imagesDir: string, masksDir: string): SampleSource {
  const { pairs, unmatched } = pairImagesWithMasks(imagesDir, masksDir);
  const samples = pairs.map((pair) => ({
    name: pair.name,
    load: async () => ({ photo: await decodeImageFile(pair.image), mask: binarizeMask(maskGrey(await decodeImageFile(pair.mask))) }),
  }));
  return { samples, unmatched, close: () => {} };
}

/** the ImageNet-Segmentation benchmark file; samples are named by their 0-based index */
async function matSource(path: string): Promise<SampleSource> {
  const bench = await openImagenetSegMat(path);
  const samples = Array.from({ length: bench.count }, (_, i) => ({ name: `#${i}`, load: async () => bench.read(i) }));
  return { samples, unmatched: [], close: () => bench.close() };
}

function maskProtocol(value: string | undefined): MaskProtocol {
  if (value === undefined) return 'crop';
  if ((MASK_PROTOCOLS as readonly string[]).includes(value)) return value as MaskProtocol;
  throw usageError(`--mask-protocol must be ${MASK_PROTOCOLS.join(' or ')}, got '${value}'`);
}

export const segmentCommand = defineCommand({
  summary: 'zero-shot foreground segmentation scored against ground-truth masks (pixel acc., mIoU, mAP)',
  description: [
    'Photos come from --images with the mask of the same base name in --masks (white = foreground),',
    'or from the ImageNet-Segmentation benchmark file (--imagenet-seg). The heatmap of the predicted',
    "class (METHOD 5.2) is scored against the mask on the model's S x S input; --out gets the metrics",
    "and each image's predicted class.",
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    images: { type: 'string', value: 'DIR', description: 'folder of photos (with --masks)', default: 'none (give --images and --masks, or --imagenet-seg)' },
    masks: { type: 'string', value: 'DIR', description: 'folder of masks named as the photos (any image format)', default: 'none (with --images)' },
    'imagenet-seg': { type: 'string', value: 'gtsegs_ijcv.mat', description: 'the ImageNet-Segmentation benchmark file the paper used', default: 'none (use --images and --masks)' },
    'mask-protocol': {
      type: 'string',
      value: 'crop|paper',
      description: "crop: the mask through the photo's resize and centre crop; paper: resized straight to S x S as the paper's code does",
      default: 'crop',
    },
    classes: { type: 'string', value: 'FILE', description: 'label set: JSON {classes, templates} or one class name a line', default: 'public/data/labels.json' },
    out: { type: 'string', value: 'metrics.json', description: 'output metrics', required: true },
    limit: { type: 'string', value: 'N', description: 'score only the first N photos', default: 'all' },
    threads: threadsOption('onnxruntime threads'),
    'text-cache': { ...TEXT_CACHE_OPTION, default: 'none (texts are embedded each run)' },
  },
  examples: [
    'clipscope segment --model ./clip-vit-base-patch16 --images ./photos --masks ./masks --out metrics.json',
    'clipscope segment --model ./clip-vit-base-patch16 --imagenet-seg gtsegs_ijcv.mat --mask-protocol paper --out metrics.json',
  ],
  json: true,
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: dir, out: outFile } = args;
    const matFile = args['imagenet-seg'];
    if (matFile !== undefined && (args.images !== undefined || args.masks !== undefined)) {
      throw usageError('give either --imagenet-seg FILE or --images DIR with --masks DIR, not both');
    }
    const imagesDir = matFile === undefined ? required(args.images, 'images') : '';
    const masksDir = matFile === undefined ? required(args.masks, 'masks') : '';
    const protocol = maskProtocol(args['mask-protocol']);
    const threads = parseThreads(args.threads);
    const limit = args.limit === undefined ? Infinity : parsePositiveInt(args.limit, 'limit', 1);

    const log = (line: string) => process.stderr.write(`segment: ${line}\n`);
    const source = matFile === undefined ? folderSource(imagesDir, masksDir) : await matSource(matFile);
    try {
      for (const f of source.unmatched) log(`warning: no mask for ${f}, skipped`);
      const samples = source.samples.slice(0, limit);
      if (samples.length === 0) {
        throw new CliError(matFile === undefined ? `no photo in ${imagesDir} has a mask of the same name in ${masksDir}` : `${matFile} holds no photos`);
      }
      return await segmentSamples({ dir, samples, unmatched: source.unmatched, protocol, classes: args.classes, textCache: args['text-cache'], threads, executionProvider, outFile, log });
    } finally {
      source.close();
    }
  },
});

interface SegmentRun {
  readonly dir: string;
  readonly samples: readonly SegmentationSample[];
  readonly unmatched: readonly string[];
  readonly protocol: MaskProtocol;
  readonly classes?: string;
  readonly textCache?: string;
  readonly threads: number;
  readonly executionProvider: string;
  readonly outFile: string;
  readonly log: (line: string) => void;
}

/** the metrics written to --out without the per-file lists (segment's --json summary) */
export interface SegmentSummary {
  readonly out: string;
  readonly pixelAccuracy: number;
  readonly mIoU: number;
  readonly mAP: number;
  readonly images: number;
  readonly iou: { readonly background: number; readonly foreground: number };
  readonly maskProtocol: MaskProtocol;
  readonly skipped: number;
  readonly model: string;
  readonly classes: number;
  readonly templates: number;
}

async function segmentSamples(run: SegmentRun): Promise<SegmentSummary> {
  const { dir, samples, protocol, log } = run;
  const ckpt = await openModel(dir);
  if (!ckpt.text) throw new CliError(`${dir} holds no text tower: the zero-shot classifier needs one`);
  await openTokenizer(ckpt, dir);
  const labels = await labelSetOrFail(run.classes, log);
  const { grid } = visionGrid(ckpt.vision);
  const S = ckpt.preprocess.size;
  if (grid * ckpt.vision.patchSize !== S) {
    throw new CliError(`input side ${S} is not the grid (${grid}) times the patch size (${ckpt.vision.patchSize})`);
  }

  const engine = await createNodeEngine(ckpt, { intraOpNumThreads: run.threads, executionProvider: run.executionProvider });
  try {
    const store = run.textCache === undefined ? undefined : new NodeTextCache(run.textCache);
    const classifier = await classifierFor(engine, labels, store, log);
    const projections = headProjections(await engine.headProjections());
    const metrics = new SegmentationAccumulator();
    const skipped: { file: string; reason: string }[] = run.unmatched.map((file) => ({ file, reason: 'no mask' }));
    const perImage: { file: string; predictedClass: string; predictedIndex: number }[] = [];
    for (const [k, sample] of samples.entries()) {
      let loaded: BenchmarkSample;
      try {
        loaded = await sample.load();
      } catch (err) {
        const reason = (err as Error).message;
        log(`warning: skipping ${sample.name}: ${reason}`);
        skipped.push({ file: sample.name, reason });
        continue;
      }
      const { photo, mask } = loaded;
      const parts = await engine.decompose(preprocessPixels(photo, ckpt.preprocess));
      const cls = predictClass(classLogits(classifier, imageComponents(parts).embedding.data));
      const { normalised } = segmentImage(spatialTerms(parts), projections, classifier, cls, S);
      const gt = maskOnInput(mask, protocol, photoCropGeometry(photo.width, photo.height, ckpt.preprocess));
      metrics.add(normalised, gt.data);
      perImage.push({ file: sample.name, predictedClass: labels.classes[cls], predictedIndex: cls });
      log(`[${k + 1}/${samples.length}] ${sample.name}: ${labels.classes[cls]}`);
    }
    if (perImage.length === 0) throw new CliError(`none of the ${samples.length} photo/mask pairs could be read`);
    const r = metrics.report();
    const summary = {
      pixelAccuracy: r.pixelAccuracy,
      mIoU: r.mIoU,
      mAP: r.mAP,
      images: r.images,
      iou: { background: r.iou[0], foreground: r.iou[1] },
      maskProtocol: protocol,
      skipped: skipped.length,
      model: ckpt.fingerprint,
      classes: labels.classes.length,
      templates: labels.templates.length,
    };
    await writeJsonFile(run.outFile, { ...summary, skippedFiles: skipped, perImage });
    log(`${r.images} images, ${skipped.length} skipped, masks '${protocol}': pixel accuracy ${r.pixelAccuracy.toFixed(4)}, mIoU ${r.mIoU.toFixed(4)}, mAP ${r.mAP.toFixed(4)} -> ${run.outFile}`);
    return { out: run.outFile, ...summary };
  } finally {
    await engine.release();
  }
}
