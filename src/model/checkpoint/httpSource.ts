/**
 * A ByteSource over HTTP: reads byte ranges with `Range` requests, so a safetensors header and
 * the needed tensors can be read without downloading the whole file.
 */
import { CheckpointError } from './errors.ts';
import type { ByteSource } from './types.ts';

export async function httpSource(url: string, name: string, knownSize?: number, init: RequestInit = {}): Promise<ByteSource> {
  let size = knownSize;
  if (size === undefined) {
    const head = await fetch(url, { ...init, method: 'HEAD' });
    if (!head.ok) throw new CheckpointError('missing-file', `${name}: HEAD ${url} answered ${head.status}`, name);
    const len = head.headers.get('content-length');
    if (len === null) throw new CheckpointError('missing-file', `${name}: the server did not say how large ${url} is`, name);
    size = Number(len);
  }
  const total = size;
  return {
    name,
    size: total,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > total) {
        throw new CheckpointError('truncated', `${name}: cannot read ${length} bytes at offset ${offset}: the file has ${total} bytes`, name);
      }
      if (length === 0) return new Uint8Array(0);
      const res = await fetch(url, { ...init, headers: { ...(init.headers ?? {}), Range: `bytes=${offset}-${offset + length - 1}` } });
      if (res.status !== 206 && res.status !== 200) {
        throw new CheckpointError('missing-file', `${name}: GET ${url} (bytes ${offset}-${offset + length - 1}) answered ${res.status}`, name);
      }
      const body = new Uint8Array(await res.arrayBuffer());
      // a server that ignores Range sends the whole file with 200
      const bytes = res.status === 200 ? body.subarray(offset, offset + length) : body;
      if (bytes.byteLength !== length) {
        throw new CheckpointError('truncated', `${name}: asked for ${length} bytes at ${offset}, got ${bytes.byteLength}`, name);
      }
      return bytes;
    },
  };
}
