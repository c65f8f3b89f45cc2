/** "Verify this model": one click against the published OpenAI ViT-B/32 values (or a reference file the user gives). */
import type { VerifyReport, VerifyRequest } from '../../api/explorer.ts';
import type { Upload } from '../lib/intake.ts';
import { modelWorker } from '../workerClient.ts';
import { BASE, clearProgress, fail, workerProgress } from './feedback.ts';

/**
 * The gallery's photos and any the user added (e.g. page.png and motorcycle_right.png, which cannot
 * ship) go to the worker, which finds the reference photos among them by their pixels.
 */
export async function verifyModel(options: { referenceJson?: string; photos: Upload[] }): Promise<VerifyReport | undefined> {
  try {
    const res = await fetch(`${BASE}gallery/index.json`);
    const gallery = res.ok ? ((await res.json()) as { file: string }[]) : [];
    // the user's photos first: they win over a gallery copy of the same pixels
    const images: VerifyRequest['images'] = options.photos.map((p) => ({ ...p, origin: 'given' }));
    for (const g of gallery) {
      const r = await fetch(`${BASE}gallery/${g.file}`);
      if (r.ok) images.push({ name: g.file, bytes: new Uint8Array(await r.arrayBuffer()), origin: 'gallery' });
    }
    const request: VerifyRequest = { images, ...(options.referenceJson !== undefined ? { referenceJson: options.referenceJson } : {}) };
    return await modelWorker().verifyModel(request, workerProgress('verifying the model'));
  } catch (err) {
    fail(err, 'analysis', '(verify this model)');
    return undefined;
  } finally {
    clearProgress();
  }
}
