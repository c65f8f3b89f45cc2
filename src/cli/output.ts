/** Writing CLI results: .npy files (numpy-readable) and JSON. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeNpy } from '../model/io/npy.ts';

export async function writeNpyFile(path: string, data: Float32Array, dims: readonly number[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, writeNpy({ dtype: 'f4', shape: [...dims], data }));
}

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
