/**
 * Browser test harness: exposes `window.harness` for the Node test driver (e2e/*.test.ts), which
 * calls it through page.evaluate. Everything runs the same modules the app runs.
 */
import { comparePreprocessToGolden } from '../../src/model/preprocess/golden.ts';

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const harness = {
  crossOriginIsolated: () => globalThis.crossOriginIsolated,
  /** preprocess a photo in this browser and compare with a torchvision golden */
  async preprocessGolden(photoUrl: string, goldenUrl: string, size: number) {
    const [photo, golden] = await Promise.all([fetchBytes(photoUrl), fetchBytes(goldenUrl)]);
    return comparePreprocessToGolden(photo, golden, size, { name: photoUrl });
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.getElementById('status')!.textContent = 'harness ready';
