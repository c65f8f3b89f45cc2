/**
 * The built explorer verifying generated checkpoints (WASM): against a reference file made by the
 * float64 oracle the right checkpoint PASSes; the same weights with GELU declared instead of
 * QuickGELU, or with other normalisation constants, FAIL, naming exactly the values the check in
 * Node finds off. Each image shows its
 * closure residual max|û − Σ parts|.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { memoryModelFiles } from '../src/model/checkpoint/sources.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { writeCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import { makeVerifyFixture, VERIFY_PHOTOS, type VerifyFixture, type VerifyVariant } from '../src/testkit/verifyFixture.ts';
import { verifyEngine } from '../src/verify/verifyModel.ts';
import { dropFiles, openApp, type AppPage } from './lib/app.ts';

const GALLERY = fileURLToPath(new URL('../public/gallery/', import.meta.url));

describe('explorer: Verify on generated checkpoints against an oracle reference file; closure residual per image', () => {
  let app: AppPage;
  let dir: string;
  let fixture: VerifyFixture;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clipscope-e2e-verify-'));
    fixture = await makeVerifyFixture();
    for (const [v, files] of Object.entries(fixture.checkpoints)) writeCheckpointDir(join(dir, v), files);
    writeFileSync(join(dir, 'reference.json'), JSON.stringify(fixture.reference));
    app = await openApp('?model=demo');
    await app.page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openAndVerify(variant: VerifyVariant) {
    const { page } = app;
    const before = await page.locator('[data-testid="model"]').getAttribute('data-fingerprint');
    await page.getByLabel('Open folder…').setInputFiles(join(dir, variant));
    await page.waitForFunction((fp) => document.querySelector('[data-testid="model"]')?.getAttribute('data-fingerprint') !== fp, before, { timeout: 60_000 }).catch(fail);
    if ((await page.locator('[data-testid="verify-panel"]').getAttribute('open')) === null) await page.click('[data-testid="verify-panel"] summary');
    // the label set and pool are encoded for the new model first (Verify waits for that)
    await page
      .waitForFunction(() => document.querySelector('[data-testid="text-cache"]')?.getAttribute('data-pool-encoded') != null && !document.querySelector('[data-testid="verify-run"]')?.hasAttribute('disabled'), null, { timeout: 300_000 })
      .catch(fail);
    await page.setInputFiles('[data-testid="verify-files"]', [{ name: 'reference.json', mimeType: 'application/json', buffer: readFileSync(join(dir, 'reference.json')) }]);
    await page.click('[data-testid="verify-run"]');
    await page.locator('[data-testid="verify-report"]').waitFor({ timeout: 180_000 }).catch(fail);
    return page.locator('[data-testid="verify-value"]').evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('data-label')!, computed: Number(e.getAttribute('data-computed')), pass: e.getAttribute('data-pass') === 'true' })));
  }

  /** the check in Node (onnxruntime-node) on the same checkpoint: what the page must show */
  async function nodeReport(variant: VerifyVariant) {
    const engine = await createNodeEngine(await loadCheckpoint(memoryModelFiles(fixture.checkpoints[variant])));
    try {
      const photos = VERIFY_PHOTOS.map(([, file]) => ({ name: file, bytes: new Uint8Array(readFileSync(`${GALLERY}${file}`)), origin: 'gallery' as const }));
      return await verifyEngine(engine, fixture.reference, photos);
    } finally {
      await engine.release();
    }
  }

  it('the right checkpoint against the oracle reference file: PASS, all 78 values', async () => {
    const shown = await openAndVerify('right');
    assert.equal(await app.page.locator('[data-testid="verify-verdict"]').innerText(), 'PASS');
    assert.equal(shown.length, 6 * 8 + 15 + 15);
    assert.ok(shown.every((v) => v.pass));
  });

  for (const [variant, what] of [['gelu', 'GELU declared instead of QuickGELU'], ['mean-std', 'another normalisation mean/std']] as const) {
    it(`${what}: FAIL, the values off named, the same ones as in Node`, async () => {
      const shown = await openAndVerify(variant);
      assert.equal(await app.page.locator('[data-testid="verify-verdict"]').innerText(), 'FAIL');
      const expected = await nodeReport(variant);
      const offInNode = expected.values.filter((v) => !v.pass).map((v) => v.label);
      assert.ok(offInNode.length > 0);
      assert.deepEqual(shown.filter((v) => !v.pass).map((v) => v.label).sort(), [...offInNode].sort());
      for (const v of expected.values) {
        const cell = shown.find((c) => c.label === v.label)!;
        assert.ok(Math.abs(cell.computed - v.computed) < 1e-4, `${v.label}: browser ${cell.computed} vs node ${v.computed}`);
      }
      // the page names them: each failing cell carries its label and difference in its title
      const titles = await app.page.locator('[data-testid="verify-value"][data-pass="false"]').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
      for (const label of offInNode) assert.ok(titles.some((t) => t?.startsWith(`${label}: computed`)), `${label} is named`);
    });
  }

  it('each added image shows its closure residual max|û − Σ parts|, far below the 1e-4 flag', async () => {
    const { page } = app;
    await dropFiles(page, [{ name: 'coffee.png', type: 'image/png', base64: readFileSync(`${GALLERY}coffee.png`).toString('base64') }]);
    const badge = page.locator('[data-testid="image-list"] li[data-name="coffee.png"] [data-testid="closure"]');
    await badge.waitFor({ timeout: 120_000 }).catch(fail);
    assert.equal(await badge.getAttribute('data-flagged'), 'false');
    const residual = Number(await badge.getAttribute('data-max-abs'));
    assert.ok(residual >= 0 && residual < 1e-5, `residual ${residual}`);
    assert.match(await badge.innerText(), /\|û−Σ\| \d\.\de-\d/);
  });
});
