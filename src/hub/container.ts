/**
 * The stored form of a (possibly partial) downloaded file: the fetched byte ranges of the
 * original file ("segments", sorted and disjoint) stored back to back in one data blob, plus the
 * segment list as an index. A whole file is the one segment [0, size), so its data blob is the
 * file itself. Reads address ORIGINAL file offsets, so `loadCheckpoint` and the graph builders
 * work on a stored model unchanged; reading bytes that were not fetched throws HubError 'not-fetched'.
 *
 * Segments are downloaded in order and appended, so the blob's length alone says how far the
 * download got: resuming continues at the first byte not stored.
 */
import type { ByteSource } from '../model/checkpoint/types.ts';
import { HubError } from './errors.ts';
import type { ByteRange } from './ranges.ts';

export interface ContainerIndex {
  /** the original file's name and size */
  readonly name: string;
  readonly size: number;
  /** fetched ranges of the original file, sorted, disjoint, non-adjacent */
  readonly segments: readonly ByteRange[];
}

/** where each segment starts in the data blob */
export function segmentDataOffsets(index: ContainerIndex): number[] {
  const out: number[] = [];
  let at = 0;
  for (const s of index.segments) {
    out.push(at);
    at += s.end - s.start;
  }
  return out;
}

export function containerDataLength(index: ContainerIndex): number {
  return index.segments.reduce((n, s) => n + s.end - s.start, 0);
}

/**
 * Position of the first byte not yet stored, given the data blob's length: the segment it falls
 * in and the original file offset to resume from; undefined when everything is stored.
 */
export function resumePoint(index: ContainerIndex, storedLength: number): { segment: number; fileOffset: number } | undefined {
  const starts = segmentDataOffsets(index);
  for (let i = 0; i < index.segments.length; i++) {
    const s = index.segments[i];
    const stored = storedLength - starts[i];
    if (stored < s.end - s.start) return { segment: i, fileOffset: s.start + Math.max(0, stored) };
  }
  return undefined;
}

/** check an index: segments inside the file, sorted, disjoint */
export function checkContainerIndex(index: ContainerIndex): void {
  let last = -1;
  for (const s of index.segments) {
    if (!(Number.isSafeInteger(s.start) && Number.isSafeInteger(s.end) && s.start >= 0 && s.end > s.start && s.end <= index.size && s.start > last)) {
      throw new HubError('storage', `${index.name}: stored index is corrupt (segment [${s.start}, ${s.end}) of a ${index.size}-byte file)`, index.name);
    }
    last = s.end;
  }
}

/** read `length` bytes at `offset` of the data blob */
export type DataReader = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * A ByteSource over a container: original offsets -> data blob offsets.
 * @param storedLength bytes of the data blob actually stored (a partial download stores a prefix)
 */
export function containerSource(index: ContainerIndex, storedLength: number, readData: DataReader, describeMissing = ''): ByteSource {
  checkContainerIndex(index);
  const starts = segmentDataOffsets(index);
  const { name, size, segments } = index;
  return {
    name,
    size,
    async read(offset, length) {
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new HubError('not-fetched', `${name}: cannot read ${length} bytes at offset ${offset}: the file has ${size} bytes`, name);
      }
      if (length === 0) return new Uint8Array(0);
      // the last segment starting at or before `offset`
      let lo = 0;
      let hi = segments.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (segments[mid].start <= offset) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const seg = found >= 0 ? segments[found] : undefined;
      const dataAt = seg ? starts[found] + (offset - seg.start) : -1;
      if (!seg || offset + length > seg.end || dataAt + length > storedLength) {
        throw new HubError(
          'not-fetched',
          `${name}: bytes ${offset}..${offset + length} were not downloaded${describeMissing ? ` (${describeMissing})` : ''}`,
          name,
        );
      }
      return readData(dataAt, length);
    },
  };
}

