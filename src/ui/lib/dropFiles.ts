/** Files from a drop (folders walked recursively), a paste or a file input, as uploads. */
import { isHiddenOrSystemFile, type Upload } from './intake.ts';

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (isHiddenOrSystemFile(entry.name)) return;
  if (entry.isFile) {
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns the listing in batches until an empty one
    for (let batch = await readEntries(reader); batch.length; batch = await readEntries(reader)) {
      for (const e of batch.sort((a, b) => a.name.localeCompare(b.name))) await walk(e, out);
    }
  }
}

export async function filesFromDataTransfer(dt: DataTransfer): Promise<File[]> {
  const entries = Array.from(dt.items ?? [])
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => Boolean(e));
  if (entries.length === 0) return Array.from(dt.files);
  const out: File[] = [];
  for (const e of entries) await walk(e, out);
  return out;
}

export async function toUploads(files: File[]): Promise<Upload[]> {
  return Promise.all(files.filter((f) => !isHiddenOrSystemFile(f.name)).map(async (f) => ({ name: f.name || 'pasted image', bytes: new Uint8Array(await f.arrayBuffer()) })));
}
