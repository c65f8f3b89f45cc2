/**
 * Byte ranges of a file: sorting, coalescing, coverage. Ranges are half-open `[start, end)`.
 */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export function rangeLength(r: ByteRange): number {
  return r.end - r.start;
}

export function totalLength(ranges: readonly ByteRange[]): number {
  return ranges.reduce((s, r) => s + rangeLength(r), 0);
}

/**
 * Sort and merge ranges that overlap, touch, or lie at most `maxGap` bytes apart (fetching a
 * small gap costs less than another request). Empty ranges are dropped.
 */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap = 0): ByteRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number }[] = [];
  for (const r of sorted) {
    if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0) {
      throw new Error(`bad byte range [${r.start}, ${r.end})`);
    }
    const last = out[out.length - 1];
    if (last && r.start <= last.end + maxGap) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** whether sorted, disjoint `ranges` cover `[start, end)` completely */
export function coversRange(ranges: readonly ByteRange[], start: number, end: number): boolean {
  if (end <= start) return true;
  for (const r of ranges) {
    if (r.start <= start && r.end >= end) return true;
  }
  return false;
}

/** whether `ranges` (coalesced) are exactly the whole file `[0, size)` */
export function isWholeFile(ranges: readonly ByteRange[], size: number): boolean {
  return ranges.length === 1 && ranges[0].start === 0 && ranges[0].end === size;
}

/** `bytes=a-b` for a Range header (inclusive end) */
export function rangeHeader(start: number, end: number): string {
  return `bytes=${start}-${end - 1}`;
}

/** parse `Content-Range: bytes a-b/size` -> [start, end) and the full size */
export function parseContentRange(header: string | null): { start: number; end: number; size: number | undefined } | undefined {
  if (!header) return undefined;
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) + 1, size: m[3] === '*' ? undefined : Number(m[3]) };
}
