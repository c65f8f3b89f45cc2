/**
 * Preprocessing in Chromium equals the torchvision/PIL goldens (same tolerance as the Node test:
 * 1/255 per value after un-normalising), for every photo at both sizes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hasShared, sharedPath } from '../src/testkit/shared.ts';
import { openHarness, type HarnessSession } from './lib/harness.ts';

const run = hasShared();

describe('preprocessing in Chromium', { skip: !run && 'needs ../shared' }, () => {
  let h: HarnessSession;
  before(async () => {
    h = await openHarness({ '/shared/': sharedPath('data') });
  });
  after(async () => h?.close());

  it('runs cross-origin isolated', async () => {
    assert.equal(await h.page.evaluate(() => window.harness.crossOriginIsolated()), true);
  });

  const index = run ? JSON.parse(readFileSync(sharedPath('data/reference/preprocess/index.json'), 'utf8')) : { files: {} };
  for (const [golden, info] of Object.entries(index.files as Record<string, { photo: string; size: number; source_mode: string }>)) {
    it(`comparePreprocessToGolden(${info.photo}, ${golden}) in the browser is within 1/255 (${info.source_mode})`, async () => {
      const result = await h.page.evaluate(
        ([photo, g, size]) => window.harness.preprocessGolden(`/shared/images/photos/${photo}`, `/shared/reference/preprocess/${g}`, size),
        [info.photo, golden, info.size] as const,
      );
      assert.equal(result.size, info.size);
      assert.ok(result.maxErr <= 1 / 255, `${golden}: max error ${result.maxErr} > 1/255; console: ${h.consoleLines.join(' | ')}`);
    });
  }
});
