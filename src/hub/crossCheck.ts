/**
 * Byte ranges fetched through a server whose `Content-Range` a script cannot read (a CDN on
 * another origin that does not expose it): a 206 of the requested length is accepted, and where
 * it landed in the file is checked against what is known. The header checks itself (its own byte
 * count and the offsets in it, download.ts). Every other range ends with a window of the file
 * fetched by a separate request: a server that put the bytes of either request at another offset
 * would have to misplace both the same way to pass, which one that ignores or shifts offsets does
 * not (the window is shorter than the range, so the two requests start at different offsets).
 */
import { sha256Hex } from './digest.ts';
import type { ByteRange } from './ranges.ts';
import type { CrossCheck } from './storage.ts';
import type { ByteSource } from '../model/checkpoint/types.ts';

export const CHECK_WINDOW_BYTES = 1024;
/** below this a window says too little: the file is fetched whole instead */
export const MIN_CHECK_BYTES = 8;

/** the window each range (past the header) must match: its last bytes; undefined when a range is too short to check */
export function crossCheckWindows(segments: readonly ByteRange[], headerEnd: number): ByteRange[] | undefined {
  const windows: ByteRange[] = [];
  for (const seg of segments) {
    if (seg.end <= headerEnd) continue;
    const k = Math.min(CHECK_WINDOW_BYTES, Math.floor((seg.end - seg.start) / 2));
    if (k < MIN_CHECK_BYTES) return undefined;
    windows.push({ start: seg.end - k, end: seg.end });
  }
  return windows;
}

/** the first check the stored bytes fail, or undefined when all hold */
export async function failedCrossCheck(checks: readonly CrossCheck[], stored: ByteSource): Promise<CrossCheck | undefined> {
  for (const c of checks) {
    if (sha256Hex(await stored.read(c.start, c.end - c.start)) !== c.sha256) return c;
  }
  return undefined;
}
