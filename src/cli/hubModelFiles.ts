/**
 * `--model owner/name[@revision]`: the model's files in the huggingface_hub cache, as a
 * ModelFiles the checkpoint loader reads. Offline (HF_HUB_OFFLINE) the cached snapshot is used
 * as it is; online the revision is resolved on the hub and each file the loader opens is
 * downloaded into the cache first if missing, so exactly the files the CLI needs are fetched
 * (configs, tokenizer, safetensors weights and shards; never a pickle, which the loader refuses
 * by name from the listing alone).
 */
import { readFile } from 'node:fs/promises';
import { CheckpointError } from '../model/checkpoint/errors.ts';
import { nodeFileSource, nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import type { ModelFiles } from '../model/checkpoint/sources.ts';
import { downloadBlob, type DownloadOptions } from '../hub/hfBlobDownload.node.ts';
import { COMMIT_HASH, HfCacheRepo } from '../hub/hfCacheLayout.node.ts';
import { HubHttp } from '../hub/hfHttp.node.ts';
import type { HfSettings } from '../hub/hfSettings.node.ts';
import { HubError } from '../hub/hubError.ts';
import { formatHubModelId, type HubModelId } from '../hub/hubModelId.ts';
import { createProgress, type Progress } from './progress.ts';

export interface HubModelOptions extends DownloadOptions {
  /** one-line notes on stderr (a fallback to the cache, a resumed download) */
  log?: (line: string) => void;
}

/** the cached snapshot of `id`; HubError 'not-cached' naming the model and the cache when absent */
function cachedSnapshot(id: HubModelId, cache: HfCacheRepo, why: string): ModelFiles {
  const commit = cache.cachedCommit(id.revision);
  if (!commit) {
    throw new HubError(
      'not-cached',
      `${formatHubModelId(id)} is not in the Hugging Face cache ${cache.cacheDir} (${why}; looked for ${cache.root}/${COMMIT_HASH.test(id.revision) ? `snapshots/${id.revision}` : `refs/${id.revision}`})`,
    );
  }
  const dir = cache.snapshotDir(commit);
  return { ...nodeModelDir(dir), label: `${formatHubModelId(id)} (cached in ${dir})` };
}

/** progress on stderr, one line per downloaded file */
function stderrProgress(repo: string): DownloadOptions['onProgress'] {
  let bar: Progress | undefined;
  let base = 0;
  let counted = 0;
  return (p) => {
    if (!bar) {
      base = p.resumedFrom;
      const resumed = p.resumedFrom > 0 ? ` (resuming at byte ${p.resumedFrom})` : '';
      bar = createProgress({ total: p.total - p.resumedFrom, label: `downloading ${repo}/${p.file}${resumed}`, unit: 'B' });
    }
    const done = Math.max(0, p.done - base);
    if (done > counted) bar.tick(done - counted);
    counted = Math.max(counted, done);
    if (p.done === p.total) bar.finish();
  };
}

export async function hubModelFiles(id: HubModelId, settings: HfSettings, options: HubModelOptions = {}): Promise<ModelFiles> {
  const cache = new HfCacheRepo(settings.cacheDir, id.repo);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (settings.offline) return cachedSnapshot(id, cache, 'HF_HUB_OFFLINE is set');
  const http = new HubHttp(settings);
  let commit: string;
  let files: string[];
  try {
    ({ commit, files } = await http.repoRevision(id.repo, id.revision));
  } catch (err) {
    if (!(err instanceof HubError && err.code === 'unreachable') || !cache.cachedCommit(id.revision)) throw err;
    // as huggingface_hub does: no connection, but the cache has it
    log(`${err.message}: using the cached snapshot of ${formatHubModelId(id)}`);
    return cachedSnapshot(id, cache, 'hub unreachable');
  }
  cache.writeRef(id.revision, commit);
  // the loader reads a model folder's top-level files
  const names = files.filter((f) => !f.includes('/')).sort();
  const label = `${formatHubModelId(id)} (${settings.endpoint}, commit ${commit})`;

  const ensure = async (name: string): Promise<string> => {
    if (!names.includes(name)) throw new CheckpointError('missing-file', `${label}: file ${name} is missing`, name);
    if (cache.hasFile(commit, name)) return cache.pointerPath(commit, name);
    const remote = await http.fileMetadata(id.repo, commit, name);
    await downloadBlob(http, cache, remote, {
      ...options,
      onProgress: options.onProgress ?? stderrProgress(id.repo),
      onWait: options.onWait ?? ((file) => log(`${id.repo}/${file}: another process is downloading it into the cache; waiting for it`)),
    });
    return cache.link(commit, name, remote.etag);
  };
  return {
    label,
    list: async () => names,
    open: async (name) => nodeFileSource(await ensure(name), name),
    readText: async (name) => readFile(await ensure(name), 'utf8'),
  };
}
