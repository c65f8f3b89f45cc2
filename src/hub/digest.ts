/**
 * Checksums of stored files, computed incrementally from storage in chunks (a weights file can be
 * gigabytes; WebCrypto has no streaming digest): sha256 for LFS files (the hub's `lfs.oid`), git's
 * blob id (sha1 of "blob {size}\0" + content) for files kept in git itself.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export type ChunkReader = (offset: number, length: number) => Promise<Uint8Array>;

const CHUNK = 4 * 1024 * 1024;

export async function sha256OfStored(size: number, read: ChunkReader, signal?: AbortSignal): Promise<string> {
  const h = sha256.create();
  for (let at = 0; at < size; at += CHUNK) {
    signal?.throwIfAborted();
    h.update(await read(at, Math.min(CHUNK, size - at)));
  }
  return bytesToHex(h.digest());
}

export async function gitBlobOidOfStored(size: number, read: ChunkReader, signal?: AbortSignal): Promise<string> {
  const h = sha1.create();
  h.update(new TextEncoder().encode(`blob ${size}\0`));
  for (let at = 0; at < size; at += CHUNK) {
    signal?.throwIfAborted();
    h.update(await read(at, Math.min(CHUNK, size - at)));
  }
  return bytesToHex(h.digest());
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

export function gitBlobOid(bytes: Uint8Array): string {
  return bytesToHex(sha1.create().update(new TextEncoder().encode(`blob ${bytes.byteLength}\0`)).update(bytes).digest());
}
