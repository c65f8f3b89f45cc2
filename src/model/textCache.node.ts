/**
 * A TextEmbeddingStore in files (Node): `<root>/<fingerprint>/texts.jsonl` (one JSON string per
 * line, the exact text) and `vectors.f32` (one little-endian float32 row of D values per line, in
 * the same order), plus `meta.json` ({format, version, fingerprint, dim}).
 *
 * Append-only with the same crash rule as the analysis cache: a row's vector is written before its
 * text line, and on load only rows with both a complete line and a complete vector are kept (the
 * files are truncated to them). A store is only a cache, so it repairs itself rather than failing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TextEmbeddingStore } from './textCache.ts';

const FORMAT = 'clipscope-text-embeddings';
const VERSION = 1;

interface Loaded {
  dim: number;
  rowOf: Map<string, number>;
  vectors: Float32Array;
  count: number;
}

export class NodeTextCache implements TextEmbeddingStore {
  private readonly loaded = new Map<string, Loaded>();

  constructor(readonly root: string) {}

  private dirOf(fingerprint: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(fingerprint) || fingerprint.startsWith('.')) {
      throw new RangeError(`model fingerprint '${fingerprint}' cannot name a folder`);
    }
    return join(this.root, fingerprint);
  }

  private load(fingerprint: string): Loaded | undefined {
    const cached = this.loaded.get(fingerprint);
    if (cached) return cached;
    const dir = this.dirOf(fingerprint);
    const metaPath = join(dir, 'meta.json');
    if (!existsSync(metaPath)) return undefined;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { format?: string; version?: number; fingerprint?: string; dim?: number };
    if (meta.format !== FORMAT || meta.version !== VERSION || meta.fingerprint !== fingerprint || !Number.isInteger(meta.dim)) {
      throw new Error(`${metaPath} is not a clipscope text-embedding cache for model ${fingerprint}`);
    }
    const dim = meta.dim as number;
    const textsPath = join(dir, 'texts.jsonl');
    const vectorsPath = join(dir, 'vectors.f32');
    const textBytes = existsSync(textsPath) ? readFileSync(textsPath) : new Uint8Array(0);
    const vectorBytes = existsSync(vectorsPath) ? readFileSync(vectorsPath) : new Uint8Array(0);
    const lines = new TextDecoder().decode(textBytes.subarray(0, textBytes.lastIndexOf(0x0a) + 1)).split('\n');
    lines.pop();
    const count = Math.min(lines.length, Math.floor(vectorBytes.byteLength / (4 * dim)));
    // keep complete pairs only; cut both files to them
    const keptTextBytes = new TextEncoder().encode(lines.slice(0, count).map((l) => `${l}\n`).join('')).byteLength;
    if (textBytes.byteLength !== keptTextBytes) truncateSync(textsPath, keptTextBytes);
    if (vectorBytes.byteLength !== count * 4 * dim) truncateSync(vectorsPath, count * 4 * dim);
    const vectors = new Float32Array(vectorBytes.buffer.slice(vectorBytes.byteOffset, vectorBytes.byteOffset + count * 4 * dim));
    const rowOf = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const text = JSON.parse(lines[i]) as string;
      if (!rowOf.has(text)) rowOf.set(text, i);
    }
    const result = { dim, rowOf, vectors, count };
    this.loaded.set(fingerprint, result);
    return result;
  }

  async get(fingerprint: string, texts: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    const l = this.load(fingerprint);
    if (!l) return out;
    for (const t of texts) {
      const row = l.rowOf.get(t);
      if (row !== undefined) out.set(t, l.vectors.slice(row * l.dim, (row + 1) * l.dim));
    }
    return out;
  }

  async put(fingerprint: string, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    if (entries.size === 0) return;
    const dim = entries.values().next().value!.length;
    let l = this.load(fingerprint);
    const dir = this.dirOf(fingerprint);
    if (!l) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'meta.json'), `${JSON.stringify({ format: FORMAT, version: VERSION, fingerprint, dim }, null, 2)}\n`);
      l = { dim, rowOf: new Map(), vectors: new Float32Array(0), count: 0 };
      this.loaded.set(fingerprint, l);
    }
    const fresh = [...entries].filter(([t]) => !l.rowOf.has(t));
    if (fresh.length === 0) return;
    const block = new Float32Array(fresh.length * l.dim);
    fresh.forEach(([t, v], i) => {
      if (v.length !== l.dim) throw new RangeError(`embedding of '${t}' has ${v.length} values; this model's cache holds ${l.dim}`);
      block.set(v, i * l.dim);
    });
    appendFileSync(join(dir, 'vectors.f32'), new Uint8Array(block.buffer));
    appendFileSync(join(dir, 'texts.jsonl'), fresh.map(([t]) => `${JSON.stringify(t)}\n`).join(''));
    const vectors = new Float32Array(l.vectors.length + block.length);
    vectors.set(l.vectors);
    vectors.set(block, l.vectors.length);
    fresh.forEach(([t], i) => l.rowOf.set(t, l.count + i));
    l.vectors = vectors;
    l.count += fresh.length;
  }
}
