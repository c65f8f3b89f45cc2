/**
 * StoreBackend over the Origin Private File System, for the model worker (no DOM): folders under
 * `navigator.storage.getDirectory()/{root}`. Data blobs are appended through a
 * FileSystemSyncAccessHandle (dedicated workers only; writes in place, no swap-file copy);
 * reads of closed blobs slice the File snapshot. `opfsAvailable()` says whether this context has it.
 */
import { HubError } from './errors.ts';
import type { Appender, StoreBackend } from './storage.ts';

/** the parts of the OPFS API used here (lib.dom typings lack the sync handle in some versions) */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}
type FileHandle = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> };
type DirHandle = FileSystemDirectoryHandle & { keys?: () => AsyncIterable<string>; entries: () => AsyncIterable<[string, FileSystemHandle]> };

export const OPFS_ROOT = 'clipscope-models';

export function opfsAvailable(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
}

const isNotFound = (e: unknown) => (e as DOMException)?.name === 'NotFoundError';

export async function opfsBackend(rootName = OPFS_ROOT): Promise<StoreBackend> {
  if (!opfsAvailable()) throw new HubError('storage', 'this browser context has no Origin Private File System');
  const root = (await (await navigator.storage.getDirectory()).getDirectoryHandle(rootName, { create: true })) as DirHandle;
  const open = new Map<string, SyncAccessHandle>();
  const key = (dir: string, name: string) => `${dir}/${name}`;

  const dirHandle = async (dir: string, create: boolean): Promise<DirHandle | undefined> => {
    try {
      return (await root.getDirectoryHandle(dir, { create })) as DirHandle;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const fileHandle = async (dir: string, name: string, create: boolean): Promise<FileHandle | undefined> => {
    const d = await dirHandle(dir, create);
    if (!d) return undefined;
    try {
      return (await d.getFileHandle(name, { create })) as FileHandle;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const storageError = (what: string, e: unknown) =>
    new HubError('storage', `browser storage: ${what}: ${(e as Error).message}${(e as DOMException).name === 'QuotaExceededError' ? ' (storage quota exceeded: delete stored models)' : ''}`);

  return {
    kind: 'opfs',
    async listDirs() {
      const out: string[] = [];
      for await (const [name, h] of root.entries()) if (h.kind === 'directory') out.push(name);
      return out;
    },
    async readText(dir, name) {
      const h = await fileHandle(dir, name, false);
      return h ? (await h.getFile()).text() : undefined;
    },
    async writeText(dir, name, text) {
      const h = (await fileHandle(dir, name, true))!;
      try {
        const w = await h.createWritable();
        await w.write(text);
        await w.close();
      } catch (e) {
        throw storageError(`writing ${dir}/${name}`, e);
      }
    },
    async size(dir, name) {
      const handle = open.get(key(dir, name));
      if (handle) return handle.getSize();
      const h = await fileHandle(dir, name, false);
      return h ? (await h.getFile()).size : 0;
    },
    async openAppender(dir, name): Promise<Appender> {
      const h = (await fileHandle(dir, name, true))!;
      if (!h.createSyncAccessHandle) throw new HubError('storage', 'OPFS sync access handles are only available in a dedicated worker');
      const k = key(dir, name);
      if (open.has(k)) throw new HubError('storage', `${k} is already being written (two downloads of one model?)`);
      const handle = await h.createSyncAccessHandle();
      open.set(k, handle);
      return {
        async size() {
          return handle.getSize();
        },
        async append(bytes) {
          try {
            const at = handle.getSize();
            let done = 0;
            while (done < bytes.byteLength) done += handle.write(bytes.subarray(done), { at: at + done });
          } catch (e) {
            throw storageError(`writing ${k}`, e);
          }
        },
        async truncate(length) {
          handle.truncate(length);
        },
        async close() {
          open.delete(k);
          handle.flush();
          handle.close();
        },
      };
    },
    async read(dir, name, offset, length) {
      const handle = open.get(key(dir, name));
      if (handle) {
        const out = new Uint8Array(length);
        handle.read(out, { at: offset });
        return out;
      }
      const h = await fileHandle(dir, name, false);
      if (!h) throw new HubError('storage', `browser storage: ${dir}/${name} is missing`);
      const file = await h.getFile();
      if (offset + length > file.size) throw new HubError('storage', `browser storage: ${dir}/${name} has ${file.size} bytes, cannot read ${length} at ${offset}`);
      return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
    },
    async removeDir(dir) {
      for (const [k, handle] of open) {
        if (k.startsWith(`${dir}/`)) {
          handle.close();
          open.delete(k);
        }
      }
      try {
        await root.removeEntry(dir, { recursive: true });
      } catch (e) {
        if (!isNotFound(e)) throw storageError(`deleting ${dir}`, e);
      }
    },
  };
}
