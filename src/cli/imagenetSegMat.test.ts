import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodedImage } from '../model/preprocess/image.ts';
import { writeImagenetSegMat, type MatSample } from '../testkit/imagenetSegMat.node.ts';
import { openImagenetSegMat } from './imagenetSegMat.ts';

const dir = mkdtempSync(join(tmpdir(), 'clipscope-mat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** photo pixel (x, y, c) = 40y + 3x + c + 1 (distinct per position and band); mask = a known pattern */
function sample(W: number, H: number, foreground: (x: number, y: number) => boolean): MatSample {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) rgb[(y * W + x) * 3 + c] = 40 * y + 3 * x + c + 1;
  const mask = Uint8Array.from({ length: W * H }, (_, i) => (foreground(i % W, Math.floor(i / W)) ? 1 : 0));
  return { photo: decodedImage(W, H, 'RGB', rgb), mask: { width: W, height: H, data: mask } };
}

describe('gtsegs_ijcv.mat reader (MATLAB v7.3 / HDF5 through h5wasm)', () => {
  it('reads every photo and mask back in row-major order from the column-major [3, W, H] / [W, H] arrays behind the references', async () => {
    const samples = [sample(5, 3, (x) => x < 2), sample(4, 6, (x, y) => y >= 4 && x > 0), sample(2, 2, () => false)];
    const path = join(dir, 'small.mat');
    await writeImagenetSegMat(path, samples);
    const bench = await openImagenetSegMat(path);
    try {
      expect(bench.count).toBe(3);
      const first = bench.read(0);
      expect([first.photo.width, first.photo.height, first.photo.mode]).toEqual([5, 3, 'RGB']);
      // pixel (x=4, y=2): 40*2 + 3*4 + c + 1
      expect(Array.from(first.photo.data.subarray((2 * 5 + 4) * 3, (2 * 5 + 4) * 3 + 3))).toEqual([93, 94, 95]);
      expect(Array.from(first.mask.data)).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0]);
      for (let i = 0; i < 3; i++) {
        const got = bench.read(i);
        expect(Buffer.from(got.photo.data).equals(Buffer.from(samples[i].photo.data))).toBe(true);
        expect(got.mask).toEqual(samples[i].mask);
      }
    } finally {
      bench.close();
    }
  });

  it('errors name the file and what is wrong', async () => {
    await expect(openImagenetSegMat(join(dir, 'none.mat'))).rejects.toThrow(/^--imagenet-seg file not found: .*none\.mat$/);
    await expect(openImagenetSegMat(dir)).rejects.toThrow(/must be a file/);
    const text = join(dir, 'text.mat');
    writeFileSync(text, 'MATLAB 5.0 MAT-file, but not HDF5 at all');
    await expect(openImagenetSegMat(text)).rejects.toThrow(/text\.mat is not an HDF5 \/ MATLAB v7\.3 file/);

    const h5 = (await import('h5wasm/node')).default;
    const other = join(dir, 'other.mat');
    const f = new h5.File(other, 'w');
    f.create_group('value').create_dataset({ name: 'img', data: new Uint8Array(4), shape: [2, 2] });
    f.close();
    await expect(openImagenetSegMat(other)).rejects.toThrow(/other\.mat \(ImageNet-Segmentation layout: \/value\/img and \/value\/gt\): no dataset of object references at \/value\/img/);

    const noGt = join(dir, 'nogt.mat');
    const g = new h5.File(noGt, 'w');
    const photo = g.create_dataset({ name: 'p', data: new Uint8Array(12), shape: [3, 2, 2] });
    g.create_group('value').create_dataset({ name: 'img', data: [photo.create_reference()], shape: [1, 1] });
    g.close();
    await expect(openImagenetSegMat(noGt)).rejects.toThrow(/no dataset of object references at \/value\/gt/);

    // a valid signature, then garbage: the HDF5 library's reason, on one line
    const broken = join(dir, 'broken.mat');
    writeFileSync(broken, Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]));
    await expect(openImagenetSegMat(broken)).rejects.toThrow(/^.*broken\.mat: the HDF5 library cannot open it \([^\n]+\)$/);
  });

  it.each([
    [[2, 3, 2], [3, 2], /photo 0 is uint8 \[2, 3, 2\], expected uint8 \[3, W, H\]/],
    [[3, 3, 2], [2, 3], /mask 0 is uint8 \[2, 3\], expected numbers \[3, 2\] like its photo/],
  ])('a photo of shape %j with a mask of shape %j is refused naming its index', async (imgShape, gtShape, message) => {
    const h5 = (await import('h5wasm/node')).default;
    const path = join(dir, `bad-${imgShape.join('x')}.mat`);
    const f = new h5.File(path, 'w');
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const img = f.create_dataset({ name: 'p', data: new Uint8Array(size(imgShape)), shape: imgShape });
    const gt = f.create_dataset({ name: 'g', data: new Uint8Array(size(gtShape)), shape: gtShape });
    const cell = f.create_dataset({ name: 'c', data: [gt.create_reference()], shape: [1, 1] });
    const value = f.create_group('value');
    value.create_dataset({ name: 'img', data: [img.create_reference()], shape: [1, 1] });
    value.create_dataset({ name: 'gt', data: [cell.create_reference()], shape: [1, 1] });
    f.close();
    const bench = await openImagenetSegMat(path);
    try {
      expect(() => bench.read(0)).toThrow(message);
    } finally {
      bench.close();
    }
  });
});
