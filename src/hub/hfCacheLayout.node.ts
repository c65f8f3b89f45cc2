/**
 * The on-disk layout of the huggingface_hub cache for one model repo, written so Python tools
 * read what clipscope writes and the other way round:
 *
 *   {cacheDir}/models--{owner}--{name}/
 *     refs/{revision}                 the commit the revision pointed at (text, no newline)
 *     blobs/{etag}                    file contents, named by sha256 (LFS) or git blob sha1
 *     blobs/{etag}.incomplete         a download in progress (resumed from its length)
 *     snapshots/{commit}/{file}       relative symlink ../../blobs/{etag}
 *   {cacheDir}/.locks/models--{owner}--{name}/{etag}.clipscope.lock   while clipscope downloads it
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

/** a full commit id, which huggingface_hub uses as the snapshot folder name */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

export class HfCacheRepo {
  /** models--{owner}--{name} */
  readonly root: string;

  constructor(
    readonly cacheDir: string,
    readonly repo: string,
  ) {
    this.root = join(cacheDir, `models--${repo.split('/').join('--')}`);
  }

  blobPath(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  incompletePath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }

  /** clipscope's download lock (huggingface_hub's own is .locks/{folder}/{etag}.lock) */
  lockPath(etag: string): string {
    return join(this.cacheDir, '.locks', basename(this.root), `${etag}.clipscope.lock`);
  }

  refPath(revision: string): string {
    return join(this.root, 'refs', ...revision.split('/'));
  }

  snapshotDir(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  pointerPath(commit: string, file: string): string {
    return join(this.snapshotDir(commit), ...file.split('/'));
  }

  /** the commit a revision resolves to in the cache: a commit names itself, a branch or tag its ref */
  cachedCommit(revision: string): string | undefined {
    if (COMMIT_HASH.test(revision)) return existsSync(this.snapshotDir(revision)) ? revision : undefined;
    try {
      const commit = readFileSync(this.refPath(revision), 'utf8').trim();
      return COMMIT_HASH.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** huggingface_hub writes a ref only for names that are not the commit itself */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const path = this.refPath(revision);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, commit);
    renameSync(tmp, path);
  }

  /** the snapshot entry resolves to a complete file */
  hasFile(commit: string, file: string): boolean {
    try {
      return statSync(this.pointerPath(commit, file)).isFile();
    } catch {
      return false;
    }
  }

  hasBlob(etag: string): boolean {
    try {
      return statSync(this.blobPath(etag)).isFile();
    } catch {
      return false;
    }
  }

  /** snapshots/{commit}/{file} -> ../../blobs/{etag} (relative, so the cache can move) */
  link(commit: string, file: string, etag: string): string {
    const pointer = this.pointerPath(commit, file);
    mkdirSync(dirname(pointer), { recursive: true });
    try {
      lstatSync(pointer);
      rmSync(pointer); // a broken or stale link
    } catch {
      // nothing there yet
    }
    symlinkSync(relative(dirname(pointer), this.blobPath(etag)), pointer);
    return pointer;
  }
}
