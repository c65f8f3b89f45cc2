/**
 * What a dropped, pasted or picked file is, before it goes to the worker: image formats are told
 * by their magic bytes (not the name, not the browser's MIME guess), so a text file renamed .png is
 * refused with a clear reason and a real PNG without an extension is accepted.
 */

/** a file's name and bytes, as dropped, pasted or picked */
export interface Upload {
  name: string;
  bytes: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

/** formats the model worker decodes */
export const DECODABLE: readonly ImageFormat[] = ['png', 'jpeg'];

export function sniffImageFormat(head: Uint8Array): ImageFormat | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  if (at(0, 0x42, 0x4d)) return 'bmp';
  return null;
}

export type Intake =
  | { kind: 'image'; format: ImageFormat }
  | { kind: 'rejected'; reason: string };

/** accept PNG/JPEG; explain anything else */
export function classifyUpload(name: string, head: Uint8Array): Intake {
  if (head.length === 0) return { kind: 'rejected', reason: `${name} is empty (0 bytes)` };
  const format = sniffImageFormat(head);
  if (format && DECODABLE.includes(format)) return { kind: 'image', format };
  if (format) return { kind: 'rejected', reason: `${name} is a ${format.toUpperCase()} image; clipscope reads PNG and JPEG (convert it first)` };
  const looksText = Array.from(head.subarray(0, 64)).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128);
  return { kind: 'rejected', reason: `${name} is not an image${looksText ? ' (it looks like text)' : ''}: expected a PNG or JPEG file` };
}

/** names the explorer skips silently inside a dropped folder */
export function isHiddenOrSystemFile(name: string): boolean {
  return name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini';
}

/**
 * A stable id for an uploaded image: name plus a content hash (the first 32 bits of SHA-256).
 * WebCrypto hashes off the main thread, where a hash in JavaScript took hundreds of milliseconds for
 * a few large photos. Pages outside a secure context have no WebCrypto: FNV-1a in JavaScript there.
 */
export async function imageIdFor(name: string, bytes: Uint8Array): Promise<string> {
  if (!globalThis.crypto?.subtle) return `${name}#${fnv1a(bytes)}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return `${name}#${Array.from(digest.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
