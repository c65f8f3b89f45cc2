/** Node-only byte sources: files on disk and model directories. */
import { readdirSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CheckpointError } from './errors.ts';
import type { ModelFiles } from './sources.ts';
import type { ByteSource } from './types.ts';

/** a file on disk; each read opens the file, reads the range and closes it (no handle leaks) */
export function nodeFileSource(path: string, name: string = basename(path)): ByteSource {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CheckpointError('missing-file', `${path}: file not found`, name);
  }
  return {
    name,
    size,
    async read(offset, length) {
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new CheckpointError('truncated', `${name}: cannot read ${length} bytes at offset ${offset}: the file has ${size} bytes`, name);
      }
      const out = new Uint8Array(length);
      const handle = await open(path, 'r');
      try {
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) {
            throw new CheckpointError('truncated', `${name}: file ended at byte ${offset + done}, expected ${size} bytes`, name);
          }
          done += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return out;
    },
  };
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // broken link
  }
}

/** a model directory on disk (its top-level regular files) */
export function nodeModelDir(dir: string): ModelFiles {
  const pathOf = (name: string): string => {
    const p = join(dir, name);
    if (!isRegularFile(p)) throw new CheckpointError('missing-file', `${dir}: file ${name} is missing`, name);
    return p;
  };
  return {
    label: dir,
    async list() {
      let names: string[];
      try {
        names = readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isFile() || (d.isSymbolicLink() && isRegularFile(join(dir, d.name))))
          .map((d) => d.name);
      } catch {
        throw new CheckpointError('missing-file', `${dir}: not a readable directory`);
      }
      return names.sort();
    },
    async open(name) {
      return nodeFileSource(pathOf(name), name);
    },
    async readText(name) {
      return readFile(pathOf(name), 'utf8');
    },
  };
}
