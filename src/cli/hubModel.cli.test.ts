/**
 * `--model owner/name[@revision]` in the CLI, against a Hugging Face cache laid out by this test
 * exactly as huggingface_hub lays it out (offline), and against the mock hub (downloads that must
 * leave that same layout behind, then run again offline; an interrupted download resumes).
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../e2e/lib/mockHub.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { runCli, type CliRun } from '../testkit/cli.node.ts';
import { REPO_ROOT } from '../testkit/shared.ts';

const IMAGE = join(REPO_ROOT, 'public', 'gallery', 'chelsea.png');
const REPO = 'test-org/tiny-clip';
const CACHE_FOLDER = 'models--test-org--tiny-clip';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
/** what the CLI reads from an HF-layout repo with a tokenizer */
const NEEDED = ['config.json', 'merges.txt', 'model.safetensors', 'preprocessor_config.json', 'vocab.json'];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) => createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');
/** huggingface_hub names LFS blobs by sha256 and git-stored ones by the git blob sha1 */
const etagOf = (name: string, b: Uint8Array) => (name.endsWith('.safetensors') ? sha256(b) : gitSha1(b));

const HF_VARS = ['HF_HOME', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'XDG_CACHE_HOME', 'HF_ENDPOINT', 'HF_TOKEN', 'HF_TOKEN_PATH', 'HF_HUB_OFFLINE'];

/** run the CLI in-process with exactly these HF_* variables set (HOME pointed at `home`) */
async function cliWith(env: Record<string, string>, home: string, ...argv: string[]): Promise<CliRun> {
  const saved = Object.fromEntries([...HF_VARS, 'HOME'].map((k) => [k, process.env[k]]));
  for (const k of HF_VARS) delete process.env[k];
  Object.assign(process.env, { HOME: home }, env);
  try {
    return await runCli(argv);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

let work: string;
let source: string;
const files = new Map<string, Uint8Array>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'clipscope-hfcache-'));
  source = join(work, 'source');
  const tokenizer = generateBpeVocab(['a photo of a cat', 'a photo of a dog'], 30);
  generateCheckpointDir(source, TINY_P14_QUICKGELU, { layout: 'hf', seed: 5, tokenizer });
  for (const name of readdirSync(source)) files.set(name, new Uint8Array(readFileSync(join(source, name))));
  expect([...files.keys()].sort()).toEqual(NEEDED);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--model owner/name from a Hugging Face cache laid out as huggingface_hub does (HF_HUB_OFFLINE=1)', () => {
  let hfHome: string;
  beforeAll(() => {
    hfHome = join(work, 'offline-home');
    const repo = join(hfHome, 'hub', CACHE_FOLDER);
    mkdirSync(join(repo, 'blobs'), { recursive: true });
    mkdirSync(join(repo, 'snapshots', COMMIT), { recursive: true });
    mkdirSync(join(repo, 'refs'), { recursive: true });
    for (const [name, bytes] of files) {
      writeFileSync(join(repo, 'blobs', etagOf(name, bytes)), bytes);
      symlinkSync(`../../blobs/${etagOf(name, bytes)}`, join(repo, 'snapshots', COMMIT, name));
    }
    writeFileSync(join(repo, 'refs', 'main'), COMMIT);
    writeFileSync(join(repo, 'refs', 'v1'), COMMIT);
  });
  const offline = (...argv: string[]) => cliWith({ HF_HOME: hfHome, HF_HUB_OFFLINE: '1' }, work, ...argv);

  it('clipscope decompose --model test-org/tiny-clip writes the same files as --model <the source folder>', async () => {
    const fromFolder = await cliWith({}, work, 'decompose', '--model', source, '--image', IMAGE, '--out', join(work, 'd-folder'));
    const fromCache = await offline('decompose', '--model', REPO, '--image', IMAGE, '--out', join(work, 'd-cache'));
    expect(fromFolder.code, fromFolder.stderr).toBe(0);
    expect(fromCache.code, fromCache.stderr).toBe(0);
    const npys = readdirSync(join(work, 'd-folder')).filter((f) => f.endsWith('.npy'));
    expect(npys.length).toBeGreaterThan(3);
    for (const f of npys) expect(readFileSync(join(work, 'd-cache', f)).equals(readFileSync(join(work, 'd-folder', f))), f).toBe(true);
    const meta = (d: string) => JSON.parse(readFileSync(join(work, d, 'meta.json'), 'utf8')) as { fingerprint: string };
    expect(meta('d-cache').fingerprint).toBe(meta('d-folder').fingerprint);
  });

  it('@v1 (a ref) and @<commit> resolve to the same snapshot; tokenize prints the same ids', async () => {
    const base = await cliWith({}, work, 'tokenize', '--model', source, '--text', 'a photo of a cat');
    expect(base.code, base.stderr).toBe(0);
    for (const id of [REPO, `${REPO}@v1`, `${REPO}@${COMMIT}`]) {
      const r = await offline('tokenize', '--model', id, '--text', 'a photo of a cat');
      expect({ id, code: r.code, stdout: r.stdout }).toEqual({ id, code: 0, stdout: base.stdout });
    }
  });

  it('HF_HUB_CACHE wins over HF_HOME', async () => {
    const r = await cliWith({ HF_HOME: join(work, 'nowhere'), HF_HUB_CACHE: join(hfHome, 'hub'), HF_HUB_OFFLINE: '1' }, work, 'tokenize', '--model', REPO, '--text', 'cat');
    expect(r.code, r.stderr).toBe(0);
  });

  it('HF_HUB_OFFLINE=1 with a model, or a revision, not in the cache fails naming the model and the cache path', async () => {
    const missing = await offline('tokenize', '--model', 'test-org/other-model', '--text', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('test-org/other-model@main is not in the Hugging Face cache');
    expect(missing.stderr).toContain(join(hfHome, 'hub'));
    expect(missing.stderr).toContain('HF_HUB_OFFLINE');
    const rev = await offline('tokenize', '--model', `${REPO}@v2`, '--text', 'x');
    expect(rev.code).toBe(1);
    expect(rev.stderr).toContain(`${REPO}@v2 is not in the Hugging Face cache ${join(hfHome, 'hub')}`);
    expect(rev.stderr).toContain('refs/v2');
  });

  it('online with the hub unreachable: a cached model is used with a note on stderr; an uncached one fails naming the hub', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => server.close(r)); // nothing listens there now
    const cached = await cliWith({ HF_HOME: hfHome, HF_ENDPOINT: closed }, work, 'tokenize', '--model', REPO, '--text', 'cat');
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stderr).toContain(`cannot reach ${closed}: ECONNREFUSED: using the cached snapshot of ${REPO}@main`);
    const missing = await cliWith({ HF_HOME: hfHome, HF_ENDPOINT: closed }, work, 'tokenize', '--model', 'test-org/other-model', '--text', 'cat');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot reach ${closed}: ECONNREFUSED`);
  });

  it('a cached snapshot with only pickle weights is refused, naming the file', async () => {
    const repo = join(hfHome, 'hub', 'models--test-org--pickled');
    const bin = new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00]);
    const config = files.get('config.json')!;
    mkdirSync(join(repo, 'blobs'), { recursive: true });
    mkdirSync(join(repo, 'snapshots', COMMIT), { recursive: true });
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'blobs', sha256(bin)), bin);
    writeFileSync(join(repo, 'blobs', gitSha1(config)), config);
    symlinkSync(`../../blobs/${sha256(bin)}`, join(repo, 'snapshots', COMMIT, 'pytorch_model.bin'));
    symlinkSync(`../../blobs/${gitSha1(config)}`, join(repo, 'snapshots', COMMIT, 'config.json'));
    writeFileSync(join(repo, 'refs', 'main'), COMMIT);
    const r = await offline('tokenize', '--model', 'test-org/pickled', '--text', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pytorch_model.bin is a pickle checkpoint: use the safetensors file');
  });

  it('an existing folder named like a hub id stays a folder', async () => {
    const cwd = process.cwd();
    const local = join(work, 'cwd');
    mkdirSync(join(local, 'test-org'), { recursive: true });
    symlinkSync(source, join(local, 'test-org', 'not-on-any-hub'));
    process.chdir(local);
    try {
      const r = await offline('tokenize', '--model', 'test-org/not-on-any-hub', '--text', 'cat');
      expect(r.code, r.stderr).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('--model owner/name downloaded from a hub (the mock hub) into HF_HOME', () => {
  let hub: MockHub;
  let hubRoot: string;
  let home: string;
  let n = 0;
  beforeAll(async () => {
    hubRoot = join(work, 'hub-root');
    const repoDir = join(hubRoot, ...REPO.split('/'));
    mkdirSync(repoDir, { recursive: true });
    for (const [name, bytes] of files) writeFileSync(join(repoDir, name), bytes);
    // files the CLI does not need: a pickle beside the safetensors, a README
    writeFileSync(join(repoDir, 'pytorch_model.bin'), new Uint8Array(4096).fill(7));
    writeFileSync(join(repoDir, 'README.md'), '# tiny\n');
    const pickled = join(hubRoot, 'test-org', 'pickled');
    mkdirSync(pickled, { recursive: true });
    writeFileSync(join(pickled, 'config.json'), files.get('config.json')!);
    writeFileSync(join(pickled, 'pytorch_model.bin'), new Uint8Array(4096).fill(7));
    hub = await startMockHub(hubRoot);
  });
  afterAll(() => hub?.stop());
  beforeEach(() => {
    home = join(work, `dl-home-${n++}`);
    hub.clearFaults();
    hub.resetStats();
  });
  afterEach(() => hub.clearFaults());
  const online = (...argv: string[]) => cliWith({ HF_HOME: home, HF_ENDPOINT: hub.url }, work, ...argv);
  const offline = (...argv: string[]) => cliWith({ HF_HOME: home, HF_HUB_OFFLINE: '1' }, work, ...argv);
  /** the weights' bytes come from the CDN origin the hub redirects to */
  const weightsGets = () => hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET' && r.file === 'model.safetensors');

  /** the layout huggingface_hub leaves: refs/main, one relative symlink per file, blobs named by hash */
  function expectHfLayout(commit: string): void {
    const repo = join(home, 'hub', CACHE_FOLDER);
    expect(readFileSync(join(repo, 'refs', 'main'), 'utf8')).toBe(commit);
    const expected = NEEDED.map((name) => ({ name, etag: etagOf(name, files.get(name)!) }));
    expect(listTree(repo)).toEqual(
      [...expected.map((e) => `blobs/${e.etag}`), 'refs/main', ...expected.map((e) => `snapshots/${commit}/${e.name}`)].sort(),
    );
    for (const { name, etag } of expected) {
      const link = join(repo, 'snapshots', commit, name);
      expect(lstatSync(link).isSymbolicLink(), name).toBe(true);
      expect(readlinkSync(link), name).toBe(`../../blobs/${etag}`);
      expect(readFileSync(link).equals(files.get(name)!), name).toBe(true); // Buffer.equals: toEqual is slow on 400 kB
    }
  }

  it('downloads exactly the files the CLI needs into the huggingface_hub layout, then runs offline from it', async () => {
    const base = await cliWith({}, work, 'tokenize', '--model', source, '--text', 'a photo of a dog');
    const first = await online('tokenize', '--model', REPO, '--text', 'a photo of a dog');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(base.stdout);
    expect(first.stderr).toContain(`downloading ${REPO}/model.safetensors`);
    expectHfLayout(hub.commitOf(REPO));
    expect(hub.requests.some((r) => r.file === 'pytorch_model.bin' || r.file === 'README.md')).toBe(false);
    // the hub's 302 for the LFS file was followed to the CDN, which served it whole
    expect(hub.requests.filter((r) => r.file === 'model.safetensors').map((r) => `${r.origin} ${r.method} ${r.status}`)).toEqual([
      'hub HEAD 302',
      'hub GET 302',
      'cdn GET 200',
    ]);

    hub.resetStats();
    const again = await online('tokenize', '--model', REPO, '--text', 'a photo of a dog');
    expect(again.stdout).toBe(base.stdout);
    expect(hub.requests.filter((r) => r.path.includes('/resolve/'))).toEqual([]); // everything was cached

    hub.resetStats();
    const off = await offline('tokenize', '--model', REPO, '--text', 'a photo of a dog');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toBe(base.stdout);
    expect(hub.requests).toEqual([]);
  });

  it('a repo with both layouts and sharded OpenCLIP weights: only the OpenCLIP files are fetched, and decompose equals the folder', async () => {
    const shardedDir = join(work, 'sharded-source');
    const tokenizer = generateBpeVocab(['a photo of a cat'], 20);
    const written = generateCheckpointDir(shardedDir, TINY_P14_QUICKGELU, { layout: 'openclip', seed: 9, shards: 2, tokenizer }).map((p) => basename(p));
    const repoDir = join(hubRoot, 'test-org', 'both-layouts');
    mkdirSync(repoDir, { recursive: true });
    for (const name of readdirSync(shardedDir)) writeFileSync(join(repoDir, name), readFileSync(join(shardedDir, name)));
    // the HF layout beside it, as in laion/* repos: the loader prefers OpenCLIP, so these stay remote
    for (const name of ['config.json', 'model.safetensors']) writeFileSync(join(repoDir, name), files.get(name)!);
    await hub.stop();
    hub = await startMockHub(hubRoot);

    const fromFolder = await cliWith({}, work, 'decompose', '--model', shardedDir, '--image', IMAGE, '--out', join(work, 's-folder'));
    const fromHub = await online('decompose', '--model', 'test-org/both-layouts', '--image', IMAGE, '--out', join(work, 's-hub'));
    expect(fromFolder.code, fromFolder.stderr).toBe(0);
    expect(fromHub.code, fromHub.stderr).toBe(0);
    for (const f of readdirSync(join(work, 's-folder')).filter((x) => x.endsWith('.npy'))) {
      expect(readFileSync(join(work, 's-hub', f)).equals(readFileSync(join(work, 's-folder', f))), f).toBe(true);
    }
    const snapshot = join(home, 'hub', 'models--test-org--both-layouts', 'snapshots', hub.commitOf('test-org/both-layouts'));
    expect(readdirSync(snapshot).sort()).toEqual([...written].sort());
    expect(written).toContain('open_clip_model.safetensors.index.json');
    expect(written.filter((f) => /^open_clip_model-\d+-of-\d+\.safetensors$/.test(f))).toHaveLength(2);
    expect(hub.requests.some((r) => r.path.endsWith('/model.safetensors') || r.path.endsWith('/config.json'))).toBe(false);
  });

  it('a repo whose only weights are a pickle is refused naming the file, before any download', async () => {
    const r = await online('tokenize', '--model', 'test-org/pickled', '--text', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pytorch_model.bin is a pickle checkpoint: use the safetensors file');
    expect(hub.requests.filter((q) => q.path.includes('/resolve/'))).toEqual([]);
  });

  /**
   * What a client keeps of a cut response is the bytes it read before the reset (at most the
   * 40,000 sent; fewer on a loaded machine): the resume must ask for exactly the rest.
   */
  function expectResumedAfterCut(size: number, cdnHonoursRange: boolean): void {
    const [first, second, ...more] = weightsGets();
    expect(more).toEqual([]);
    expect([first.range, first.status]).toEqual([undefined, 200]);
    const kept = second.range === undefined ? 0 : Number(/^bytes=(\d+)-$/.exec(second.range)![1]);
    expect(kept).toBeLessThanOrEqual(40_000);
    expect(second.status).toBe(kept > 0 && cdnHonoursRange ? 206 : 200);
    expect(second.bytes).toBe(cdnHonoursRange ? size - kept : size);
  }

  it('a connection cut mid-file is resumed with Range in the same run', async () => {
    const size = files.get('model.safetensors')!.byteLength;
    hub.dropAfterBytes(40_000, { match: 'model.safetensors' });
    const r = await online('tokenize', '--model', REPO, '--text', 'cat');
    expect(r.code, r.stderr).toBe(0);
    expectResumedAfterCut(size, true);
    expectHfLayout(hub.commitOf(REPO));
  });

  it('a CDN that ignores Range: the cut download starts over and still ends verified', async () => {
    const size = files.get('model.safetensors')!.byteLength;
    hub.setCdnMode('ignores-range');
    try {
      hub.dropAfterBytes(40_000, { match: 'model.safetensors' });
      const r = await online('tokenize', '--model', REPO, '--text', 'cat');
      expect(r.code, r.stderr).toBe(0);
      expectResumedAfterCut(size, false);
      expectHfLayout(hub.commitOf(REPO));
    } finally {
      hub.setCdnMode('exposes-content-range');
    }
  });

  it('a download that keeps failing exits saying so and keeps what arrived in blobs/<etag>.incomplete', async () => {
    const bytes = files.get('model.safetensors')!;
    hub.dropAfterBytes(40_000, { match: 'model.safetensors', thenFail: 100 });
    const failed = await online('tokenize', '--model', REPO, '--text', 'cat');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('run the command again to resume');
    const kept = readFileSync(join(home, 'hub', CACHE_FOLDER, 'blobs', `${sha256(bytes)}.incomplete`));
    expect(kept.byteLength).toBeLessThanOrEqual(40_000);
    expect(kept.equals(bytes.subarray(0, kept.byteLength))).toBe(true);
    expect(existsSync(join(home, 'hub', CACHE_FOLDER, 'blobs', sha256(bytes)))).toBe(false);
  });

  it('the next run resumes from blobs/<etag>.incomplete, fetching only the rest', async () => {
    const bytes = files.get('model.safetensors')!;
    const blobs = join(home, 'hub', CACHE_FOLDER, 'blobs');
    mkdirSync(blobs, { recursive: true });
    writeFileSync(join(blobs, `${sha256(bytes)}.incomplete`), bytes.subarray(0, 40_000)); // as an interrupted run leaves it
    const resumed = await online('tokenize', '--model', REPO, '--text', 'cat');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming at byte 40000');
    expect(weightsGets().map((g) => [g.range, g.status])).toEqual([['bytes=40000-', 206]]);
    expect(hub.bytesSent('model.safetensors')).toBe(bytes.byteLength - 40_000);
    expect(existsSync(join(blobs, `${sha256(bytes)}.incomplete`))).toBe(false);
    expectHfLayout(hub.commitOf(REPO));
  });

  it('bytes that do not hash to the etag are discarded, not renamed into the cache', async () => {
    const good = files.get('model.safetensors')!;
    const bad = good.slice();
    bad[bad.byteLength - 1] ^= 0xff;
    hub.corrupt(REPO, 'model.safetensors', bad);
    try {
      const r = await online('tokenize', '--model', REPO, '--text', 'cat');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`model.safetensors: the downloaded bytes hash to sha256 ${sha256(bad)}, the hub names ${sha256(good)}`);
      const blobs = join(home, 'hub', CACHE_FOLDER, 'blobs');
      expect(readdirSync(blobs).filter((f) => f.startsWith(sha256(good)))).toEqual([]);
    } finally {
      hub.corrupt(REPO, 'model.safetensors', good);
    }
  });

  it('a missing repo (401 RepoNotFound without a token, 404 with one) or revision (404 RevisionNotFound) says so, naming the hub', async () => {
    const repo = await online('tokenize', '--model', 'test-org/absent', '--text', 'x');
    expect(repo.code).toBe(1);
    expect(repo.stderr).toContain(`test-org/absent not found on ${hub.url}, or private or gated: set HF_TOKEN`);
    expect(repo.stderr).toContain('(and there is no folder test-org/absent)');
    const withToken = await cliWith({ HF_HOME: home, HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_any' }, work, 'tokenize', '--model', 'test-org/absent', '--text', 'x');
    expect(withToken.stderr).toContain(`test-org/absent not found on ${hub.url}, or the token (HF_TOKEN / token file) has no access to it`);
    const rev = await online('tokenize', '--model', `${REPO}@no-such-branch`, '--text', 'x');
    expect(rev.code).toBe(1);
    expect(rev.stderr).toContain(`clipscope: ${REPO}: revision 'no-such-branch' not found on ${hub.url}`);
  });

  describe('a gated repo', () => {
    const GATED = 'test-org/gated-clip';
    const TOKEN = 'hf_granted_token';
    beforeAll(() => {
      const dir = join(hubRoot, ...GATED.split('/'));
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    });
    beforeEach(async () => {
      await hub.stop();
      hub = await startMockHub(hubRoot, { gated: { [GATED]: [TOKEN] } });
    });

    it('without a token (401 GatedRepo) or with one not granted (403) fails saying it is gated', async () => {
      const none = await online('tokenize', '--model', GATED, '--text', 'x');
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`${GATED} is gated on ${hub.url}: accept its conditions there, then set HF_TOKEN`);
      const wrong = await cliWith({ HF_HOME: home, HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_not_granted' }, work, 'tokenize', '--model', GATED, '--text', 'x');
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('(the token sent was refused)');
      expect(hub.requests.filter((r) => r.origin === 'cdn')).toEqual([]);
    });

    it('with the token in $HF_HOME/token: downloads, the token goes to the hub on every request and never to the CDN', async () => {
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'token'), `${TOKEN}\n`);
      const r = await online('tokenize', '--model', GATED, '--text', 'a photo of a cat');
      expect(r.code, r.stderr).toBe(0);
      const hubRequests = hub.requests.filter((q) => q.origin === 'hub');
      const cdnRequests = hub.requests.filter((q) => q.origin === 'cdn');
      expect(hubRequests.length).toBeGreaterThan(5);
      expect(hubRequests.filter((q) => q.authorization !== `Bearer ${TOKEN}`)).toEqual([]);
      expect(cdnRequests.map((q) => `${q.method} ${q.file} ${q.status}`)).toEqual(['GET model.safetensors 200']);
      expect(cdnRequests.filter((q) => q.authorization !== undefined)).toEqual([]);
      const snapshot = join(home, 'hub', 'models--test-org--gated-clip', 'snapshots', hub.commitOf(GATED));
      expect(readlinkSync(join(snapshot, 'model.safetensors'))).toBe(`../../blobs/${sha256(files.get('model.safetensors')!)}`);
    });
  });
});
