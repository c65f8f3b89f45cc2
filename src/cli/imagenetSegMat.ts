/**
 * The ImageNet-Segmentation benchmark file the paper scores on (Guillaumin et al. 2014):
 * `gtsegs_ijcv.mat`, a MATLAB v7.3 file, i.e. HDF5 behind MATLAB's 512-byte header. Its layout,
 * as the authors' loader reads it (clip_text_span utils/imagenet_segmentation.py):
 *
 *   /value/img  N x 1 object references -> uint8 [3, W, H]         (MATLAB's H x W x 3 photo)
 *   /value/gt   N x 1 object references -> 1 x 1 references -> [W, H] mask (0 background, 1 object)
 *
 * MATLAB stores arrays column-major, so HDF5 (row-major) sees every array with its axes reversed;
 * reading it back means transposing: photo pixel (x, y, c) is element c·W·H + x·H + y, mask pixel
 * (x, y) is element x·H + y.
 *
 * Read with h5wasm (the HDF5 C library compiled to WebAssembly); its Node build opens the file in
 * place, so a 1.4 GB benchmark is read one photo at a time.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MaskRaster } from '../analysis/maskAlign.ts';
import { decodedImage, type DecodedImage } from '../model/preprocess/image.ts';
import type { Dataset as H5Dataset, File as H5File, Reference as H5Reference } from 'h5wasm/node';
import { CliError } from './errors.ts';

type H5 = typeof import('h5wasm/node').default;

/** One photo of the benchmark with its mask (labels 0/1, the photo's size). */
export interface BenchmarkSample {
  readonly photo: DecodedImage;
  readonly mask: MaskRaster;
}

export interface SegmentationBenchmark {
  readonly count: number;
  /** sample `index` (0-based), read from the file now */
  read(index: number): BenchmarkSample;
  close(): void;
}

let h5wasmModule: Promise<H5> | undefined;

/** h5wasm's Node build, loaded (and its WebAssembly compiled) on first use only. */
function loadH5wasm(): Promise<H5> {
  h5wasmModule ??= import('h5wasm/node').then(async (m) => {
    // HDF5 errors become exceptions instead of diagnostics printed on stderr
    (await m.default.ready).activate_throwing_error_handler();
    return m.default;
  });
  return h5wasmModule;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5 puts its signature at 0 or, after a user block (MATLAB's header), at 512, 1024, 2048, ... */
function hasHdf5Signature(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const probe = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
      readSync(fd, probe, 0, 8, at);
      if (probe.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** The HDF5 library's own reason: the first line of its error stack naming a function. */
function hdf5Reason(err: unknown): string {
  const lines = String((err as Error)?.message ?? err).split('\n').map((l) => l.trim());
  return lines.find((l) => /\(\): /.test(l)) ?? lines[0];
}

/** Transpose HDF5 [3, W, H] photo data (MATLAB column-major H x W x 3) to row-major interleaved RGB. */
export function photoFromMatlab(data: Uint8Array, width: number, height: number): DecodedImage {
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let x = 0; x < width; x++) {
      const src = c * plane + x * height;
      for (let y = 0; y < height; y++) rgb[(y * width + x) * 3 + c] = data[src + y];
    }
  }
  return decodedImage(width, height, 'RGB', rgb);
}

/** Transpose HDF5 [W, H] mask data to a row-major 0/1 raster (any value above 0 is the object). */
export function maskFromMatlab(data: ArrayLike<number | bigint>, width: number, height: number): MaskRaster {
  const out = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) out[y * width + x] = data[x * height + y] > 0 ? 1 : 0;
  }
  return { width, height, data: out };
}

/** "uint8 [3, 500, 375]" */
function describe(d: H5Dataset): string {
  const m = d.metadata;
  const type = m.type === 0 ? `${m.signed ? 'int' : 'uint'}${m.size * 8}` : m.type === 1 ? `float${m.size * 8}` : String(d.dtype);
  return `${type} [${(d.shape ?? []).join(', ')}]`;
}

function isReferenceDataset(d: H5Dataset): boolean {
  return d.metadata.type === 7; // H5T_REFERENCE
}

/** Open `gtsegs_ijcv.mat` (or a file in its layout); errors name what is missing. */
export async function openImagenetSegMat(path: string): Promise<SegmentationBenchmark> {
  if (!existsSync(path)) throw new CliError(`--imagenet-seg file not found: ${path}`);
  if (!statSync(path).isFile()) throw new CliError(`--imagenet-seg must be a file (gtsegs_ijcv.mat), got a folder: ${path}`);
  if (!hasHdf5Signature(path)) throw new CliError(`${path} is not an HDF5 / MATLAB v7.3 file (no HDF5 signature; older .mat versions are not read)`);
  const h5 = await loadH5wasm();
  let file: H5File;
  try {
    file = new h5.File(resolve(path), 'r');
  } catch (err) {
    throw new CliError(`${path}: the HDF5 library cannot open it (${hdf5Reason(err)})`);
  }
  const where = `${path} (ImageNet-Segmentation layout: /value/img and /value/gt)`;
  const refsAt = (name: string): H5Reference[] => {
    const d = file.get(name);
    if (!(d instanceof h5.Dataset) || !isReferenceDataset(d)) throw new CliError(`${where}: no dataset of object references at /${name}`);
    return d.value as H5Reference[];
  };
  try {
    const images = refsAt('value/img');
    const masks = refsAt('value/gt');
    if (images.length !== masks.length) {
      throw new CliError(`${where}: ${images.length} photos but ${masks.length} masks`);
    }
    const dataset = (ref: H5Reference, what: string): H5Dataset => {
      const d = file.dereference(ref);
      if (!(d instanceof h5.Dataset)) throw new CliError(`${where}: ${what} does not point to a dataset`);
      return d;
    };
    return {
      count: images.length,
      read(index) {
        const what = `photo ${index}`;
        const img = dataset(images[index], what);
        const shape = img.shape ?? [];
        const data = img.value;
        if (shape.length !== 3 || shape[0] !== 3 || !(data instanceof Uint8Array)) {
          throw new CliError(`${where}: ${what} is ${describe(img)}, expected uint8 [3, W, H]`);
        }
        const [, width, height] = shape;
        // the mask sits behind a 1 x 1 cell of references (MATLAB's nested cell)
        let gt = dataset(masks[index], `mask ${index}`);
        if (isReferenceDataset(gt)) gt = dataset((gt.value as H5Reference[])[0], `mask ${index}`);
        const gtShape = gt.shape ?? [];
        const gtData = gt.value;
        if (gtShape.length !== 2 || gtShape[0] !== width || gtShape[1] !== height || !ArrayBuffer.isView(gtData)) {
          throw new CliError(`${where}: mask ${index} is ${describe(gt)}, expected numbers [${width}, ${height}] like its photo`);
        }
        return { photo: photoFromMatlab(data, width, height), mask: maskFromMatlab(gtData as ArrayLike<number | bigint>, width, height) };
      },
      close: () => void file.close(),
    };
  } catch (err) {
    file.close();
    throw err;
  }
}
