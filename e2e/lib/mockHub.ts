/**
 * A mock of the Hugging Face hub for tests (Node, 127.0.0.1 only): serves a directory of
 * generated checkpoints, laid out `{root}/{owner}/{name}/{file}`, in the hub's URL layout:
 *
 *   GET|HEAD /{owner}/{name}/resolve/{revision}/{file}       (single Range requests honoured)
 *   GET      /api/models/{owner}/{name}/tree/{revision}      [{type, path, size, oid, lfs?}]
 *   GET      /api/models/{owner}/{name}/revision/{revision}  {id, sha, siblings}
 *
 * `revision` is "main" or the repo's commit (a sha1 of its files' names and sha256s). Every
 * response carries CORS and cross-origin-resource-policy headers so a cross-origin-isolated
 * page may fetch it. Faults for tests: cut a response after N body bytes, fail the next K
 * requests, or stop the server. Bytes sent and requests are counted.
 */
import { createHash } from 'node:crypto';
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
  gitOid: string;
  lfs: boolean;
}

interface Repo {
  id: string;
  commit: string;
  files: Map<string, RepoFile>;
}

export interface RequestRecord {
  method: string;
  path: string;
  range?: string;
  status: number;
  /** body bytes written */
  bytes: number;
}

export interface MockHub {
  readonly url: string;
  /** the commit "main" points at */
  commitOf(repo: string): string;
  /**
   * the next `count` file responses whose path contains `match` and whose body is longer than
   * `bytes` are cut after `bytes` body bytes; then the next `thenFail` matching requests answer 503
   */
  dropAfterBytes(bytes: number, options?: { match?: string; count?: number; thenFail?: number }): void;
  /** the next `count` requests (matching) answer `status` */
  failNext(count: number, options?: { status?: number; match?: string }): void;
  /** forget pending drops and failures */
  clearFaults(): void;
  /** file body bytes sent since the start (or the last reset), in all and per file path */
  bytesSent(match?: string): number;
  readonly requests: RequestRecord[];
  resetStats(): void;
  /** overwrite a file's served bytes without changing the listing (checksum tests) */
  corrupt(repo: string, file: string, bytes: Uint8Array): void;
  /** stop accepting connections and cut open ones */
  stop(): Promise<void>;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function gitOid(b: Uint8Array): string {
  return createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');
}

function loadRepo(id: string, dir: string): Repo {
  const files = new Map<string, RepoFile>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const bytes = new Uint8Array(readFileSync(path));
    files.set(name, {
      path: name,
      size: bytes.byteLength,
      bytes,
      sha256: sha256(bytes),
      gitOid: gitOid(bytes),
      lfs: LFS_EXTENSIONS.some((e) => name.endsWith(e)),
    });
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

const CORS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'range, authorization, content-type',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-expose-headers': 'content-range, content-length, accept-ranges, etag, link, x-repo-commit',
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'no-store',
};

/** Serve the checkpoints under `root` (read once, at start) on 127.0.0.1. */
export async function startMockHub(root: string, port = 0): Promise<MockHub> {
  const repos = loadRepos(root);
  const requests: RequestRecord[] = [];
  const drops: { bytes: number; match: string; count: number; thenFail: number }[] = [];
  const failures: { status: number; match: string; count: number }[] = [];
  const sockets = new Set<Socket>();

  const take = <T extends { match: string; count: number }>(list: T[], path: string): T | undefined => {
    const f = list.find((x) => x.count > 0 && path.includes(x.match));
    if (f) f.count--;
    return f;
  };

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, CORS);
      res.end(String(e));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function record(req: IncomingMessage, path: string, status: number, bytes: number): RequestRecord {
    const r: RequestRecord = { method: req.method ?? 'GET', path, status, bytes, ...(req.headers.range ? { range: String(req.headers.range) } : {}) };
    requests.push(r);
    return r;
  }

  function json(req: IncomingMessage, res: ServerResponse, path: string, status: number, body: unknown): void {
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { ...CORS, 'content-type': 'application/json', 'content-length': text.byteLength });
    res.end(req.method === 'HEAD' ? undefined : text);
    record(req, path, status, 0);
  }

  function repoAt(owner: string, name: string, revision: string): Repo | undefined {
    const repo = repos.get(`${decodeURIComponent(owner)}/${decodeURIComponent(name)}`);
    const rev = decodeURIComponent(revision);
    return repo && (rev === 'main' || rev === repo.commit) ? repo : undefined;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      record(req, path, 204, 0);
      return;
    }
    const failure = take(failures, path);
    if (failure) {
      res.writeHead(failure.status, { ...CORS, 'content-type': 'text/plain' });
      res.end('injected failure');
      record(req, path, failure.status, 0);
      return;
    }
    let m = /^\/api\/models\/([^/]+)\/([^/]+)\/(tree|revision)\/([^/]+)\/?$/.exec(path);
    if (m) {
      const repo = repoAt(m[1], m[2], m[4]);
      if (!repo) return json(req, res, path, 404, { error: 'Repository or revision not found' });
      if (m[3] === 'revision') {
        return json(req, res, path, 200, { id: repo.id, sha: repo.commit, siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) });
      }
      return json(
        req,
        res,
        path,
        200,
        [...repo.files.values()].map((f) => ({
          type: 'file',
          path: f.path,
          size: f.size,
          oid: f.gitOid,
          ...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}),
        })),
      );
    }
    m = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const repo = m && repoAt(m[1], m[2], m[3]);
    const file = m && repo?.files.get(decodeURIComponent(m[4]));
    if (!repo || !file) {
      res.writeHead(404, { ...CORS, 'content-type': 'text/plain' });
      res.end('Entry not found');
      record(req, path, 404, 0);
      return;
    }
    const headers: Record<string, string | number> = {
      ...CORS,
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"${file.lfs ? file.sha256 : file.gitOid}"`,
      'x-repo-commit': repo.commit,
    };
    const served = file.bytes.byteLength;
    const range = parseRange(req.headers.range, served);
    if (range === 'invalid') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${served}` });
      res.end();
      record(req, path, 416, 0);
      return;
    }
    const [start, end] = range ?? [0, served - 1];
    const status = range ? 206 : 200;
    res.writeHead(status, { ...headers, 'content-length': end - start + 1, ...(range ? { 'content-range': `bytes ${start}-${end}/${served}` } : {}) });
    const rec = record(req, path, status, 0);
    if (req.method === 'HEAD') return void res.end();
    const body = file.bytes.subarray(start, end + 1);
    // a drop applies to the next response long enough to be cut
    const drop = drops.find((x) => x.count > 0 && path.includes(x.match) && x.bytes < body.byteLength);
    if (drop) drop.count--;
    const limit = drop ? drop.bytes : body.byteLength;
    // written in chunks, like a real transfer, so a cut lands mid-stream
    const CHUNK = 16 * 1024;
    let at = 0;
    const pump = (): void => {
      while (at < limit) {
        const n = Math.min(CHUNK, limit - at);
        const chunk = body.subarray(at, at + n);
        at += n;
        rec.bytes += n;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (drop && limit < body.byteLength) {
        // let the bytes reach the client, then cut the connection without finishing the body
        setTimeout(() => res.socket?.destroy(), 20);
        if (drop.thenFail > 0) failures.push({ status: 503, match: drop.match, count: drop.thenFail });
        return;
      }
      res.end();
    };
    pump();
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    commitOf(repo) {
      const r = repos.get(repo);
      if (!r) throw new Error(`mock hub has no repo ${repo} (has ${[...repos.keys()].join(', ')})`);
      return r.commit;
    },
    dropAfterBytes(bytes, options = {}) {
      drops.push({ bytes, match: options.match ?? '/resolve/', count: options.count ?? 1, thenFail: options.thenFail ?? 0 });
    },
    failNext(count, options = {}) {
      failures.push({ status: options.status ?? 503, match: options.match ?? '/', count });
    },
    clearFaults() {
      drops.length = 0;
      failures.length = 0;
    },
    bytesSent(match = '/resolve/') {
      return requests.filter((r) => r.path.includes(match)).reduce((n, r) => n + r.bytes, 0);
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
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
