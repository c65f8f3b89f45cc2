/**
 * Test kit: writes a small file in the layout of the ImageNet-Segmentation benchmark
 * (`gtsegs_ijcv.mat`, MATLAB v7.3) with h5wasm, the way MATLAB lays out a struct `value` with cell
 * arrays `img` and `gt`: the arrays themselves in the `#refs#` group, `value/img` an N x 1 dataset
 * of object references to uint8 [3, W, H] photos, `value/gt` N x 1 references to 1 x 1 reference
 * cells holding the uint8 [W, H] masks, and MATLAB's 512-byte text header as the HDF5 user block.
 * Arrays are written in MATLAB's column-major order: enumerating an HDF5 [3, W, H] array in its
 * own (row-major) order visits channel, then column x, then row y.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { MaskRaster } from '../analysis/maskAlign.ts';
import type { DecodedImage } from '../model/preprocess/image.ts';

export interface MatSample {
  /** RGB photo */
  readonly photo: DecodedImage;
  /** 0/1 labels at the photo's size */
  readonly mask: MaskRaster;
}

const MATLAB_HEADER = 'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Fri Dec  4 12:00:00 2026 HDF5 schema 1.00 .';

export async function writeImagenetSegMat(path: string, samples: readonly MatSample[]): Promise<void> {
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  const plain = `${path}.h5`;
  const file = new h5.File(plain, 'w');
  try {
    const refs = file.create_group('#refs#');
    const imgRefs = [];
    const gtRefs = [];
    for (const [i, { photo, mask }] of samples.entries()) {
      const { width: W, height: H } = photo;
      if (photo.mode !== 'RGB' || mask.width !== W || mask.height !== H) throw new Error(`sample ${i}: an RGB photo and a mask of its size`);
      const img = new Uint8Array(3 * W * H);
      const gt = new Uint8Array(W * H);
      let k = 0;
      for (let c = 0; c < 3; c++) for (let x = 0; x < W; x++) for (let y = 0; y < H; y++) img[k++] = photo.data[(y * W + x) * 3 + c];
      k = 0;
      for (let x = 0; x < W; x++) for (let y = 0; y < H; y++) gt[k++] = mask.data[y * W + x];
      imgRefs.push(refs.create_dataset({ name: `img${i}`, data: img, shape: [3, W, H] }).create_reference());
      const gtArray = refs.create_dataset({ name: `gt${i}`, data: gt, shape: [W, H] });
      gtRefs.push(refs.create_dataset({ name: `cell${i}`, data: [gtArray.create_reference()], shape: [1, 1] }).create_reference());
    }
    const value = file.create_group('value');
    value.create_dataset({ name: 'img', data: imgRefs, shape: [samples.length, 1] });
    value.create_dataset({ name: 'gt', data: gtRefs, shape: [samples.length, 1] });
  } finally {
    file.close();
  }
  // MATLAB's header as a 512-byte user block; HDF5 finds its superblock at offset 512
  const header = Buffer.alloc(512);
  header.write(MATLAB_HEADER);
  writeFileSync(path, Buffer.concat([header, readFileSync(plain)]));
  rmSync(plain);
}
