import { existsSync, statSync } from 'node:fs';
import { analyzeImages } from '../../cache/analyze.node.ts';
import { CACHE_DTYPES, type CacheDType } from '../../cache/layout.ts';
import { describeShard, parseShardSpec, ShardSpecError, shardFromEnv, type ShardSpec } from '../../cache/shard.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { asCliError, CliError, usageError } from '../errors.ts';
import { defineCommand, MODEL_OPTION, parsePositiveInt, parseThreads, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { openModel } from '../model.ts';
import { createProgress, type Progress } from '../progress.ts';

/** --shard i/n | auto (+ --shard-count for a Kubernetes Indexed Job) -> the shard, or none */
function resolveShard(shard: string | undefined, shardCount: string | undefined, env: Readonly<Record<string, string | undefined>>): ShardSpec | undefined {
  if (shard === undefined) {
    if (shardCount !== undefined) throw usageError('--shard-count goes with --shard auto');
    return undefined;
  }
  try {
    if (shard.trim() === 'auto') return shardFromEnv(env, shardCount === undefined ? undefined : parsePositiveInt(shardCount, 'shard-count', 1));
    if (shardCount !== undefined) throw usageError('--shard-count goes with --shard auto (--shard i/n already gives the count)');
    return parseShardSpec(shard);
  } catch (err) {
    throw err instanceof ShardSpecError ? usageError(err.message) : err;
  }
}

export const analyzeCommand = defineCommand({
  summary: 'decompose every image of a folder into a resumable per-model analysis cache',
  description: [
    'Walks --images recursively and appends each image\'s decomposition to the cache (docs/FORMATS.md §1).',
    'Rerunning on the same folder adds only new images; unreadable files are skipped with a warning.',
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    images: { type: 'string', value: 'DIR', description: 'folder of images (walked recursively)', required: true },
    out: { type: 'string', value: 'CACHE', description: 'cache folder (created, or resumed when it exists)', required: true },
    dtype: { type: 'string', value: 'f32|f16', description: 'storage type of a new cache', default: 'f32' },
    limit: { type: 'string', value: 'N', description: 'consider only the first N images of the walk', default: 'all' },
    threads: threadsOption('onnxruntime threads'),
    shard: {
      type: 'string',
      value: 'i/n|auto',
      description: 'process only the images at positions i (mod n) of the sorted list (auto: from a Kubernetes Indexed Job or Slurm array); join shards with clipscope merge',
      default: 'all images',
    },
    'shard-count': { type: 'string', value: 'N', description: 'with --shard auto on Kubernetes: the number of shards', default: 'CLIPSCOPE_SHARD_COUNT' },
  },
  examples: [
    'clipscope analyze --model ./clip-vit-base-patch32 --images ./photos --out ./cache --dtype f16',
    'clipscope analyze --model ./clip-vit-base-patch32 --images ./photos --out ./shards/0 --shard 0/3',
  ],
  json: true,
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: modelDir, images: imagesDir, out: cacheDir } = args;
    let dtype: CacheDType | undefined;
    if (args.dtype !== undefined) {
      if (!CACHE_DTYPES.includes(args.dtype as CacheDType)) throw usageError(`--dtype must be ${CACHE_DTYPES.join(' or ')}, got '${args.dtype}'`);
      dtype = args.dtype as CacheDType;
    }
    const limit = args.limit === undefined ? undefined : parsePositiveInt(args.limit, 'limit', 0);
    const threads = parseThreads(args.threads);
    const shard = resolveShard(args.shard, args['shard-count'], process.env);
    if (!existsSync(imagesDir) || !statSync(imagesDir).isDirectory()) throw new CliError(`images folder not found: ${imagesDir}`);

    const ckpt = await openModel(modelDir);
    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads, executionProvider });
    let progress: Progress | undefined;
    try {
      const summary = await analyzeImages({
        engine,
        imagesDir,
        cacheDir,
        dtype,
        limit,
        shard,
        onStart: (pending) => {
          progress = createProgress({ total: pending, label: 'analyze', unit: 'img' });
        },
        onImage: () => progress?.tick(),
        onWarning: (message) => {
          const line = `clipscope: warning: ${message}`;
          if (progress) progress.log(line);
          else process.stderr.write(`${line}\n`);
        },
      });
      progress?.finish();
      const parts = [
        `${summary.added} added`,
        `${summary.skipped} skipped`,
        `${summary.alreadyCached} already cached`,
      ];
      if (summary.changed > 0) parts.push(`${summary.changed} changed since cached (kept)`);
      const scopes: string[] = [];
      if (summary.considered < summary.found) scopes.push(`first ${summary.considered} of ${summary.found} images`);
      if (shard) scopes.push(`shard ${describeShard(shard)}: ${summary.assigned} of ${summary.considered} images`);
      const scope = scopes.length > 0 ? ` (${scopes.join('; ')})` : '';
      process.stderr.write(`analyze: ${parts.join(', ')}${scope}; cache holds ${summary.rows} images (${summary.dtype}) in ${cacheDir}\n`);
      return { ...summary, cache: cacheDir };
    } catch (err) {
      throw asCliError(err);
    } finally {
      await engine.release();
    }
  },
});
