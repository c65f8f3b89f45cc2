/**
 * The Hugging Face hub as the browser download sees it, with a configurable endpoint (the mock
 * hub of the tests, a mirror, or https://huggingface.co):
 *
 *   {endpoint}/{repo}/resolve/{revision}/{file}            file bytes (Range requests); LFS files
 *                                                          redirect (302) to a CDN on another origin
 *   {endpoint}/api/models/{repo}/tree/{revision}           [{type, path, size, oid, lfs?: {oid, size}}]
 *   {endpoint}/api/models/{repo}/revision/{revision}       {sha: <commit>, ...}
 *
 * The two JSON endpoints go through `@huggingface/hub` (`listFiles`, `modelInfo`), the hub's own
 * client; file bytes are fetched here (`getFile`), because a download must see each answer's
 * status and length (206 or a whole 200) to store byte ranges. After a cross-origin redirect the
 * hub's own headers (X-Linked-Size, X-Linked-Etag) are not readable by a script, so sizes and
 * sha256s come from the tree listing. An access token goes to the hub only: it is set on requests
 * to the hub's origin, and the browser drops `Authorization` when it follows a redirect to
 * another origin (the tests' CDN records every header it receives).
 *
 * HTTP errors become HubErrors from the status and `X-Error-Code`, in words a user can act on.
 */
import { downloadFile, listFiles, modelInfo } from '@huggingface/hub';
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
import type { Tower } from '../api/hub.ts';

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
  /** a Hugging Face access token (hf_...), sent as `Authorization: Bearer` to the hub only */
  token?: string;
}

/** what a request is about, for error messages */
export interface HubSubject {
  repo: string;
  revision: string;
  file?: string;
}

function isHex(s: unknown, length: number): s is string {
  return typeof s === 'string' && s.length === length && /^[0-9a-f]+$/.test(s);
}

/** Parse the tree listing (top-level files; directories are skipped). */
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

/** a token as the hub issues them; anything else is refused before a request is made */
export function checkToken(token: string | undefined): string | undefined {
  const t = token?.trim();
  if (!t) return undefined;
  if (!/^hf_[A-Za-z0-9_]+$/.test(t)) {
    throw new HubError('unauthorized', 'a Hugging Face access token starts with "hf_" (create one under Settings > Access Tokens on the hub)');
  }
  return t;
}

const urlOf = (input: RequestInfo | URL) => (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);

export class HubClient {
  readonly endpoint: string;
  private readonly fetchImpl: FetchLike;
  private readonly token: string | undefined;

  constructor(options: HubClientOptions = {}) {
    this.endpoint = trimEndpoint(options.endpoint ?? DEFAULT_HUB_ENDPOINT);
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.token = checkToken(options.token);
  }

  fileUrl(repo: string, revision: string, file: string): string {
    return resolveUrl(this.endpoint, repo, revision, file);
  }

  /** a fetch that rejects with a HubError for network failures and error statuses */
  private fetchFor(subject: HubSubject, signal?: AbortSignal): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = urlOf(input);
      let res: Response;
      try {
        res = await this.fetchImpl(url, { ...init, ...(signal ? { signal } : {}) });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        throw new HubError('network', `${describe(subject)}: ${url}: ${(e as Error).message}`, subject.file);
      }
      if (!res.ok) throw await this.errorOf(res, url, subject);
      return res;
    }) as typeof fetch;
  }

  /** GET a file of a repo (following the hub's redirect); the token goes to the hub's origin only */
  async getFile(subject: HubSubject & { file: string }, init: RequestInit = {}): Promise<Response> {
    const url = this.fileUrl(subject.repo, subject.revision, subject.file);
    const headers = new Headers(init.headers);
    if (this.token && new URL(url).origin === new URL(this.endpoint).origin) headers.set('Authorization', `Bearer ${this.token}`);
    return this.fetchFor(subject)(url, { ...init, headers, redirect: 'follow' });
  }

  /**
   * Exactly the bytes [start, end) of a small part of a file (a header): a 206 must have the
   * requested length (its Content-Range, where readable, must name the range); a 200 (Range
   * ignored) is cut to the range.
   */
  async readRange(subject: HubSubject & { file: string }, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.getFile(subject, { headers: { Range: `bytes=${start}-${end - 1}` }, signal });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 206) return bytes.subarray(start, end);
    const cr = /^bytes\s+(\d+)-(\d+)\//.exec(res.headers.get('content-range') ?? '');
    if (bytes.byteLength !== end - start || (cr && (Number(cr[1]) !== start || Number(cr[2]) !== end - 1))) {
      throw new HubError(
        'range-mismatch',
        `${describe(subject)}: asked for bytes ${start}..${end}, the server sent ${bytes.byteLength} bytes (Content-Range ${res.headers.get('content-range') ?? 'not readable'})`,
        subject.file,
      );
    }
    return bytes;
  }

  /**
   * A whole (small) file through `@huggingface/hub`'s downloadFile, given its size from the
   * listing (its own probe would read the size from headers a CDN may hide). Its Xet path is
   * off: the Xet reconstruction protocol is not mocked, and `/resolve/` serves Xet-backed files
   * as plain bytes through the redirect.
   */
  async readWhole(subject: HubSubject & { file: string }, size: number, signal?: AbortSignal): Promise<Uint8Array> {
    const url = this.fileUrl(subject.repo, subject.revision, subject.file);
    const blob = await downloadFile({
      repo: { type: 'model', name: checkRepoId(subject.repo) },
      path: subject.file,
      revision: subject.revision,
      hubUrl: this.endpoint,
      xet: false,
      downloadInfo: { size, etag: '', url },
      fetch: this.fetchFor(subject, signal),
      ...(this.token ? { accessToken: this.token } : {}),
    });
    if (!blob) throw new HubError('entry-not-found', `${describe(subject)}: file not found on ${this.endpoint}`, subject.file);
    return new Uint8Array(await blob.arrayBuffer());
  }

  /** the error a user can act on, from the status and X-Error-Code */
  private async errorOf(res: Response, url: string, s: HubSubject): Promise<HubError> {
    await res.body?.cancel().catch(() => {});
    const code = res.headers.get('x-error-code');
    const where = describe(s);
    const hubOrigin = new URL(this.endpoint).origin;
    const origin = new URL(res.url || url).origin;
    if (origin !== hubOrigin) {
      // the storage host the hub redirected to: its statuses say nothing about the repo
      return new HubError('http', `${where}: ${origin} (where ${this.endpoint} sent the download) answered ${res.status}`, s.file);
    }
    if (code === 'RevisionNotFound') {
      return new HubError('revision-not-found', `${s.repo}: revision "${s.revision}" not found on ${this.endpoint} (give a branch, tag or commit id)`);
    }
    if (code === 'EntryNotFound') return new HubError('entry-not-found', `${where}: file not found on ${this.endpoint}`, s.file);
    if (res.status === 401 || res.status === 403 || (res.status === 404 && code === 'RepoNotFound')) {
      if (!this.token) {
        return new HubError('unauthorized', `${s.repo}: not found, or gated: log in with a token (${this.endpoint} answered ${res.status}${code ? ` ${code}` : ''})`);
      }
      if (code === 'GatedRepo') {
        return new HubError('unauthorized', `${s.repo} is gated and this token has no access: accept its conditions on ${this.endpoint}/${s.repo} with the token's account`);
      }
      if (res.status === 401) return new HubError('unauthorized', `${s.repo}: ${this.endpoint} refused the token (401): check it, or log in with another`);
      return new HubError('not-found', `${s.repo}: not found on ${this.endpoint}, or this token cannot see it`);
    }
    if (res.status === 404) return new HubError('not-found', `${where}: ${url} answered 404 (no such revision or file)`, s.file);
    return new HubError('http', `${where}: ${url} answered ${res.status}`, s.file);
  }

  /** pin a revision (branch, tag or commit) to its commit id */
  async resolveRevision(repo: string, revision: string, signal?: AbortSignal): Promise<string> {
    const info = await modelInfo({
      name: checkRepoId(repo),
      revision,
      hubUrl: this.endpoint,
      additionalFields: ['sha'],
      fetch: this.fetchFor({ repo, revision }, signal),
      ...(this.token ? { accessToken: this.token } : {}),
    });
    if (typeof info.sha !== 'string' || !COMMIT_SHA.test(info.sha)) {
      throw new HubError('bad-listing', `${repo}@${revision}: ${revisionUrl(this.endpoint, repo, revision)} gave no commit sha`);
    }
    return info.sha;
  }

  /** the top-level files of a repo at a revision (all pages) */
  async listFiles(repo: string, revision: string, signal?: AbortSignal): Promise<HubFile[]> {
    const entries: unknown[] = [];
    for await (const e of listFiles({
      repo: { type: 'model', name: checkRepoId(repo) },
      revision,
      hubUrl: this.endpoint,
      fetch: this.fetchFor({ repo, revision }, signal),
      ...(this.token ? { accessToken: this.token } : {}),
    })) {
      entries.push(e);
    }
    return parseTreeListing(entries, `${repo}@${revision}`);
  }
}

function describe(s: HubSubject): string {
  return `${s.repo}@${s.revision}${s.file ? `: ${s.file}` : ''}`;
}

// ----------------------------------------------------------------------------- file choice

export type { Tower };

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
