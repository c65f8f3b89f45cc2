import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { writeNpy } from '../io/npy.ts';
import { initNodeImageDecoders } from './decode.node.ts';
import { comparePreprocessToGolden, type GoldenComparison } from './golden.ts';

interface GoldenEntry {
  photo: string;
  size: number;
  source_mode: string;
}

describe.runIf(hasShared())('preprocessPixels against the torchvision 0.14 + PIL 9.4 goldens', () => {
  const dir = sharedPath('data', 'reference', 'preprocess');
  const index = JSON.parse(readFileSync(sharedPath('data', 'reference', 'preprocess', 'index.json'), 'utf8')) as {
    files: Record<string, GoldenEntry>;
  };
  const report: string[] = [];
  beforeAll(() => initNodeImageDecoders());
  afterAll(() => console.log(`max |ours - golden| per photo, in 1/255 units (after value*std+mean):\n${report.join('\n')}`));

  for (const [file, entry] of Object.entries(index.files)) {
    it(`comparePreprocessToGolden(${entry.photo}, ${file}, ${entry.size}) is within 1/255 (${entry.source_mode})`, async () => {
      const r: GoldenComparison = await comparePreprocessToGolden(
        new Uint8Array(readFileSync(sharedPath('data', 'images', 'photos', entry.photo))),
        new Uint8Array(readFileSync(`${dir}/${file}`)),
        entry.size,
        { name: entry.photo },
      );
      report.push(`  ${file.padEnd(28)} ${entry.source_mode.padEnd(5)} max ${(r.maxErr * 255).toFixed(6)}  mean ${(r.meanErr * 255).toExponential(2)}`);
      expect(r.size).toBe(entry.size);
      expect(r.countOverOneLevel).toBe(0);
      expect(r.maxErr).toBeLessThanOrEqual(1 / 255);
      // Stronger than the contract: decoding, resampling and normalisation reproduce the
      // reference bit for bit, so any drift at all is a regression worth looking at.
      expect(r.maxErr).toBe(0);
    });
  }

  it('comparePreprocessToGolden detects a wrong golden (one value moved by 2/255)', async () => {
    const photo = new Uint8Array(readFileSync(sharedPath('data', 'images', 'photos', 'chelsea.png')));
    const golden = new Uint8Array(readFileSync(`${dir}/chelsea_64.npy`));
    const { readNpyFloat32 } = await import('../io/npy.ts');
    const arr = readNpyFloat32(golden);
    const data = arr.data.slice();
    data[5000] += 2 / 255 / 0.26130258; // channel 1 (index 5000 of 3*64*64), in normalised units
    const r = await comparePreprocessToGolden(photo, writeNpy({ dtype: 'f4', shape: arr.shape, data }), 64);
    expect(r.countOverOneLevel).toBe(1);
    expect(r.maxErr * 255).toBeCloseTo(2, 4);
    await expect(comparePreprocessToGolden(photo, golden, 224)).rejects.toThrow(/expected \[3, 224, 224\]/);
  });
});
