/**
 * The download against each way the real hub answers (the mock hub's modes): the weights behind
 * a 302 to a CDN that hides Content-Range or ignores Range, gated repos and tokens, missing
 * revisions and files. Each stored model must load with the original checkpoint's fingerprint.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../e2e/lib/mockHub.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import { readSafetensorsHeader } from '../model/checkpoint/safetensors.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P16_GELU } from '../model/checkpoint/checkpointGenerator.ts';
import { CHECK_WINDOW_BYTES } from './crossCheck.ts';
import { CROSS_CHECKED, downloadModel, WHOLE_CHECK_FAILED, WHOLE_RANGE_IGNORED } from './download.ts';
import { HubClient } from './hubClient.ts';
import { ModelStore, memoryBackend } from './storage.ts';
import type { DownloadProgress, HubModelRequest } from '../api/hub.ts';

const ROOT = mkdtempSync(join(tmpdir(), 'clipscope-hub-modes-'));
const REPO = 'test-org/tiny-hf';
const GATED = 'test-org/tiny-gated';
const WEIGHTS = 'model.safetensors';
const TOKEN = 'hf_granted_token';
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 4 } };

let hub: MockHub;
let fingerprint: string;

beforeAll(async () => {
  const tokenizer = generateBpeVocab(['a photo of a cat'], 20);
  generateCheckpointDir(join(ROOT, REPO), TINY_P16_GELU, { layout: 'hf', seed: 21, tokenizer });
  generateCheckpointDir(join(ROOT, GATED), TINY_P16_GELU, { layout: 'hf', seed: 21, tokenizer });
  fingerprint = (await loadCheckpoint(nodeModelDir(join(ROOT, REPO)))).fingerprint;
  hub = await startMockHub(ROOT, { gated: { [GATED]: [TOKEN] } });
});
afterAll(async () => {
  await hub?.stop();
  rmSync(ROOT, { recursive: true, force: true });
});
beforeEach(() => {
  hub.setCdnMode('exposes-content-range');
  hub.clearFaults();
  hub.resetStats();
});

const vision = (extra: Partial<HubModelRequest> = {}): HubModelRequest => ({ endpoint: hub.url, repo: REPO, towers: ['vision'], ...extra });
const weightsSize = () => readFileSync(join(ROOT, REPO, WEIGHTS)).byteLength;

/** CORS-safelisted response headers: a script always reads these */
const SAFELISTED = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'];

/**
 * Node's fetch with a browser's view of a cross-origin response (the app's origin is neither the
 * hub's nor the CDN's): only safelisted headers and those the response's
 * Access-Control-Expose-Headers names are readable.
 */
const browserView =
  (inner: typeof fetch = fetch): typeof fetch =>
  async (input, init) => {
    const res = await inner(input, init);
    const exposed = new Set([...SAFELISTED, ...(res.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase())]);
    const headers = new Headers([...res.headers].filter(([name]) => exposed.has(name.toLowerCase())));
    const view = new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    Object.defineProperty(view, 'url', { value: res.url });
    return view;
  };

async function download(req: HubModelRequest, options: { fetch?: typeof fetch } = {}) {
  const store = new ModelStore(memoryBackend());
  const events: DownloadProgress[] = [];
  // maxGap 0: the tiny model's towers stay separate ranges instead of merging into the whole file
  const info = await downloadModel(req, { store, ...fast, maxGap: 0, fetch: browserView(options.fetch), onProgress: (p) => events.push(p) });
  const { files } = await store.openModelFiles(info.id);
  const weights = info.files.find((f) => f.name === WEIGHTS)!;
  return { info, events, weights, loaded: await loadCheckpoint(files) };
}

/**
 * An intermediary that rewrites the Range of every weights request longer than a check window
 * and past the header (the requests that carry tower bytes), as a misbehaving proxy might.
 */
async function rewritingLongRanges(rewrite: (inclusive: [number, number]) => [number, number]): Promise<typeof fetch> {
  const headerEnd = (await readSafetensorsHeader(await nodeModelDir(join(ROOT, REPO)).open(WEIGHTS))).headerBytes.byteLength;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    const m = /^bytes=(\d+)-(\d+)$/.exec(headers.get('range') ?? '');
    if (String(input).endsWith(WEIGHTS) && m && Number(m[1]) >= headerEnd && Number(m[2]) - Number(m[1]) + 1 > CHECK_WINDOW_BYTES) {
      const [a, b] = rewrite([Number(m[1]), Number(m[2])]);
      headers.set('range', `bytes=${a}-${b}`);
    }
    return fetch(input, { ...init, headers });
  };
}

describe('downloadModel through the redirect to the CDN', () => {
  it('a CDN that exposes Content-Range: tower ranges, placed by Content-Range', async () => {
    const { info, weights, loaded } = await download(vision());
    expect(loaded.fingerprint).toBe(fingerprint);
    expect(weights.verified?.kind).toBe('ranges');
    expect(weights.storedBytes).toBeLessThan(weightsSize());
    expect(info.complete).toBe(true);
    expect(hub.requests.some((r) => r.origin === 'cdn' && r.status === 206)).toBe(true);
  });

  it('a CDN that hides Content-Range: 206s of the requested length, each range cross-checked by a separate window', async () => {
    hub.setCdnMode('hides-content-range');
    const { weights, events, loaded } = await download(vision());
    expect(loaded.fingerprint).toBe(fingerprint);
    expect(weights.verified).toMatchObject({ kind: 'ranges-cross-checked' });
    const windows = weights.verified?.kind === 'ranges-cross-checked' ? weights.verified.windows : 0;
    expect(windows).toBeGreaterThan(0);
    expect(weights.storedBytes).toBeLessThan(weightsSize());
    expect(events.some((e) => e.file === WEIGHTS && e.note === CROSS_CHECKED)).toBe(true);
    // the weights crossed the wire once, plus the header's two reads and the windows
    const header = await readSafetensorsHeader(await nodeModelDir(join(ROOT, REPO)).open(WEIGHTS));
    expect(hub.bytesSent(WEIGHTS)).toBeLessThanOrEqual(weights.storedBytes + header.headerBytes.byteLength + windows * CHECK_WINDOW_BYTES);
  });

  it('a CDN that ignores Range: the weights file is streamed whole once, its sha256 checked, and the progress line says so', async () => {
    hub.setCdnMode('ignores-range');
    const { weights, events, loaded } = await download(vision());
    expect(loaded.fingerprint).toBe(fingerprint);
    expect(weights.verified?.kind).toBe('sha256');
    expect(weights.storedBytes).toBe(weightsSize());
    expect(events.filter((e) => e.phase === 'download' && e.file === WEIGHTS).every((e) => e.note === WHOLE_RANGE_IGNORED)).toBe(true);
    expect(events.some((e) => e.note === WHOLE_RANGE_IGNORED)).toBe(true);
  });

  it('ranges the cross-check exposes as misplaced (an intermediary shifting offsets) are discarded and the file is fetched whole', async () => {
    hub.setCdnMode('hides-content-range');
    // every long range past the header 4 bytes back: same length, wrong place
    const { weights, events, loaded } = await download(vision(), { fetch: await rewritingLongRanges(([a, b]) => [a - 4, b - 4]) });
    expect(loaded.fingerprint).toBe(fingerprint);
    expect(weights.verified?.kind).toBe('sha256');
    expect(events.some((e) => e.note === WHOLE_CHECK_FAILED)).toBe(true);
  });

  it('a 206 of another length than asked (Content-Range unreadable) drops the ranges: the file is fetched whole', async () => {
    hub.setCdnMode('hides-content-range');
    // long ranges past the header answered one byte short
    const { weights, events, loaded } = await download(vision(), { fetch: await rewritingLongRanges(([a, b]) => [a, b - 1]) });
    expect(loaded.fingerprint).toBe(fingerprint);
    expect(weights.verified?.kind).toBe('sha256');
    expect(weights.storedBytes).toBe(weightsSize());
    expect(events.some((e) => e.note === WHOLE_CHECK_FAILED)).toBe(true);
  });
});

describe('downloadModel: gated, missing and misnamed', () => {
  it('a gated repo without a token: "not found, or gated: log in with a token"; with a token not granted: says so', async () => {
    await expect(downloadModel(vision({ repo: GATED }), { store: new ModelStore(memoryBackend()), fetch: browserView() })).rejects.toMatchObject({
      code: 'unauthorized',
      message: `${GATED}: not found, or gated: log in with a token (${hub.url} answered 401 GatedRepo)`,
    });
    await expect(downloadModel(vision({ repo: GATED, token: 'hf_other' }), { store: new ModelStore(memoryBackend()), fetch: browserView() })).rejects.toMatchObject({
      code: 'unauthorized',
      message: `${GATED} is gated and this token has no access: accept its conditions on ${hub.url}/${GATED} with the token's account`,
    });
    await expect(downloadModel(vision({ repo: GATED, token: 'not a token' }), { store: new ModelStore(memoryBackend()) })).rejects.toThrow(/starts with "hf_"/);
  });

  it('a gated repo with a granted token downloads; the token reaches the hub and never the CDN', async () => {
    hub.setCdnMode('hides-content-range');
    const { loaded } = await download(vision({ repo: GATED, token: TOKEN }));
    expect(loaded.fingerprint).toBe(fingerprint);
    const hubGets = hub.requests.filter((r) => r.origin === 'hub' && r.method === 'GET');
    expect(hubGets.length).toBeGreaterThan(0);
    expect(hubGets.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const cdn = hub.requests.filter((r) => r.origin === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.filter((r) => r.authorization !== undefined || /authorization/i.test(r.requestHeaders ?? ''))).toEqual([]);
  });

  it('a revision that does not exist: revision-not-found naming it; a missing file: entry-not-found', async () => {
    await expect(downloadModel(vision({ revision: 'no-such-branch' }), { store: new ModelStore(memoryBackend()), fetch: browserView() })).rejects.toMatchObject({
      code: 'revision-not-found',
      message: `${REPO}: revision "no-such-branch" not found on ${hub.url} (give a branch, tag or commit id)`,
    });
    const hubClient = new HubClient({ endpoint: hub.url, fetch: browserView() });
    await expect(hubClient.readWhole({ repo: REPO, revision: 'main', file: 'absent.json' }, 10)).rejects.toMatchObject({
      code: 'entry-not-found',
      message: `${REPO}@main: absent.json: file not found on ${hub.url}`,
    });
  });
});
