/**
 * A mock of the Hugging Face hub for tests (Node, 127.0.0.1 only), modelled on the real hub's
 * public behaviour (../shared/docs/STACK.md, "The real Hugging Face hub"; huggingface_hub's
 * `hf_raise_for_status`): it serves a directory of generated checkpoints, laid out
 * `{root}/{owner}/{name}/{file}`, on two origins.
 *
 * The hub origin (`url`):
 *   GET|HEAD /{owner}/{name}/resolve/{revision}/{file}
 *       git files (configs, tokenizer): 200 / 206 (single Range honoured), `ETag` = git blob id.
 *       LFS files (weights): 302 to the CDN origin with `X-Repo-Commit`, `X-Linked-Size`,
 *       `X-Linked-Etag` (the sha256) and `ETag` (the LFS pointer's git blob id); the bytes come
 *       from the CDN, whose headers are all a browser script sees after the redirect.
 *   GET /api/models/{owner}/{name}/tree/{revision}[?recursive&expand]
 *       [{type, path, size, oid, lfs?: {oid, size, pointerSize}}]
 *   GET /api/models/{owner}/{name}/revision/{revision}[?expand=…]
 *       {_id, id, sha, siblings, private, gated, lastModified}; with `expand` only those fields
 *   Errors as the real hub answers them, `X-Error-Code` + `X-Error-Message` (exposed to scripts):
 *       missing repo: 401 RepoNotFound without a token, 404 RepoNotFound with one;
 *       gated repo: 401 GatedRepo without a token, 403 GatedRepo with a token not granted;
 *       missing revision: 404 RevisionNotFound; missing file: 404 EntryNotFound.
 *   OPTIONS: CORS preflight allowing Authorization and Range.
 *
 * The CDN origin (`cdnUrl`): GET|HEAD /repos/{owner}--{name}/{sha256}?filename&expires&signature, a signed URL
 * like cdn-lfs/S3: a bad signature answers 403, a request carrying `Authorization` 400 (S3
 * accepts one auth mechanism). Its mode (`setCdnMode`) decides what a browser may read:
 *   'exposes-content-range'  206 for a Range, Content-Range exposed to scripts;
 *   'hides-content-range'    206 for a Range, Access-Control-Expose-Headers without Content-Range;
 *   'ignores-range'          200 with the whole body whatever the Range.
 *
 * `revision` is "main" or the repo's commit (a sha1 of its files' names and sha256s). Every
 * response carries CORS and cross-origin-resource-policy headers so a cross-origin-isolated
 * page may fetch it. Faults for tests: cut a response after N body bytes, fail the next K
 * requests, or stop the servers. Every request is recorded (origin, file, Range, Authorization).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { parseRange } from './server.ts';

const LFS_EXTENSIONS = ['.safetensors', '.bin', '.pt', '.pth', '.ckpt', '.pkl', '.onnx', '.msgpack', '.h5'];

interface RepoFile {
  path: string;
  /** the size the listing gives (corrupt() changes the bytes served, not the listing) */
  size: number;
  bytes: Uint8Array;
  sha256: string;
  /** git blob id: of the content for git files, of the LFS pointer for LFS files (as the hub lists it) */
  gitOid: string;
  lfs: boolean;
}

interface Repo {
  id: string;
  commit: string;
  files: Map<string, RepoFile>;
}

export type CdnMode = 'exposes-content-range' | 'hides-content-range' | 'ignores-range';

export interface RequestRecord {
  /** which server answered */
  origin: 'hub' | 'cdn';
  method: string;
  path: string;
  /** the repo file the request is about (hub resolve and CDN requests) */
  file?: string;
  range?: string;
  /** the Authorization header as received (a token reaching the CDN is a leak) */
  authorization?: string;
  /** a preflight's Access-Control-Request-Headers */
  requestHeaders?: string;
  status: number;
  /** body bytes written */
  bytes: number;
}

export interface MockHubOptions {
  port?: number;
  cdnPort?: number;
  /** default 'exposes-content-range' */
  cdn?: CdnMode;
  /** gated repos: repo id -> the tokens granted access */
  gated?: Record<string, string[]>;
}

export interface MockHub {
  /** the hub origin (HF_ENDPOINT) */
  readonly url: string;
  /** the CDN origin LFS files redirect to */
  readonly cdnUrl: string;
  /** the commit "main" points at */
  commitOf(repo: string): string;
  setCdnMode(mode: CdnMode): void;
  /** make `repo` gated: only requests with `Authorization: Bearer <one of tokens>` see it */
  gate(repo: string, tokens: string[]): void;
  /**
   * the next `count` file responses (any, or whose path or file contains `match`) whose body is longer
   * than `bytes` are cut after `bytes` body bytes; then the next `thenFail` matching requests answer 503
   */
  dropAfterBytes(bytes: number, options?: { match?: string; count?: number; thenFail?: number }): void;
  /** the next `count` requests (matching path or file) answer `status` */
  failNext(count: number, options?: { status?: number; match?: string }): void;
  /** forget pending drops and failures */
  clearFaults(): void;
  /** file body bytes sent since the start (or the last reset), in all or where path or file contains `match` */
  bytesSent(match?: string): number;
  readonly requests: RequestRecord[];
  resetStats(): void;
  /** overwrite a file's served bytes without changing the listing (checksum tests) */
  corrupt(repo: string, file: string, bytes: Uint8Array): void;
  /** stop accepting connections and cut open ones (both origins) */
  stop(): Promise<void>;
}

function sha256(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function gitOid(b: Uint8Array | string): string {
  const bytes = typeof b === 'string' ? Buffer.from(b) : b;
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** the Git LFS pointer git stores in place of an LFS file */
function lfsPointer(sha: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${size}\n`;
}

function loadRepo(id: string, dir: string): Repo {
  const files = new Map<string, RepoFile>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const bytes = new Uint8Array(readFileSync(path));
    const lfs = LFS_EXTENSIONS.some((e) => name.endsWith(e));
    const sha = sha256(bytes);
    files.set(name, { path: name, size: bytes.byteLength, bytes, sha256: sha, gitOid: lfs ? gitOid(lfsPointer(sha, bytes.byteLength)) : gitOid(bytes), lfs });
  }
  const commit = createHash('sha1')
    .update([...files.values()].map((f) => `${f.path}:${f.sha256}`).join('\n'))
    .digest('hex');
  return { id, commit, files };
}

/** repos under `root`: every `{owner}/{name}` folder holding files */
function loadRepos(root: string): Map<string, Repo> {
  const repos = new Map<string, Repo>();
  for (const owner of readdirSync(root)) {
    if (!statSync(join(root, owner)).isDirectory()) continue;
    for (const name of readdirSync(join(root, owner))) {
      const dir = join(root, owner, name);
      if (statSync(dir).isDirectory()) repos.set(`${owner}/${name}`, loadRepo(`${owner}/${name}`, dir));
    }
  }
  return repos;
}

const COMMON: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'no-store',
};

const HUB_CORS: Record<string, string> = {
  ...COMMON,
  'access-control-allow-headers': 'range, authorization, content-type, accept',
  'access-control-expose-headers':
    'x-repo-commit, x-request-id, x-error-code, x-error-message, x-total-count, etag, link, accept-ranges, content-range, x-linked-size, x-linked-etag, x-xet-hash',
};

function cdnCors(mode: CdnMode): Record<string, string> {
  return {
    ...COMMON,
    // a script asking to send Authorization is let through, so the CDN can record the leak
    'access-control-allow-headers': 'range, authorization',
    'access-control-expose-headers': mode === 'exposes-content-range' ? 'content-range, content-length, accept-ranges, etag' : 'etag',
  };
}

const bearer = (req: IncomingMessage) => /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];

interface HubErrorAnswer {
  status: number;
  code: 'RepoNotFound' | 'GatedRepo' | 'RevisionNotFound' | 'EntryNotFound';
  message: string;
}

/** a started server and the sockets it holds open */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port: number): Promise<{ server: Server; url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    try {
      handler(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, COMMON);
      res.end(String(e));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

/** Serve the checkpoints under `root` (read once, at start) on two 127.0.0.1 origins. */
export async function startMockHub(root: string, options: MockHubOptions | number = {}): Promise<MockHub> {
  const opts: MockHubOptions = typeof options === 'number' ? { port: options } : options;
  const repos = loadRepos(root);
  const gated = new Map(Object.entries(opts.gated ?? {}).map(([r, t]) => [r, new Set(t)]));
  let cdnMode: CdnMode = opts.cdn ?? 'exposes-content-range';
  const secret = randomBytes(16).toString('hex');
  const requests: RequestRecord[] = [];
  const drops: { bytes: number; match: string; count: number; thenFail: number }[] = [];
  const failures: { status: number; match: string; count: number }[] = [];

  const about = (path: string, file?: string) => (match: string) => path.includes(match) || (file !== undefined && file.includes(match));
  const take = <T extends { match: string; count: number }>(list: T[], hit: (match: string) => boolean): T | undefined => {
    const f = list.find((x) => x.count > 0 && hit(x.match));
    if (f) f.count--;
    return f;
  };

  function record(origin: RequestRecord['origin'], req: IncomingMessage, path: string, status: number, file?: string): RequestRecord {
    const r: RequestRecord = {
      origin,
      method: req.method ?? 'GET',
      path,
      status,
      bytes: 0,
      ...(file !== undefined ? { file } : {}),
      ...(req.headers.range ? { range: String(req.headers.range) } : {}),
      ...(req.headers.authorization ? { authorization: String(req.headers.authorization) } : {}),
      ...(req.headers['access-control-request-headers'] ? { requestHeaders: String(req.headers['access-control-request-headers']) } : {}),
    };
    requests.push(r);
    return r;
  }

  function json(req: IncomingMessage, res: ServerResponse, path: string, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { ...HUB_CORS, ...extra, 'content-type': 'application/json', 'content-length': text.byteLength });
    res.end(req.method === 'HEAD' ? undefined : text);
    record('hub', req, path, status);
  }

  function hubError(req: IncomingMessage, res: ServerResponse, path: string, e: HubErrorAnswer, file?: string): void {
    const text = Buffer.from(JSON.stringify({ error: e.message }));
    res.writeHead(e.status, { ...HUB_CORS, 'content-type': 'application/json', 'content-length': text.byteLength, 'x-error-code': e.code, 'x-error-message': e.message });
    res.end(req.method === 'HEAD' ? undefined : text);
    record('hub', req, path, e.status, file);
  }

  /** the repo at a revision as this request may see it, or the hub's error */
  function access(req: IncomingMessage, owner: string, name: string, revision: string): Repo | HubErrorAnswer {
    const id = `${decodeURIComponent(owner)}/${decodeURIComponent(name)}`;
    const token = bearer(req);
    const repo = repos.get(id);
    if (!repo) {
      // without a token the hub cannot tell "missing" from "private": 401 either way
      return { status: token ? 404 : 401, code: 'RepoNotFound', message: 'Repository not found' };
    }
    const granted = gated.get(id);
    if (granted && !token) {
      return { status: 401, code: 'GatedRepo', message: `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.` };
    }
    if (granted && !granted.has(token!)) {
      return { status: 403, code: 'GatedRepo', message: `Access to model ${id} is restricted and you are not in the authorized list.` };
    }
    const rev = decodeURIComponent(revision);
    if (rev !== 'main' && rev !== repo.commit) return { status: 404, code: 'RevisionNotFound', message: `Invalid rev id: ${rev}` };
    return repo;
  }

  const signature = (sha: string, expires: string) => createHmac('sha256', secret).update(`${sha}:${expires}`).digest('hex');

  /** write `body` in chunks (a cut lands mid-stream), applying a pending drop */
  function pump(res: ServerResponse, rec: RecordBody, body: Uint8Array, hit: (match: string) => boolean): void {
    const drop = drops.find((x) => x.count > 0 && hit(x.match) && x.bytes < body.byteLength);
    if (drop) drop.count--;
    const limit = drop ? drop.bytes : body.byteLength;
    const CHUNK = 16 * 1024;
    let at = 0;
    const step = (): void => {
      while (at < limit) {
        const n = Math.min(CHUNK, limit - at);
        const chunk = body.subarray(at, at + n);
        at += n;
        rec.bytes += n;
        const last = drop && limit < body.byteLength && at >= limit;
        // a cut closes the connection once the bytes before it have reached the socket
        const flushed = last ? () => cut() : undefined;
        if (!res.write(chunk, flushed)) return void res.once('drain', step);
      }
      if (!(drop && limit < body.byteLength)) res.end();
    };
    const cut = (): void => {
      if (drop!.thenFail > 0) failures.push({ status: 503, match: drop!.match, count: drop!.thenFail });
      // close (FIN) without finishing the body: the client reads every byte sent, then a body
      // shorter than its Content-Length. No reset: an RST would drop bytes the client has not read yet
      setTimeout(() => res.socket?.end(), 50);
    };
    step();
  }

  type RecordBody = { bytes: number };

  /** a file's bytes (whole or one Range) with `headers`; `honourRange` false sends 200 whole */
  function serveBytes(origin: RequestRecord['origin'], req: IncomingMessage, res: ServerResponse, path: string, file: RepoFile, headers: Record<string, string | number>, honourRange: boolean): void {
    const served = file.bytes.byteLength;
    const range = honourRange ? parseRange(req.headers.range, served) : undefined;
    if (range === 'invalid') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${served}` });
      res.end();
      record(origin, req, path, 416, file.path);
      return;
    }
    const [start, end] = range ?? [0, served - 1];
    const status = range ? 206 : 200;
    res.writeHead(status, { ...headers, 'content-length': end - start + 1, ...(range ? { 'content-range': `bytes ${start}-${end}/${served}` } : {}) });
    const rec = record(origin, req, path, status, file.path);
    if (req.method === 'HEAD') return void res.end();
    pump(res, rec, file.bytes.subarray(start, end + 1), about(path, file.path));
  }

  function handleHub(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, HUB_CORS);
      res.end();
      record('hub', req, path, 204);
      return;
    }
    const resolve = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const fileName = resolve ? decodeURIComponent(resolve[4]) : undefined;
    const failure = take(failures, about(path, fileName));
    if (failure) {
      res.writeHead(failure.status, { ...HUB_CORS, 'content-type': 'text/plain' });
      res.end('injected failure');
      record('hub', req, path, failure.status, fileName);
      return;
    }
    const api = /^\/api\/models\/([^/]+)\/([^/]+)\/(tree|revision)\/([^/]+)(?:\/.*)?$/.exec(path);
    if (api) {
      const repo = access(req, api[1], api[2], api[4]);
      if (!('files' in repo)) return hubError(req, res, path, repo);
      if (api[3] === 'revision') {
        const full: Record<string, unknown> = {
          _id: createHash('sha1').update(repo.id).digest('hex').slice(0, 24),
          id: repo.id,
          sha: repo.commit,
          siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
          private: false,
          gated: gated.has(repo.id) ? 'manual' : false,
          lastModified: '2026-01-01T00:00:00.000Z',
        };
        const expand = url.searchParams.getAll('expand');
        const body = expand.length ? Object.fromEntries(Object.entries(full).filter(([k]) => k === '_id' || k === 'id' || expand.includes(k))) : full;
        return json(req, res, path, 200, body);
      }
      return json(
        req,
        res,
        path,
        200,
        [...repo.files.values()].map((f) => ({
          type: 'file',
          oid: f.gitOid,
          size: f.size,
          path: f.path,
          ...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: lfsPointer(f.sha256, f.size).length } } : {}),
        })),
      );
    }
    if (!resolve) return hubError(req, res, path, { status: 404, code: 'RepoNotFound', message: 'Not found' });
    const repo = access(req, resolve[1], resolve[2], resolve[3]);
    if (!('files' in repo)) return hubError(req, res, path, repo, fileName);
    const file = repo.files.get(fileName!);
    if (!file) {
      return hubError(req, res, path, { status: 404, code: 'EntryNotFound', message: `${fileName} does not exist on "${decodeURIComponent(resolve[3])}"` }, fileName);
    }
    if (file.lfs) {
      const expires = String(Math.floor(Date.now() / 1000) + 3600);
      const q = new URLSearchParams({ filename: file.path, expires, signature: signature(file.sha256, expires) });
      res.writeHead(302, {
        ...HUB_CORS,
        location: `${cdn.url}/repos/${repo.id.replace('/', '--')}/${file.sha256}?${q}`,
        'x-repo-commit': repo.commit,
        'x-linked-size': file.size,
        'x-linked-etag': `"${file.sha256}"`,
        etag: `"${file.gitOid}"`,
        'content-length': 0,
      });
      res.end();
      record('hub', req, path, 302, file.path);
      return;
    }
    serveBytes('hub', req, res, path, file, { ...HUB_CORS, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', etag: `"${file.gitOid}"`, 'x-repo-commit': repo.commit }, true);
  }

  function handleCdn(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const cors = cdnCors(cdnMode);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      record('cdn', req, path, 204);
      return;
    }
    const m = /^\/repos\/([^/]+)\/([0-9a-f]{64})$/.exec(path);
    const fileName = url.searchParams.get('filename') ?? undefined;
    const plain = (status: number, text: string) => {
      res.writeHead(status, { ...cors, 'content-type': 'text/plain' });
      res.end(text);
      record('cdn', req, path, status, fileName);
    };
    const failure = take(failures, about(path, fileName));
    if (failure) return plain(failure.status, 'injected failure');
    if (req.headers.authorization) return plain(400, 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
    const expires = url.searchParams.get('expires') ?? '';
    if (!m || url.searchParams.get('signature') !== signature(m[2], expires) || Number(expires) * 1000 < Date.now()) return plain(403, 'Access denied');
    const file = [...(repos.get(m[1].replace('--', '/'))?.files.values() ?? [])].find((f) => f.sha256 === m[2]);
    if (!file) return plain(404, 'Not found');
    const headers = { ...cors, 'content-type': 'application/octet-stream', etag: `"${file.sha256}"`, ...(cdnMode === 'ignores-range' ? {} : { 'accept-ranges': 'bytes' }) };
    serveBytes('cdn', req, res, path, file, headers, cdnMode !== 'ignores-range');
  }

  const hub = await listen(handleHub, opts.port ?? 0);
  const cdn = await listen(handleCdn, opts.cdnPort ?? 0);

  return {
    url: hub.url,
    cdnUrl: cdn.url,
    commitOf(repo) {
      const r = repos.get(repo);
      if (!r) throw new Error(`mock hub has no repo ${repo} (has ${[...repos.keys()].join(', ')})`);
      return r.commit;
    },
    setCdnMode(mode) {
      cdnMode = mode;
    },
    gate(repo, tokens) {
      gated.set(repo, new Set(tokens));
    },
    dropAfterBytes(bytes, options = {}) {
      drops.push({ bytes, match: options.match ?? '', count: options.count ?? 1, thenFail: options.thenFail ?? 0 });
    },
    failNext(count, options = {}) {
      failures.push({ status: options.status ?? 503, match: options.match ?? '/', count });
    },
    clearFaults() {
      drops.length = 0;
      failures.length = 0;
    },
    bytesSent(match) {
      return requests.filter((r) => r.file !== undefined && (match === undefined || about(r.path, r.file)(match))).reduce((n, r) => n + r.bytes, 0);
    },
    requests,
    resetStats() {
      requests.length = 0;
    },
    corrupt(repo, name, bytes) {
      const f = repos.get(repo)?.files.get(name);
      if (!f) throw new Error(`mock hub has no ${repo}/${name}`);
      f.bytes = bytes;
    },
    stop: async () => {
      await Promise.all(
        [hub, cdn].map(
          (s) =>
            new Promise<void>((resolve) => {
              for (const sock of s.sockets) sock.destroy();
              s.server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
