/** Opening an analysis cache for a CLI command, and the model that must have filled it. */
import { join } from 'node:path';
import { openAnalysisCacheDir } from '../cache/reader.node.ts';
import type { AnalysisCache } from '../cache/reader.ts';
import type { ClipCheckpoint } from '../model/checkpoint/types.ts';
import { asCliError, CliError } from './errors.ts';
import { openModel } from './model.ts';

/** where a cache keeps its text embeddings unless --text-cache says otherwise */
export function defaultTextCacheDir(cacheDir: string): string {
  return join(cacheDir, 'text-embeddings');
}

/** opens --model and checks it is the model that filled the cache */
export async function openModelForCache(dir: string, cache: AnalysisCache, cacheDir: string): Promise<ClipCheckpoint> {
  const ckpt = await openModel(dir);
  const expected = cache.meta.model.fingerprint;
  if (ckpt.fingerprint !== expected) {
    throw new CliError(
      `cache ${cacheDir} was made by another model (fingerprint ${expected.slice(0, 12)}…, --model ${dir} is ${ckpt.fingerprint.slice(0, 12)}…)`,
    );
  }
  return ckpt;
}

export async function openCacheForCli(dir: string): Promise<AnalysisCache> {
  try {
    return await openAnalysisCacheDir(dir);
  } catch (err) {
    throw asCliError(err);
  }
}
