import { existsSync, statSync } from 'node:fs';
import { analyzeImages } from '../../cache/analyze.node.ts';
import { CACHE_DTYPES, type CacheDType } from '../../cache/layout.ts';
import { describeShard, parseShardSpec, ShardSpecError, shardFromEnv, type ShardSpec } from '../../cache/shard.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { parseCommandArgs, parsePositiveInt, required } from '../args.ts';
import { asCliError, CliError, usageError } from '../errors.ts';
import type { Command } from '../command.ts';
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

export const analyzeCommand: Command = {
  summary: 'decompose every image of a folder into a resumable per-model analysis cache',
  usage: '--model DIR|OWNER/NAME[@REV] --images DIR --out CACHE [--dtype f32|f16] [--limit N] [--threads N] [--shard i/n|auto [--shard-count N]]',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      model: { type: 'string' },
      images: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string' },
      limit: { type: 'string' },
      threads: { type: 'string' },
      shard: { type: 'string' },
      'shard-count': { type: 'string' },
    });
    const modelDir = required(args.model, 'model');
    const imagesDir = required(args.images, 'images');
    const cacheDir = required(args.out, 'out');
    let dtype: CacheDType | undefined;
    if (args.dtype !== undefined) {
      if (!CACHE_DTYPES.includes(args.dtype as CacheDType)) throw usageError(`--dtype must be ${CACHE_DTYPES.join(' or ')}, got '${args.dtype}'`);
      dtype = args.dtype as CacheDType;
    }
    const limit = args.limit === undefined ? undefined : parsePositiveInt(args.limit, 'limit', 0);
    const threads = parsePositiveInt(args.threads, 'threads', 2);
    const shard = resolveShard(args.shard, args['shard-count'], process.env);
    if (!existsSync(imagesDir) || !statSync(imagesDir).isDirectory()) throw new CliError(`images folder not found: ${imagesDir}`);

    const ckpt = await openModel(modelDir);
    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads });
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
    } catch (err) {
      throw asCliError(err);
    } finally {
      await engine.release();
    }
  },
};
