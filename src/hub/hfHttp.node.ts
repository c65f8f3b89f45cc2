/**
 * Requests to a Hugging Face hub (HF_ENDPOINT) from Node. Redirects are followed by hand so the
 * token goes only to the hub's own origin: `/resolve/` answers LFS files with a 302 to a CDN or
 * storage bridge on another origin, which must never see it. Hub answers are read the way
 * huggingface_hub reads them: file metadata from the hub's own response (X-Repo-Commit,
 * X-Linked-Etag, X-Linked-Size, ETag), errors from X-Error-Code.
 */
import { HubError } from './hubError.ts';
import type { HfSettings } from './hfSettings.node.ts';

/** what the hub says about one file at one commit */
export interface RemoteFile {
  /** owner/name */
  repo: string;
  path: string;
  /** blob name in the cache: X-Linked-Etag (LFS: the sha256) or ETag (git blob sha1), unquoted */
  etag: string;
  size: number;
  commit: string;
}

export interface RepoRevision {
  commit: string;
  /** every file path in the repo at that commit */
  files: string[];
}

const MAX_REDIRECTS = 10;

/** huggingface_hub's etag normalisation: drop a weak `W/` prefix and the quotes */
export function normalizeEtag(etag: string | null): string | undefined {
  if (!etag) return undefined;
  const e = etag.replace(/^W\//, '').replace(/^"|"$/g, '');
  return e || undefined;
}

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** tries of one request on a network error (a kept-alive connection the server has closed, say) */
const NETWORK_TRIES = 3;

async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (attempt < NETWORK_TRIES) {
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new HubError('unreachable', `cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, true);
    }
  }
}

export class HubHttp {
  private readonly origin: string;

  constructor(readonly settings: HfSettings) {
    this.origin = new URL(settings.endpoint).origin;
  }

  resolveUrl(repo: string, revision: string, file: string): string {
    return `${this.settings.endpoint}/${encodePath(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(file)}`;
  }

  /**
   * fetch with redirects followed by hand; `Authorization` only on the hub's origin.
   * `crossOrigin: 'stop'` returns the first redirect to another origin unfollowed (its headers
   * are the hub's metadata); `'follow'` goes on to the final response.
   */
  async request(url: string, init: { method?: string; headers?: Record<string, string>; crossOrigin: 'stop' | 'follow' }): Promise<Response> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = new URL(current).origin === this.origin;
      const headers: Record<string, string> = { ...init.headers };
      if (sameOrigin && this.settings.token) headers.authorization = `Bearer ${this.settings.token}`;
      const res = await fetchOnce(current, { method: init.method ?? 'GET', headers, redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return res;
      const next = new URL(location, current).href;
      if (init.crossOrigin === 'stop' && new URL(next).origin !== this.origin) return res;
      await res.body?.cancel();
      current = next;
    }
    throw new HubError('http', `${url}: more than ${MAX_REDIRECTS} redirects`);
  }

  /** GET /api/models/{repo}/revision/{revision}: the commit and the file list */
  async repoRevision(repo: string, revision: string): Promise<RepoRevision> {
    const url = `${this.settings.endpoint}/api/models/${encodePath(repo)}/revision/${encodeURIComponent(revision)}`;
    const res = await this.request(url, { crossOrigin: 'follow' });
    if (!res.ok) throw await this.errorOf(res, repo, revision);
    const body = (await res.json()) as { sha?: unknown; siblings?: { rfilename?: unknown }[] };
    if (typeof body.sha !== 'string' || !Array.isArray(body.siblings)) {
      throw new HubError('http', `${url}: the answer has no sha and siblings (is HF_ENDPOINT a Hugging Face hub?)`);
    }
    return { commit: body.sha, files: body.siblings.map((s) => s.rfilename).filter((f): f is string => typeof f === 'string') };
  }

  /** HEAD /{repo}/resolve/{commit}/{file}, read from the hub's own answer (not the CDN's) */
  async fileMetadata(repo: string, commit: string, file: string): Promise<RemoteFile> {
    const url = this.resolveUrl(repo, commit, file);
    // identity: Content-Length must be the file's size, not a compressed one
    const res = await this.request(url, { method: 'HEAD', headers: { 'accept-encoding': 'identity' }, crossOrigin: 'stop' });
    if (res.status >= 400) throw await this.errorOf(res, repo, commit, file);
    const h = res.headers;
    const etag = normalizeEtag(h.get('x-linked-etag')) ?? normalizeEtag(h.get('etag'));
    const size = Number(h.get('x-linked-size') ?? h.get('content-length'));
    if (!etag || !Number.isSafeInteger(size) || size < 0) {
      throw new HubError('http', `${url}: the hub sent no ETag or size for ${file} (HTTP ${res.status})`);
    }
    return { repo, path: file, etag, size, commit };
  }

  /** the error a user can act on, from the status and X-Error-Code */
  async errorOf(res: Response, repo: string, revision: string, file?: string): Promise<HubError> {
    await res.body?.cancel();
    const code = res.headers.get('x-error-code');
    const detail = res.headers.get('x-error-message');
    const where = `${repo}@${revision}`;
    const hub = this.settings.endpoint;
    const origin = res.url ? new URL(res.url).origin : this.origin;
    if (origin !== this.origin) {
      // the storage host a download was redirected to: its statuses say nothing about the repo
      return new HubError('http', `${where}/${file ?? ''}: ${origin} (where ${hub} sent the download) answered HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    }
    if (code === 'GatedRepo') {
      return new HubError(
        'gated',
        `${repo} is gated on ${hub}: accept its conditions there, then set HF_TOKEN to a token of that account${this.settings.token ? ' (the token sent was refused)' : ''}`,
      );
    }
    if (code === 'RevisionNotFound') return new HubError('revision-not-found', `${repo}: revision '${revision}' not found on ${hub}`);
    if (code === 'EntryNotFound' || (file && res.status === 404 && code !== 'RepoNotFound')) {
      return new HubError('entry-not-found', `${where}: file ${file ?? '?'} not found on ${hub}`);
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      return new HubError(
        'not-found-or-private',
        this.settings.token
          ? `${repo} not found on ${hub}, or the token (HF_TOKEN / token file) has no access to it`
          : `${repo} not found on ${hub}, or private or gated: set HF_TOKEN (or HF_TOKEN_PATH) to a token that may read it`,
      );
    }
    const retriable = res.status >= 500 || res.status === 429;
    return new HubError('http', `${where}${file ? `/${file}` : ''}: ${hub} answered HTTP ${res.status}${detail ? ` (${detail})` : ''}`, retriable);
  }
}
