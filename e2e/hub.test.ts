/**
 * Hub downloads in headless Chromium through the real worker and OPFS, from the mock hub (a
 * second origin, CORS): download a generated checkpoint's image tower with progress events while
 * the connection is cut mid-download (it resumes, fetching the tower's bytes once);
 * cancel a download, reload, resume it; list it; stop the hub, reload the page, load the model
 * from storage and decompose an image whose embedding equals a direct load's; delete it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU, type CheckpointSpec } from '../src/model/checkpoint/checkpointGenerator.ts';
import { generateBpeVocab } from '../src/model/tokenizer/generateBpeVocab.ts';
import { openHarness, type HarnessSession } from './lib/harness.ts';
import { startMockHub, type MockHub } from './lib/mockHub.ts';
import { CROSS_CHECKED, WHOLE_RANGE_IGNORED } from '../src/hub/download.ts';

const ROOT = fileURLToPath(new URL('./.out/fixtures/hub', import.meta.url));
const REPO = 'e2e-org/tiny-openclip';
/** a second repo for the cancel/resume test, so the first stays stored with its image tower only */
const REPO_B = 'e2e-org/tiny-openclip-b';
const WEIGHTS = 'open_clip_model.safetensors';

/** TINY_P14_QUICKGELU with a text tower larger than the download's range-merging gap (64 KiB) */
const SPEC: CheckpointSpec = { ...TINY_P14_QUICKGELU, name: 'tiny-p14-wide-text', text: { width: 64, layers: 2, heads: 4, contextLength: 12, vocabSize: 80 } };

function pixelsFor(S: number): number[] {
  return Array.from({ length: 3 * S * S }, (_, i) => Math.sin(i * 0.37) * 1.5);
}

async function reload(h: HarnessSession): Promise<void> {
  await h.page.reload();
  await h.page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready', null, { timeout: 60_000 });
}

describe('hub downloads in Chromium (worker + OPFS)', () => {
  let h: HarnessSession;
  let hub: MockHub;
  const dir = join(ROOT, REPO);
  before(async () => {
    rmSync(ROOT, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tokenizer = generateBpeVocab(['a photo of a cat', 'a photo of a dog'], 20);
    generateCheckpointDir(dir, SPEC, { layout: 'openclip', seed: 11, tokenizer });
    generateCheckpointDir(join(ROOT, REPO_B), SPEC, { layout: 'openclip', seed: 12, tokenizer });
    hub = await startMockHub(ROOT);
    h = await openHarness({ '/fixtures/': ROOT });
    await h.page.evaluate(() => window.harness.hub.clearStorage());
  });
  after(async () => {
    await hub?.stop();
    await h?.close();
  });
  const fail = (e: Error) => {
    throw new Error(`${e.message}\nconsole:\n${h.consoleLines.slice(-30).join('\n')}`);
  };

  it('downloadModel(vision) streams progress, resumes after a cut connection, and stores only the image tower', async () => {
    hub.resetStats();
    hub.dropAfterBytes(9_000, { match: WEIGHTS });
    const res = await h.page.evaluate((req) => window.harness.hub.download(req), { endpoint: hub.url, repo: REPO, towers: ['vision' as const] }).catch(fail);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.equal(res.id, `e2e-org--tiny-openclip@${hub.commitOf(REPO)}`);
    const last = res.events[res.events.length - 1];
    assert.equal(last.phase, 'done');
    assert.equal(last.bytesDone, last.bytesTotal);
    assert.ok(last.retries >= 1, `a retry after the cut: ${JSON.stringify(last)}`);
    assert.ok(res.events.some((e) => e.phase === 'download' && e.bytesDone > 0 && e.bytesDone < e.bytesTotal), 'intermediate progress');
    const [info] = await h.page.evaluate(() => window.harness.hub.list());
    const weights = info.files.find((f) => f.name === WEIGHTS)!;
    const size = statSync(join(dir, WEIGHTS)).size;
    assert.equal(info.complete, true);
    assert.deepEqual(info.towers, ['vision']);
    assert.ok(weights.storedBytes < size, `partial: ${weights.storedBytes} of ${size}`);
    assert.equal(weights.verified?.kind, 'ranges');
    // everything crossed the wire once: the cut's bytes were kept, the rest fetched after them
    assert.equal(hub.bytesSent(WEIGHTS), weights.storedBytes);
  });

  it('a cancelled download is listed incomplete after a reload and resumes from its stored bytes', async () => {
    hub.resetStats();
    // cut, then 503s: the page cancels at the first retry
    hub.dropAfterBytes(9_000, { match: WEIGHTS, thenFail: 1000 });
    const req = { endpoint: hub.url, repo: REPO_B, towers: ['vision' as const, 'text' as const] };
    const cut = await h.page.evaluate((r) => window.harness.hub.download(r, { cancelOnRetry: true }), req).catch(fail);
    hub.clearFaults();
    assert.match(cut.error?.message ?? '', /download cancelled/);
    await reload(h);
    const partial = (await h.page.evaluate(() => window.harness.hub.list())).find((m) => m.repo === REPO_B)!;
    assert.equal(partial.complete, false);
    const storedBefore = partial.files.find((f) => f.name === WEIGHTS)!.storedBytes;
    assert.ok(storedBefore >= 9_000, `bytes kept in OPFS across the reload: ${storedBefore}`);
    const sentBefore = hub.bytesSent(WEIGHTS);
    const res = await h.page.evaluate((r) => window.harness.hub.download(r), req).catch(fail);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    const size = statSync(join(ROOT, REPO_B, WEIGHTS)).size;
    assert.equal(hub.bytesSent(WEIGHTS) - sentBefore, size - storedBefore, 'only the missing bytes were fetched');
    const info = (await h.page.evaluate(() => window.harness.hub.list())).find((m) => m.repo === REPO_B)!;
    assert.equal(info.complete, true);
    assert.equal(info.files.find((f) => f.name === WEIGHTS)!.verified?.kind, 'sha256');
    await h.page.evaluate((id) => window.harness.hub.remove(id), info.id);
  });

  it('through a CDN that hides Content-Range from scripts, the image tower arrives as cross-checked ranges; through one that ignores Range, whole and sha256-checked', async () => {
    const req = { endpoint: hub.url, repo: REPO_B, towers: ['vision' as const] };
    for (const [mode, kind, note] of [
      ['hides-content-range', 'ranges-cross-checked', CROSS_CHECKED],
      ['ignores-range', 'sha256', WHOLE_RANGE_IGNORED],
    ] as const) {
      hub.setCdnMode(mode);
      hub.resetStats();
      const res = await h.page.evaluate((r) => window.harness.hub.download(r), req).catch(fail);
      assert.equal(res.error, undefined, `${mode}: ${JSON.stringify(res.error)}`);
      assert.ok(res.events.some((e) => e.file === WEIGHTS && e.note === note), `${mode}: the progress names how the file is fetched`);
      const info = (await h.page.evaluate(() => window.harness.hub.list())).find((m) => m.repo === REPO_B)!;
      assert.equal(info.complete, true);
      assert.equal(info.files.find((f) => f.name === WEIGHTS)!.verified?.kind, kind, mode);
      assert.ok(hub.requests.some((r) => r.origin === 'cdn' && r.status === (mode === 'ignores-range' ? 200 : 206)), mode);
      await h.page.evaluate((id) => window.harness.hub.remove(id), info.id);
    }
    hub.setCdnMode('exposes-content-range');
  });

  it('with the hub stopped and the page reloaded, loadStoredModel (image tower only) decomposes like a direct load; delete removes it', async () => {
    await hub.stop();
    await reload(h);
    const [info] = await h.page.evaluate(() => window.harness.hub.list());
    assert.equal(info.repo, REPO);
    assert.deepEqual(info.towers, ['vision']);
    const S = SPEC.vision.imageSize;
    const pixels = pixelsFor(S);
    const stored = await h.page.evaluate((a) => window.harness.hub.embedding({ storedId: a.id }, 'wasm', a.pixels, [3, a.S, a.S]), { id: info.id, pixels, S }).catch(fail);
    const files = ['open_clip_config.json', WEIGHTS, 'vocab.json', 'merges.txt'].map((n) => ({ name: n, url: `/fixtures/${REPO}/${n}`, size: statSync(join(dir, n)).size }));
    const direct = await h.page.evaluate((a) => window.harness.hub.embedding({ files: a.files }, 'wasm', a.pixels, [3, a.S, a.S]), { files, pixels, S }).catch(fail);
    assert.equal(stored.fingerprint, direct.fingerprint);
    assert.equal(stored.fingerprint, info.fingerprint);
    assert.equal(stored.hasText, false, 'stored with its image tower only');
    assert.deepEqual(stored.tensors.sort(), direct.tensors.sort());
    assert.deepEqual(stored.embedding, direct.embedding, 'the stored model computes the same embedding, bit for bit');
    await h.page.evaluate((id) => window.harness.hub.remove(id), info.id);
    assert.deepEqual(await h.page.evaluate(() => window.harness.hub.list()), []);
  });
});
