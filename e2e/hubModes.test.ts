/**
 * The built explorer downloading through the hub panel from the mock hub in each way the real hub
 * answers: weights behind a 302 to a CDN on a second origin that hides Content-Range from
 * scripts, a CDN that ignores Range, a gated repo without and with a token, a missing repo, a
 * revision that does not exist. Each ends as a user expects (the model loads with the
 * checkpoint's fingerprint, or an error says what to do), the token never reaches the CDN, and a
 * photo decomposed with the downloaded model gives the CLI's head terms.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { WHOLE_RANGE_IGNORED } from '../src/hub/download.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { readNpyFloat32 } from '../src/model/io/npy.ts';
import { generateBpeVocab } from '../src/model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import { dropFiles, openApp, type AppPage } from './lib/app.ts';
import { runCliProcess } from '../src/testkit/cliProcess.node.ts';
import { galleryPath } from '../src/testkit/shared.ts';
import { relErr } from '../src/testkit/compare.ts';
import { APP_HUB_SPEC } from './lib/hubFixture.ts';
import { startMockHub, type MockHub } from './lib/mockHub.ts';

const OUT = fileURLToPath(new URL('./.out/fixtures/hub-modes/', import.meta.url));
const HUB_ROOT = join(OUT, 'hub');
const HIDDEN = 'e2e-org/behind-cdn';
const IGNORED = 'e2e-org/range-ignored';
const GATED = 'e2e-org/gated';
const TOKEN = 'hf_e2eGrantedToken';
const PHOTO = 'chelsea.png';

const SPEC = APP_HUB_SPEC;
const { layers: L, heads: H } = SPEC.vision;
const D = SPEC.embedDim;

/** ‖heads.npy[l,h]‖ of `clipscope decompose` on a photo */
async function cliHeadNorms(modelDir: string, photo: string): Promise<number[]> {
  const out = join(OUT, 'cli');
  const cli = await runCliProcess(['decompose', '--model', modelDir, '--image', photo, '--out', out, '--threads', '1']);
  assert.equal(cli.code, 0, cli.stderr);
  const heads = readNpyFloat32(new Uint8Array(readFileSync(join(out, 'heads.npy')))).data;
  assert.equal(heads.length, L * H * D);
  return Array.from({ length: L * H }, (_, k) => Math.hypot(...heads.subarray(k * D, (k + 1) * D)));
}

/** every label the progress line shows while a download runs */
async function recordProgressLabels(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { labelsSeen: string[] };
    w.labelsSeen = [];
    new MutationObserver(() => {
      const label = document.querySelector('[data-testid="progress"] .progress-label')?.textContent ?? '';
      if (label && w.labelsSeen.at(-1) !== label) w.labelsSeen.push(label);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

const labelsSeen = (page: Page) => page.evaluate(() => (window as unknown as { labelsSeen: string[] }).labelsSeen);

describe('hub panel against the real hub’s answers (mock hub: CDN on a second origin)', () => {
  let app: AppPage;
  let hub: MockHub;
  const fingerprints = new Map<string, string>();
  let want: Promise<number[]>;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    const tokenizer = generateBpeVocab(['a photo of a cat', 'a photo of a dog'], 60);
    for (const [i, repo] of [HIDDEN, IGNORED, GATED].entries()) {
      const dir = join(HUB_ROOT, repo);
      mkdirSync(dir, { recursive: true });
      generateCheckpointDir(dir, SPEC, { layout: 'hf', seed: 40 + i, tokenizer });
      fingerprints.set(repo, (await loadCheckpoint(nodeModelDir(dir))).fingerprint);
    }
    hub = await startMockHub(HUB_ROOT, { gated: { [GATED]: [TOKEN] } });
    want = cliHeadNorms(join(HUB_ROOT, GATED), galleryPath(PHOTO));
    app = await openApp(`?runtime=wasm&hub=${encodeURIComponent(hub.url)}`);
    await app.page.waitForSelector('[data-testid="runtime"]', { timeout: 60_000 }).catch(fail);
    await app.page.click('details.hub > summary');
    await recordProgressLabels(app.page);
  });
  after(async () => {
    await hub?.stop();
    await app?.close();
  });

  /** type a repo (and revision) into the panel and press Download */
  async function download(repo: string, revision = 'main'): Promise<void> {
    const { page } = app;
    await page.fill('input[aria-label="hub repository (owner/name)"]', repo);
    await page.fill('input[aria-label^="revision"]', revision);
    // the app is busy for a while after a model loads (label set embeddings): the click waits
    await page.click('details.hub button[type="submit"]', { timeout: 180_000 }).catch(fail);
  }

  const loaded = (repo: string) => app.page.waitForSelector(`[data-testid="model"][data-fingerprint="${fingerprints.get(repo)}"]`, { timeout: 120_000 }).catch(fail);

  /** the newest error card about `subject`: its detail and hint */
  async function lastError(subject: string): Promise<{ detail: string; hint: string }> {
    const card = app.page.locator('[data-testid="error"]', { hasText: subject }).last();
    await card.waitFor({ timeout: 60_000 }).catch(fail);
    const out = { detail: (await card.locator('.detail').textContent()) ?? '', hint: (await card.locator('.hint').textContent()) ?? '' };
    await card.locator('button[aria-label="dismiss"]').click();
    return out;
  }

  const cdnRequests = () => hub.requests.filter((r) => r.origin === 'cdn');

  it('weights redirected to a CDN that hides Content-Range: the model downloads and loads', async () => {
    hub.setCdnMode('hides-content-range');
    hub.resetStats();
    await download(HIDDEN);
    await loaded(HIDDEN);
    assert.ok(hub.requests.some((r) => r.origin === 'hub' && r.status === 302 && r.file === 'model.safetensors'), 'the hub redirected the weights');
    assert.ok(cdnRequests().some((r) => r.status === 206), 'the CDN sent byte ranges');
  });

  it('a CDN that ignores Range: the weights stream whole (sha256-checked) and the progress line says so', async () => {
    hub.setCdnMode('ignores-range');
    hub.resetStats();
    await download(IGNORED);
    await loaded(IGNORED);
    const labels = await labelsSeen(app.page);
    assert.ok(labels.some((l) => l.startsWith(`downloading ${IGNORED}`) && l.includes(WHOLE_RANGE_IGNORED)), `progress lines: ${JSON.stringify(labels.slice(-8))}`);
    assert.ok(cdnRequests().some((r) => r.status === 200));
    hub.setCdnMode('hides-content-range');
  });

  it('a missing repo (401 without a token): "not found, or gated: log in with a token"', async () => {
    await download('e2e-org/no-such-model');
    const e = await lastError('e2e-org/no-such-model');
    assert.match(e.detail, /e2e-org\/no-such-model: not found, or gated: log in with a token/);
    assert.match(e.hint, /access token/);
  });

  it('a revision that does not exist: says which, and what to check', async () => {
    await download(HIDDEN, 'no-such-branch');
    const e = await lastError('no-such-branch');
    assert.match(e.detail, /revision "no-such-branch" not found/);
    assert.match(e.hint, /revision/);
  });

  it('a gated repo without a token is refused with the same words; with the token it downloads, and the token never reaches the CDN', async () => {
    await download(GATED);
    const e = await lastError(GATED);
    assert.match(e.detail, new RegExp(`${GATED}: not found, or gated: log in with a token`));
    hub.resetStats();
    await app.page.fill('input[aria-label^="hub access token"]', TOKEN);
    await download(GATED);
    await loaded(GATED);
    const hubGets = hub.requests.filter((r) => r.origin === 'hub' && r.method === 'GET');
    assert.ok(hubGets.length > 0 && hubGets.every((r) => r.authorization === `Bearer ${TOKEN}`), 'every hub request carried the token');
    assert.ok(
      hub.requests.some((r) => r.origin === 'hub' && r.method === 'OPTIONS' && /authorization/i.test(r.requestHeaders ?? '')),
      'the browser preflighted the hub for Authorization',
    );
    assert.ok(cdnRequests().length > 0);
    assert.deepEqual(
      cdnRequests().filter((r) => r.authorization !== undefined || /authorization/i.test(r.requestHeaders ?? '')),
      [],
      'no request to the CDN carried or asked to carry Authorization',
    );
    const stored = await app.page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
    assert.ok(!stored.includes(TOKEN), 'the token is not kept in web storage');
  });

  it('a photo decomposed with the downloaded (gated) model: the head grid equals ‖heads.npy‖ of clipscope decompose', async () => {
    const { page } = app;
    const base64 = readFileSync(galleryPath(PHOTO)).toString('base64');
    await dropFiles(page, [{ name: PHOTO, type: 'image/png', base64 }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 1, null, { timeout: 120_000 }).catch(fail);
    await page.click(`[data-testid="image-list"] li[data-name="${PHOTO}"] button.thumb`);
    const expected = await want;
    const read = () => page.locator('[data-testid="head-grid"]').getAttribute('data-values').then((v) => (v ? v.split(',').map(Number) : []));
    let got = await read();
    for (let i = 0; i < 200 && !(got.length === expected.length && relErr(got, expected) <= 1e-4); i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await read();
    }
    assert.equal(got.length, L * H);
    assert.ok(relErr(got, expected) <= 1e-4, `head grid vs heads.npy: rel. error ${relErr(got, expected)}`);
  });
});
