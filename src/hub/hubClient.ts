/**
 * The Hugging Face hub's URL layout and the two JSON endpoints a download needs, with a
 * configurable endpoint (the mock hub of the tests, a mirror, or https://huggingface.co):
 *
 *   {endpoint}/{repo}/resolve/{revision}/{file}            file bytes (Range requests)
 *   {endpoint}/api/models/{repo}/tree/{revision}           [{type, path, size, oid, lfs?: {oid, size}}]
 *   {endpoint}/api/models/{repo}/revision/{revision}       {sha: <commit>, ...}
 *
 * and the choice of a repo's files for one of the two checkpoint layouts the loader reads.
 */
import { CheckpointError } from '../model/checkpoint/errors.ts';
import {
  HF_CONFIG,
  HF_PREPROCESSOR_CONFIG,
  HF_WEIGHTS,
  loadCheckpoint,
  OPENCLIP_CONFIG,
  OPENCLIP_WEIGHTS,
  TOKENIZER_FILES,
} from '../model/checkpoint/load.ts';
import type { ModelFiles } from '../model/checkpoint/sources.ts';
import { HubError } from './errors.ts';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** a repo id "owner/name" (or a bare "name", as some old hub repos are) */
const REPO_ID = /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/;
/** a full git commit id */
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

export function checkRepoId(repo: string): string {
  if (!REPO_ID.test(repo) || repo.includes('..')) {
    throw new HubError('not-found', `"${repo}" is not a hub repo id (expected owner/name)`);
  }
  return repo;
}

function trimEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${trimEndpoint(endpoint)}/${checkRepoId(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(file)}`;
}

export function treeUrl(endpoint: string, repo: string, revision: string): string {
  return `${trimEndpoint(endpoint)}/api/models/${checkRepoId(repo)}/tree/${encodeURIComponent(revision)}`;
}

export function revisionUrl(endpoint: string, repo: string, revision: string): string {
  return `${trimEndpoint(endpoint)}/api/models/${checkRepoId(repo)}/revision/${encodeURIComponent(revision)}`;
}

/** One file of a repo as the tree listing describes it. */
export interface HubFile {
  readonly path: string;
  readonly size: number;
  /** sha256 of the content (LFS files: `lfs.oid`) */
  readonly sha256?: string;
  /** git blob id (sha1 of "blob {size}\0" + content) of a file stored in git itself */
  readonly gitOid?: string;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HubClientOptions {
  endpoint?: string;
  fetch?: FetchLike;
  /** sent with every request (e.g. Authorization for gated repos) */
  headers?: Record<string, string>;
}

function isHex(s: unknown, length: number): s is string {
  return typeof s === 'string' && s.length === length && /^[0-9a-f]+$/.test(s);
}

/** Parse one page of the tree listing (top-level files; directories are skipped). */
export function parseTreeListing(json: unknown, where: string): HubFile[] {
  if (!Array.isArray(json)) throw new HubError('bad-listing', `${where}: the tree listing is not a JSON array`);
  const files: HubFile[] = [];
  for (const entry of json as Record<string, unknown>[]) {
    if (entry === null || typeof entry !== 'object') throw new HubError('bad-listing', `${where}: a tree entry is not an object`);
    if (entry.type === 'directory') continue;
    const { path, size, oid, lfs } = entry as { path?: unknown; size?: unknown; oid?: unknown; lfs?: { oid?: unknown; size?: unknown } };
    if (typeof path !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new HubError('bad-listing', `${where}: tree entry ${JSON.stringify(entry).slice(0, 120)} has no path and size`);
    }
    if (lfs && typeof lfs === 'object') {
      if (!isHex(lfs.oid, 64)) throw new HubError('bad-listing', `${where}: ${path}: lfs.oid is not a sha256`, path);
      if (lfs.size !== undefined && lfs.size !== size) {
        throw new HubError('bad-listing', `${where}: ${path}: size ${size} but lfs.size ${String(lfs.size)}`, path);
      }
      files.push({ path, size, sha256: lfs.oid });
    } else {
      files.push({ path, size, ...(isHex(oid, 40) ? { gitOid: oid } : {}) });
    }
  }
  return files;
}

/** the next page of a paginated listing (`Link: <url>; rel="next"`) */
function nextPage(link: string | null): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m?.[1];
}

export class HubClient {
  readonly endpoint: string;
  private readonly fetchImpl: FetchLike;
  private readonly headers: Record<string, string>;

  constructor(options: HubClientOptions = {}) {
    this.endpoint = trimEndpoint(options.endpoint ?? DEFAULT_HUB_ENDPOINT);
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.headers = options.headers ?? {};
  }

  fileUrl(repo: string, revision: string, file: string): string {
    return resolveUrl(this.endpoint, repo, revision, file);
  }

  /** a GET with this client's headers; HTTP errors become HubErrors naming the URL */
  async get(url: string, init: RequestInit = {}, what = url): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(url, { ...init, headers: { ...this.headers, ...((init.headers as Record<string, string>) ?? {}) } });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new HubError('network', `${what}: ${url}: ${(e as Error).message}`);
    }
    if (res.status === 404 || res.status === 401) {
      throw new HubError('not-found', `${what}: ${url} answered ${res.status} (no such repo, revision or file, or a gated repo)`);
    }
    if (!res.ok) throw new HubError('http', `${what}: ${url} answered ${res.status}`);
    return res;
  }

  private async json(url: string, what: string, signal?: AbortSignal): Promise<{ json: unknown; res: Response }> {
    const res = await this.get(url, { signal }, what);
    try {
      return { json: await res.json(), res };
    } catch (e) {
      throw new HubError('bad-listing', `${what}: ${url} did not answer JSON (${(e as Error).message})`);
    }
  }

  /** pin a revision (branch, tag or commit) to its commit id */
  async resolveRevision(repo: string, revision: string, signal?: AbortSignal): Promise<string> {
    const url = revisionUrl(this.endpoint, repo, revision);
    const { json } = await this.json(url, `${repo}@${revision}`, signal);
    const sha = (json as { sha?: unknown } | null)?.sha;
    if (typeof sha !== 'string' || !COMMIT_SHA.test(sha)) {
      throw new HubError('bad-listing', `${repo}@${revision}: ${url} gave no commit sha`);
    }
    return sha;
  }

  /** the top-level files of a repo at a revision (all pages) */
  async listFiles(repo: string, revision: string, signal?: AbortSignal): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let url: string | undefined = treeUrl(this.endpoint, repo, revision);
    for (let page = 0; url && page < 1000; page++) {
      const { json, res } = await this.json(url, `${repo}@${revision}`, signal);
      files.push(...parseTreeListing(json, `${repo}@${revision}`));
      const next = nextPage(res.headers.get('link'));
      url = next ? new URL(next, url).href : undefined;
    }
    return files;
  }
}

// ----------------------------------------------------------------------------- file choice

export type Tower = 'vision' | 'text';

/** The files of a repo that one layout of the loader reads. */
export interface RepoFileChoice {
  readonly layout: 'hf' | 'openclip';
  /** small files fetched whole: configs, a shard index, tokenizer files */
  readonly smallFiles: readonly HubFile[];
  /** the safetensors weights file, or the shard index (shards are named in it) */
  readonly weights: { kind: 'single'; file: HubFile } | { kind: 'sharded'; index: HubFile; shards: ReadonlyMap<string, HubFile> };
}

/** a ModelFiles that knows only names: lets the loader itself say why a repo holds no checkpoint */
function namesOnly(names: readonly string[], label: string): ModelFiles {
  const refuse = (name: string): never => {
    throw new CheckpointError('missing-file', `${label}: ${name} is not downloaded yet`, name);
  };
  return { label, list: async () => [...names].sort(), open: async (n) => refuse(n), readText: async (n) => refuse(n) };
}

/**
 * Pick the files of the layout the loader would read (OpenCLIP preferred where both are present),
 * or refuse with the loader's own error (pickle-only repos, a config without weights, ...).
 */
export async function chooseRepoFiles(files: readonly HubFile[], label: string): Promise<RepoFileChoice> {
  const byName = new Map(files.map((f) => [f.path, f]));
  const has = (n: string) => byName.has(n);
  const weightsOf = (single: string): RepoFileChoice['weights'] | undefined => {
    if (has(single)) return { kind: 'single', file: byName.get(single)! };
    const index = byName.get(`${single}.index.json`);
    if (!index) return undefined;
    const shards = new Map(files.filter((f) => f.path.endsWith('.safetensors') && f.path !== single).map((f) => [f.path, f]));
    return { kind: 'sharded', index, shards };
  };
  const oc = has(OPENCLIP_CONFIG) ? weightsOf(OPENCLIP_WEIGHTS) : undefined;
  const hf = has(HF_CONFIG) ? weightsOf(HF_WEIGHTS) : undefined;
  if (!oc && !hf) {
    // the loader's message for this set of names (it fails before reading any file)
    await loadCheckpoint(namesOnly(files.map((f) => f.path), label));
    throw new CheckpointError('missing-file', `${label}: no CLIP checkpoint found`);
  }
  const layout = oc ? 'openclip' : 'hf';
  const small: HubFile[] = [];
  const add = (n: string) => {
    const f = byName.get(n);
    if (f) small.push(f);
  };
  if (layout === 'openclip') add(OPENCLIP_CONFIG);
  else {
    add(HF_CONFIG);
    add(OPENCLIP_CONFIG); // its preprocess_cfg wins in the loader where present
  }
  add(HF_PREPROCESSOR_CONFIG);
  // fetched for either tower: small, and the loader fingerprints them (a model stored with one
  // tower must have the fingerprint of the full repo)
  if (TOKENIZER_FILES.every(has)) TOKENIZER_FILES.forEach(add);
  const weights = (oc ?? hf)!;
  if (weights.kind === 'sharded') small.push(weights.index);
  return { layout, smallFiles: small, weights };
}
