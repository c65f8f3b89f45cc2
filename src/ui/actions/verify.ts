/** "Verify this model" against the published reference similarities. */
import type { VerifyReport } from '../../api/explorer.ts';
import type { Upload } from '../lib/intake.ts';
import { modelWorker } from '../workerClient.ts';
import { BASE, clearProgress, fail, workerProgress } from './feedback.ts';

/**
 * "Verify this model": the gallery's reference photos (plus any the user dropped, e.g. page.png and
 * motorcycle_right.png) against the published similarities in the user's reference_values.json.
 */
export async function verifyModel(referenceJson: string, extraImages: Upload[]): Promise<VerifyReport | undefined> {
  try {
    const res = await fetch(`${BASE}gallery/index.json`);
    const gallery = res.ok ? ((await res.json()) as { file: string }[]) : [];
    const images: Upload[] = [...extraImages];
    const named = new Set(extraImages.map((u) => u.name.replace(/\.[^.]+$/, '').toLowerCase()));
    for (const g of gallery) {
      // a photo the user dropped wins over the gallery's copy (the worker ignores non-reference photos)
      if (named.has(g.file.replace(/\.[^.]+$/, '').toLowerCase())) continue;
      const r = await fetch(`${BASE}gallery/${g.file}`);
      if (r.ok) images.push({ name: g.file, bytes: new Uint8Array(await r.arrayBuffer()) });
    }
    return await modelWorker().verifyModel({ referenceJson, images }, workerProgress('verifying the model'));
  } catch (err) {
    fail(err, 'analysis', '(verify this model)');
    return undefined;
  } finally {
    clearProgress();
  }
}
