/**
 * Test fixtures for the cache: a tiny generated checkpoint with a tokenizer, and a folder of small
 * PNGs (nested, mixed-case extensions) plus files that must be skipped (garbage, empty, GIF) or
 * ignored (not an image, hidden).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encode } from 'fast-png';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P16_GELU } from '../model/checkpoint/checkpointGenerator.ts';

export const POOL_CORPUS = [
  'a photo of a red car', 'a photo of a blue sky', 'three dogs on grass', 'a striped texture',
  'an image taken at night', 'a close-up of a cat', 'a green field', 'two birds in a tree',
];

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `clipscope-${label}-`));
}

/** L=2, H=4, D=16, 32 px input, with vocab.json + merges.txt */
export function writeTinyModel(dir: string, seed = 5): string {
  const tokenizer = generateBpeVocab(POOL_CORPUS, 40);
  generateCheckpointDir(dir, TINY_P16_GELU, { layout: 'hf', seed, tokenizer });
  return dir;
}

/** deterministic RGB noise with a per-image tint, so head terms differ between images */
function pngBytes(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let s = seed * 2654435761;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const tint = ((i % 3) * 60 + seed * 37) % 256;
    data[i] = ((s >>> 24) + tint) >> 1;
  }
  return encode({ width, height, data, channels: 3, depth: 8 });
}

export interface ImageFolder {
  dir: string;
  /** images that decode, in the sorted order the cache must hold them */
  readable: string[];
  /** files that must be recorded as skipped */
  unreadable: string[];
}

/** `count` readable PNGs (sorted names) plus three unreadable files and two ignored ones */
export function writeImageFolder(dir: string, count = 6): ImageFolder {
  const readable: string[] = [];
  const names = ['a.png', 'b/c.png', 'b/d.PNG', 'b/e/f.png', 'g.png', 'h.png', 'i.png', 'j.png', 'k.png', 'l.png'];
  for (let i = 0; i < count; i++) {
    const rel = names[i];
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), pngBytes(32 + 5 * i, 30 + 7 * ((i * 3) % 5), i + 1));
    readable.push(rel);
  }
  const unreadable = ['b/broken.png', 'empty.jpg', 'z.gif'];
  writeFileSync(join(dir, 'b/broken.png'), new TextEncoder().encode('this is not a png at all'));
  writeFileSync(join(dir, 'empty.jpg'), new Uint8Array(0));
  writeFileSync(join(dir, 'z.gif'), new TextEncoder().encode('GIF89a\x01\x00\x01\x00'));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  writeFileSync(join(dir, '.hidden.png'), pngBytes(8, 8, 99));
  return { dir, readable, unreadable };
}

/** the files directly in a cache folder (sub-folders such as text-embeddings/ aside), by name */
export function cacheFiles(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const name of readdirSync(dir).sort()) if (statSync(join(dir, name)).isFile()) out[name] = readFileSync(join(dir, name));
  return out;
}
