/**
 * The download manager against the mock hub on 127.0.0.1, storing into memory: only the needed
 * tensors are fetched, stored models read like the original files and load with loadCheckpoint,
 * cut connections resume without refetching, cancellation and checksum errors behave.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../e2e/lib/mockHub.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU, TINY_P16_GELU } from '../model/checkpoint/checkpointGenerator.ts';
import { loadCheckpoint, readWeightF32 } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import { readSafetensorsHeader } from '../model/checkpoint/safetensors.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { CheckpointError } from '../model/checkpoint/errors.ts';
import { estimateFromHub } from './catalog.ts';
import { downloadModel } from './download.ts';
import { HubClient } from './hubClient.ts';
import { HubError } from './errors.ts';
import { ModelStore, memoryBackend, modelIdFor } from './storage.ts';
import { loadStoredCheckpoint } from './storedCheckpoint.ts';
import type { DownloadProgress } from '../api/hub.ts';

const ROOT = mkdtempSync(join(tmpdir(), 'clipscope-hub-'));
const OC = 'test-org/tiny-openclip';
const HF = 'test-org/tiny-hf';
const SHARDED = 'test-org/tiny-hf-sharded';
const PICKLE = 'test-org/pickle-only';
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 4 } };

let hub: MockHub;

beforeAll(async () => {
  const tokenizer = generateBpeVocab(['a photo of a cat', 'a photo of a dog'], 20);
  // big enough that a cut lands inside the weights (the mock writes 16 KiB chunks)
  generateCheckpointDir(join(ROOT, OC), TINY_P14_QUICKGELU, { layout: 'openclip', seed: 3, tokenizer });
  generateCheckpointDir(join(ROOT, HF), TINY_P16_GELU, { layout: 'hf', seed: 4, tokenizer });
  generateCheckpointDir(join(ROOT, SHARDED), TINY_P16_GELU, { layout: 'hf', seed: 4, shards: 2 });
  generateCheckpointDir(join(ROOT, PICKLE), TINY_P16_GELU, { layout: 'hf', seed: 4 });
  rmSync(join(ROOT, PICKLE, 'model.safetensors'));
  writeFileSync(join(ROOT, PICKLE, 'pytorch_model.bin'), new Uint8Array(64));
  hub = await startMockHub(ROOT);
});

afterAll(async () => {
  await hub?.stop();
  rmSync(ROOT, { recursive: true, force: true });
});

const original = (repo: string, file: string) => new Uint8Array(readFileSync(join(ROOT, repo, file)));
const newStore = () => new ModelStore(memoryBackend());

describe('downloadModel from the mock hub', () => {
  it('downloadModel({repo, towers: [vision, text]}) stores every file whole, sha256-checked, and loads like the original', async () => {
    const store = newStore();
    const events: DownloadProgress[] = [];
    hub.resetStats();
    const info = await downloadModel({ endpoint: hub.url, repo: OC, revision: 'main', towers: ['vision', 'text'] }, { store, onProgress: (p) => events.push(p) });
    expect(info.id).toBe(modelIdFor(OC, hub.commitOf(OC)));
    expect(info.revision).toBe(hub.commitOf(OC));
    expect(info.complete).toBe(true);
    const weights = info.files.find((f) => f.name === 'open_clip_model.safetensors')!;
    expect(weights.storedBytes).toBe(weights.size);
    expect(weights.verified).toEqual({ kind: 'sha256', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(info.files.find((f) => f.name === 'open_clip_config.json')!.verified?.kind).toBe('git-oid');
    // the whole weights file travelled once (its header twice: planning, then it is reused)
    expect(hub.bytesSent('open_clip_model.safetensors')).toBe(weights.size);

    const direct = await loadCheckpoint(nodeModelDir(join(ROOT, OC)));
    expect(info.fingerprint).toBe(direct.fingerprint);
    const stored = await loadStoredCheckpoint(store, info.id);
    expect(stored.text).toEqual(direct.text);
    const w = await readWeightF32(stored, 'v.0.fc1.w');
    expect(w.data).toEqual((await readWeightF32(direct, 'v.0.fc1.w')).data);

    // progress: phases in order, bytes monotone, ending at the total
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual(['resolve', 'headers', 'download', 'verify', 'done']);
    const dl = events.filter((e) => e.phase !== 'resolve' && e.phase !== 'headers');
    for (let i = 1; i < dl.length; i++) expect(dl[i].bytesDone).toBeGreaterThanOrEqual(dl[i - 1].bytesDone);
    const last = events[events.length - 1];
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.bytesTotal).toBe(info.totalBytes);
  });

  it('downloadModel({towers: [vision]}) fetches only the header, the vision tensors and the fingerprint samples', async () => {
    const store = newStore();
    hub.resetStats();
    const info = await downloadModel({ endpoint: hub.url, repo: OC, towers: ['vision'] }, { store, maxGap: 0 });
    const file = 'open_clip_model.safetensors';
    const bytes = original(OC, file);
    const header = await readSafetensorsHeader({ name: file, size: bytes.byteLength, read: async (o, l) => bytes.subarray(o, o + l) });
    let visionBytes = 0;
    for (const t of header.tensors.values()) if (t.name.startsWith('visual.')) visionBytes += t.byteLength;
    const entry = info.files.find((f) => f.name === file)!;
    // header + vision tensors + at most 8 KiB of fingerprint samples (some fall inside vision tensors)
    expect(entry.storedBytes).toBeGreaterThanOrEqual(header.headerBytes.byteLength + visionBytes);
    expect(entry.storedBytes).toBeLessThanOrEqual(header.headerBytes.byteLength + visionBytes + 8 * 1024);
    expect(entry.storedBytes).toBeLessThan(entry.size);
    expect(entry.verified).toEqual({ kind: 'ranges', headerBytes: header.headerBytes.byteLength, ranges: expect.any(Number) });
    // configs and tokenizer files (fingerprinted by the loader) whole, the weights in part
    expect(info.files.map((f) => f.name).sort()).toEqual(['merges.txt', 'open_clip_config.json', file, 'vocab.json']);
    // the header is fetched once at planning; everything else once
    expect(hub.bytesSent(file)).toBe(entry.storedBytes);

    const direct = await loadCheckpoint(nodeModelDir(join(ROOT, OC)));
    expect(info.fingerprint).toBe(direct.fingerprint);
    const { files } = await store.openModelFiles(info.id);
    const src = await files.open(file);
    // every vision tensor reads back equal to the original bytes at its original offsets
    for (const t of header.tensors.values()) {
      if (!t.name.startsWith('visual.')) continue;
      expect(await src.read(t.byteOffset, t.byteLength)).toEqual(bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength));
    }
    const tok = header.tensors.get('token_embedding.weight')!;
    await expect(src.read(tok.byteOffset, tok.byteLength)).rejects.toMatchObject({ code: 'not-fetched' });
    await expect(src.read(tok.byteOffset, tok.byteLength)).rejects.toThrow(/were not downloaded \(stored with the vision tower only\)/);
    // the stored checkpoint drops the text tower rather than offering half a model
    const stored = await loadStoredCheckpoint(store, info.id);
    expect(stored.text).toBeUndefined();
    expect([...stored.weights.keys()].every((k) => k.startsWith('v.'))).toBe(true);
    expect(stored.vision).toEqual(direct.vision);
  });

  it('a connection cut mid-download resumes from the last stored byte (bytes sent stay the file size plus one cut chunk)', async () => {
    const store = newStore();
    hub.resetStats();
    const file = 'open_clip_model.safetensors';
    const size = original(OC, file).byteLength;
    hub.dropAfterBytes(20_000, { match: file, count: 2 });
    const events: DownloadProgress[] = [];
    const info = await downloadModel({ endpoint: hub.url, repo: OC, towers: ['vision', 'text'] }, { store, ...fast, onProgress: (p) => events.push(p) });
    expect(info.complete).toBe(true);
    expect(events[events.length - 1].retries).toBe(2);
    const gets = hub.requests.filter((r) => r.path.endsWith(file));
    // planning (2 header reads), the cut request, its resumption (cut again), the final resumption
    expect(gets.length).toBe(5);
    const ranges = gets.map((r) => r.range);
    expect(ranges[3]).not.toBe(ranges[2]); // the retry asked for the rest, not the same range again
    // the bytes that crossed the wire: the file once, plus nothing re-sent (a cut's bytes were stored)
    expect(hub.bytesSent(file)).toBe(size);
    expect(info.files.find((f) => f.name === file)!.verified?.kind).toBe('sha256');
  });

  it('fails after the bounded number of attempts, and retries 503 answers with backoff', async () => {
    const store = newStore();
    hub.failNext(3, { status: 503, match: '/resolve/' });
    const info = await downloadModel({ endpoint: hub.url, repo: HF, towers: ['vision'] }, { store, ...fast });
    expect(info.complete).toBe(true);
    hub.failNext(10, { status: 503, match: '/resolve/' });
    await expect(downloadModel({ endpoint: hub.url, repo: OC, towers: ['vision'] }, { store, retry: { attempts: 3, baseDelayMs: 1 } })).rejects.toThrow(
      /gave up after 3 failed attempts/,
    );
    hub.clearFaults();
    hub.resetStats();
  });

  it('cancel (AbortSignal) rejects with code cancelled; a later download in a fresh store object over the same storage resumes', async () => {
    const backend = memoryBackend();
    const file = 'model.safetensors';
    const ctrl = new AbortController();
    hub.dropAfterBytes(10_000, { match: file });
    hub.resetStats();
    // abort as soon as the cut happens (first retry)
    const run = downloadModel(
      { endpoint: hub.url, repo: HF, towers: ['vision', 'text'] },
      { store: new ModelStore(backend), retry: { baseDelayMs: 50 }, onProgress: (p) => p.retries > 0 && ctrl.abort(), signal: ctrl.signal },
    );
    await expect(run).rejects.toMatchObject({ name: 'HubError', code: 'cancelled' });
    const store = new ModelStore(backend); // a page reload: same storage, new objects
    const [partial] = await store.list();
    expect(partial.complete).toBe(false);
    const storedBefore = partial.files.find((f) => f.name === file)!.storedBytes;
    expect(storedBefore).toBeGreaterThan(0);
    await expect(store.openModelFiles(partial.id)).rejects.toThrow(/incomplete/);
    const sentBefore = hub.bytesSent(file);
    const info = await downloadModel({ endpoint: hub.url, repo: HF, towers: ['vision', 'text'] }, { store });
    expect(info.complete).toBe(true);
    const size = original(HF, file).byteLength;
    // the resumed run fetched only what was missing
    expect(hub.bytesSent(file) - sentBefore).toBe(size - storedBefore);
    const direct = await loadCheckpoint(nodeModelDir(join(ROOT, HF)));
    expect(info.fingerprint).toBe(direct.fingerprint);
    await store.delete(info.id);
    expect(await store.list()).toEqual([]);
  });

  it('a file whose bytes do not match the listed sha256 is refused and discarded', async () => {
    const store = newStore();
    const file = 'model.safetensors';
    const good = original(SHARDED, 'model-00001-of-00002.safetensors');
    const bad = good.slice();
    bad[bad.length - 1] ^= 0xff;
    hub.corrupt(SHARDED, 'model-00001-of-00002.safetensors', bad);
    try {
      const run = downloadModel({ endpoint: hub.url, repo: SHARDED, towers: ['vision', 'text'] }, { store });
      await expect(run).rejects.toMatchObject({ code: 'sha256-mismatch' });
      await expect(run).rejects.toThrow(/model-00001-of-00002\.safetensors: sha256 [0-9a-f]{64} differs from the hub's/);
      const [partial] = await store.list();
      expect(partial.files.find((f) => f.name === 'model-00001-of-00002.safetensors')!.storedBytes).toBe(0);
    } finally {
      hub.corrupt(SHARDED, 'model-00001-of-00002.safetensors', good);
    }
    const info = await downloadModel({ endpoint: hub.url, repo: SHARDED, towers: ['vision', 'text'] }, { store });
    expect(info.complete).toBe(true);
    expect(info.files.map((f) => f.name)).toContain('model.safetensors.index.json');
    expect(info.files.map((f) => f.name)).not.toContain(file);
    expect(info.fingerprint).toBe((await loadCheckpoint(nodeModelDir(join(ROOT, SHARDED)))).fingerprint);
  });

  it('a small file that arrives with the wrong size is refused (size-mismatch)', async () => {
    const store = newStore();
    const good = original(HF, 'config.json');
    hub.corrupt(HF, 'config.json', good.subarray(0, good.byteLength - 3));
    try {
      const run = downloadModel({ endpoint: hub.url, repo: HF }, { store, ...fast });
      await expect(run).rejects.toMatchObject({ code: 'size-mismatch' });
      // read whole (@huggingface/hub's downloadFile), so the listing's size is compared with what arrived
      await expect(run).rejects.toThrow(`config.json: the hub lists ${good.byteLength} bytes, ${good.byteLength - 3} arrived`);
    } finally {
      hub.corrupt(HF, 'config.json', good);
    }
  });

  it('a pickle-only repo is refused with the loader\'s message; an unknown repo: "not found, or gated" without a token, not-found with one', async () => {
    const store = newStore();
    const err = await downloadModel({ endpoint: hub.url, repo: PICKLE }, { store }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err).toMatchObject({ code: 'pickle', message: 'pytorch_model.bin is a pickle checkpoint: use the safetensors file' });
    const missing = await downloadModel({ endpoint: hub.url, repo: 'test-org/nope' }, { store }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HubError);
    // without a token the hub answers 401 for missing, private and gated repos alike
    expect(missing).toMatchObject({ code: 'unauthorized', message: `test-org/nope: not found, or gated: log in with a token (${hub.url} answered 401 RepoNotFound)` });
    const withToken = await downloadModel({ endpoint: hub.url, repo: 'test-org/nope', token: 'hf_sometoken' }, { store }).catch((e: unknown) => e);
    expect(withToken).toMatchObject({ code: 'not-found', message: `test-org/nope: not found on ${hub.url}, or this token cannot see it` });
    expect(await store.list()).toEqual([]);
  });

  it('estimateFromHub reads tower sizes from the listing and headers only (no weight bytes)', async () => {
    hub.resetStats();
    const { estimate, layout } = await estimateFromHub(new HubClient({ endpoint: hub.url }), OC, 'main');
    expect(layout).toBe('openclip');
    const direct = await loadCheckpoint(nodeModelDir(join(ROOT, OC)));
    let vision = 0;
    let text = 0;
    for (const [name, ref] of direct.weights) {
      if (name.includes('.q.') || name.includes('.k.') || name.includes('.v.')) continue; // slices of in_proj
      (name.startsWith('v.') ? (n: number) => (vision += n) : (n: number) => (text += n))(ref.byteLength);
    }
    const bytes = original(OC, 'open_clip_model.safetensors');
    const header = await readSafetensorsHeader({ name: 'w', size: bytes.byteLength, read: async (o, l) => bytes.subarray(o, o + l) });
    const inProj = (prefix: string) => [...header.tensors.values()].filter((t) => t.name.startsWith(prefix) && t.name.includes('in_proj')).reduce((n, t) => n + t.byteLength, 0);
    expect(estimate.bytes.vision).toBe(vision + inProj('visual.'));
    expect(estimate.bytes.text).toBe(text + inProj('transformer.'));
    expect(estimate.params.vision * 4).toBe(estimate.bytes.vision);
    // only the configs and the header travelled
    expect(hub.bytesSent('open_clip_model.safetensors')).toBe(header.headerBytes.byteLength);
  });
});
