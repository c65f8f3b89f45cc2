/** Opening an analysis cache folder on disk (Node). */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFileSource } from '../model/checkpoint/nodeSources.node.ts';
import { CacheError } from './errors.ts';
import { openAnalysisCache, type AnalysisCache } from './reader.ts';

export async function openAnalysisCacheDir(dir: string): Promise<AnalysisCache> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CacheError('not-a-cache', `cache folder not found: ${dir}`, dir);
  try {
    return await openAnalysisCache(async (name) => {
      const path = join(dir, name);
      return existsSync(path) ? nodeFileSource(path, name) : undefined;
    });
  } catch (err) {
    if (err instanceof CacheError && err.code === 'not-a-cache') {
      throw new CacheError('not-a-cache', `${dir} is not an analysis cache: ${err.message}`, dir);
    }
    throw err;
  }
}
