/**
 * The mock hub answers as the real Hugging Face hub does (e2e/lib/mockHub.ts names the facts), so
 * the clients tested against it meet the real hub's redirects, CORS choices and error codes.
 * Driven with Node's fetch, which follows redirects like a browser's.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../e2e/lib/mockHub.ts';

const REPO = 'org/model';
const GATED = 'org/gated';
const WEIGHTS = new Uint8Array(50_000).map((_, i) => (i * 31 + 7) % 251);
const CONFIG = '{"model_type": "clip"}\n';
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const gitOid = (b: Uint8Array | string) => {
  const bytes = typeof b === 'string' ? Buffer.from(b) : b;
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
};

describe('mock hub (two origins, as the real hub answers)', () => {
  let root: string;
  let hub: MockHub;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mockhub-'));
    for (const repo of [REPO, GATED]) {
      mkdirSync(join(root, repo), { recursive: true });
      writeFileSync(join(root, repo, 'model.safetensors'), WEIGHTS);
      writeFileSync(join(root, repo, 'config.json'), CONFIG);
    }
    hub = await startMockHub(root, { gated: { [GATED]: ['hf_good'] } });
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    hub.resetStats();
    hub.setCdnMode('exposes-content-range');
  });
  const resolve = (repo: string, file: string, rev = 'main') => `${hub.url}/${repo}/resolve/${rev}/${file}`;

  it('serves the CDN on a second origin', () => {
    expect(new URL(hub.cdnUrl).origin).not.toBe(new URL(hub.url).origin);
  });

  it('/resolve/ of an LFS file answers 302 to the CDN with X-Repo-Commit, X-Linked-Size, X-Linked-Etag and ETag', async () => {
    const res = await fetch(resolve(REPO, 'model.safetensors'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')!.startsWith(`${hub.cdnUrl}/`)).toBe(true);
    expect(res.headers.get('x-repo-commit')).toBe(hub.commitOf(REPO));
    expect(res.headers.get('x-linked-size')).toBe(String(WEIGHTS.byteLength));
    expect(res.headers.get('x-linked-etag')).toBe(`"${sha256(WEIGHTS)}"`);
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(WEIGHTS)}\nsize ${WEIGHTS.byteLength}\n`;
    expect(res.headers.get('etag')).toBe(`"${gitOid(pointer)}"`);
  });

  it('a git file is served by the hub itself, ETag its git blob id', async () => {
    const res = await fetch(resolve(REPO, 'config.json'), { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${gitOid(CONFIG)}"`);
    expect(await res.text()).toBe(CONFIG);
  });

  it('following the redirect with a Range gives the bytes from the CDN; each mode decides Content-Range and 206', async () => {
    const get = () => fetch(resolve(REPO, 'model.safetensors'), { headers: { Range: 'bytes=100-199' } });
    let res = await get();
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${WEIGHTS.byteLength}`);
    expect(res.headers.get('access-control-expose-headers')).toContain('content-range');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(WEIGHTS.subarray(100, 200));

    hub.setCdnMode('hides-content-range');
    res = await get();
    expect(res.status).toBe(206);
    expect(res.headers.get('access-control-expose-headers')).not.toContain('content-range');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(WEIGHTS.subarray(100, 200));

    hub.setCdnMode('ignores-range');
    res = await get();
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(WEIGHTS);
    expect(hub.requests.filter((r) => r.origin === 'cdn').map((r) => r.status)).toEqual([206, 206, 200]);
    expect(hub.bytesSent('model.safetensors')).toBe(100 + 100 + WEIGHTS.byteLength);
  });

  it('the CDN refuses an unsigned URL (403) and a request carrying Authorization (400), and records it', async () => {
    const loc = (await fetch(resolve(REPO, 'model.safetensors'), { redirect: 'manual' })).headers.get('location')!;
    expect((await fetch(loc.replace(/signature=[0-9a-f]+/, 'signature=00'))).status).toBe(403);
    expect((await fetch(loc, { headers: { Authorization: 'Bearer hf_x' } })).status).toBe(400);
    expect(hub.requests.filter((r) => r.origin === 'cdn' && r.authorization)).toHaveLength(1);
  });

  it('a gated repo answers 401 GatedRepo without a token, 403 with a token not granted, and the file with a granted one', async () => {
    const anon = await fetch(resolve(GATED, 'config.json'));
    expect([anon.status, anon.headers.get('x-error-code')]).toEqual([401, 'GatedRepo']);
    expect(anon.headers.get('access-control-expose-headers')).toContain('x-error-code');
    const other = await fetch(resolve(GATED, 'config.json'), { headers: { Authorization: 'Bearer hf_other' } });
    expect([other.status, other.headers.get('x-error-code')]).toEqual([403, 'GatedRepo']);
    const ok = await fetch(resolve(GATED, 'model.safetensors'), { headers: { Authorization: 'Bearer hf_good' } });
    expect(ok.status).toBe(200);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(WEIGHTS);
    const preflight = await fetch(resolve(GATED, 'config.json'), { method: 'OPTIONS', headers: { 'Access-Control-Request-Headers': 'authorization' } });
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    // Node's fetch, like a browser's, drops Authorization on the cross-origin redirect
    expect(hub.requests.filter((r) => r.origin === 'cdn').map((r) => r.authorization)).toEqual([undefined]);
  });

  it('missing repo: 401 RepoNotFound without a token, 404 with one; missing revision and file: 404 RevisionNotFound, EntryNotFound', async () => {
    const code = async (url: string, token?: string) => {
      const r = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
      return [r.status, r.headers.get('x-error-code')];
    };
    expect(await code(resolve('org/absent', 'config.json'))).toEqual([401, 'RepoNotFound']);
    expect(await code(`${hub.url}/api/models/org/absent/tree/main`)).toEqual([401, 'RepoNotFound']);
    expect(await code(resolve('org/absent', 'config.json'), 'hf_good')).toEqual([404, 'RepoNotFound']);
    expect(await code(resolve(REPO, 'config.json', 'no-such-branch'))).toEqual([404, 'RevisionNotFound']);
    expect(await code(`${hub.url}/api/models/${REPO}/revision/no-such-branch`)).toEqual([404, 'RevisionNotFound']);
    expect(await code(resolve(REPO, 'absent.json'))).toEqual([404, 'EntryNotFound']);
  });

  it('the tree lists sizes, git oids and LFS sha256; the revision endpoint pins the commit and honours expand', async () => {
    const tree = (await (await fetch(`${hub.url}/api/models/${REPO}/tree/main?recursive=false&expand=false`)).json()) as Record<string, unknown>[];
    const weights = tree.find((e) => e.path === 'model.safetensors')!;
    expect(weights).toMatchObject({ type: 'file', size: WEIGHTS.byteLength, lfs: { oid: sha256(WEIGHTS), size: WEIGHTS.byteLength } });
    expect(tree.find((e) => e.path === 'config.json')).toEqual({ type: 'file', oid: gitOid(CONFIG), size: CONFIG.length, path: 'config.json' });
    const info = (await (await fetch(`${hub.url}/api/models/${REPO}/revision/main?expand=sha`)).json()) as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['_id', 'id', 'sha']);
    expect(info.sha).toBe(hub.commitOf(REPO));
  });
});
