/**
 * Byte sources and model folders that work in both Node and the browser.
 * Node-only implementations (files on disk) live in nodeSources.node.ts.
 */
import { CheckpointError } from './errors.ts';
import type { ByteSource } from './types.ts';

/** A model folder: the files of one checkpoint repo, by base name. */
export interface ModelFiles {
  /** what to call the folder in messages (a path or a dropped folder's name) */
  readonly label: string;
  /** base names of the files in the folder */
  list(): Promise<readonly string[]>;
  /** open one file; CheckpointError 'missing-file' when absent */
  open(name: string): Promise<ByteSource>;
  /** read a (small) text file as UTF-8; CheckpointError 'missing-file' when absent */
  readText(name: string): Promise<string>;
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new CheckpointError(
      'truncated',
      `${name}: cannot read ${length} bytes at offset ${offset}: the file has ${size} bytes`,
      name,
    );
  }
}

/** bytes already in memory (reads are zero-copy views) */
export function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(name, bytes.byteLength, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** a browser File or Blob (also available in Node 20); only the requested slice is read */
export function blobSource(blob: Blob, name: string = (blob as Partial<File>).name ?? 'blob'): ByteSource {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      checkRange(name, blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** the last path segment of a name (dropped folders report "folder/sub/file.json") */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** read a whole source as UTF-8 text */
export async function readSourceText(source: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await source.read(0, source.size));
}

/**
 * A model folder over byte sources keyed by file name (browser folder drop, memory, tests).
 * Keys may be paths: files are addressed by base name, and a duplicate base name is refused.
 */
export function sourceModelFiles(sources: ReadonlyMap<string, ByteSource> | Iterable<ByteSource>, label = 'model files'): ModelFiles {
  const byName = new Map<string, ByteSource>();
  const entries: [string, ByteSource][] =
    sources instanceof Map ? [...sources.entries()] : [...(sources as Iterable<ByteSource>)].map((s) => [s.name, s]);
  for (const [key, source] of entries) {
    const name = baseName(key);
    if (byName.has(name)) {
      throw new CheckpointError('bad-config', `${label}: two files are named ${name}; drop one model folder at a time`, name);
    }
    // the loader keys files by ByteSource.name, so it must be the name the folder lists
    byName.set(name, source.name === name ? source : { name, size: source.size, read: (o, l) => source.read(o, l) });
  }
  const get = (name: string): ByteSource => {
    const s = byName.get(name);
    if (!s) throw new CheckpointError('missing-file', `${label}: file ${name} is missing`, name);
    return s;
  };
  return {
    label,
    async list() {
      return [...byName.keys()].sort();
    },
    async open(name) {
      return get(name);
    },
    async readText(name) {
      return readSourceText(get(name));
    },
  };
}

/** a model folder over in-memory files, e.g. the test-checkpoint generator's output */
export function memoryModelFiles(files: ReadonlyMap<string, Uint8Array>, label = 'memory'): ModelFiles {
  const sources = new Map<string, ByteSource>();
  for (const [name, bytes] of files) sources.set(name, memorySource(baseName(name), bytes));
  return sourceModelFiles(sources, label);
}

/** a model folder over browser Files (an <input webkitdirectory> or a folder drop) */
export function fileListModelFiles(files: Iterable<File>, label = 'dropped folder'): ModelFiles {
  const sources = new Map<string, ByteSource>();
  for (const file of files) {
    const path = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
    sources.set(path, blobSource(file, baseName(path)));
  }
  return sourceModelFiles(sources, label);
}
