import { describe, expect, it } from 'vitest';
import { containerDataLength, containerSource, resumePoint, type ContainerIndex } from './container.ts';
import { coalesceRanges } from './ranges.ts';

const FILE = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);
const INDEX: ContainerIndex = { name: 'w.safetensors', size: 1000, segments: coalesceRanges([{ start: 0, end: 100 }, { start: 300, end: 450 }, { start: 900, end: 1000 }]) };

/** the data blob a download of INDEX stores: the segments back to back */
function blob(index: ContainerIndex): Uint8Array {
  const out = new Uint8Array(containerDataLength(index));
  let at = 0;
  for (const s of index.segments) {
    out.set(FILE.subarray(s.start, s.end), at);
    at += s.end - s.start;
  }
  return out;
}
const reader = (data: Uint8Array) => async (o: number, l: number) => data.slice(o, o + l);

describe('container (partial file by original offsets)', () => {
  it('containerSource reads equal the original file bytes anywhere inside fetched ranges', async () => {
    const src = containerSource(INDEX, containerDataLength(INDEX), reader(blob(INDEX)));
    expect(src.size).toBe(1000);
    for (const [o, l] of [[0, 100], [0, 8], [50, 50], [300, 150], [320, 10], [449, 1], [900, 100], [999, 1]]) {
      expect(await src.read(o, l)).toEqual(FILE.subarray(o, o + l));
    }
  });

  it('reading bytes that were not fetched throws not-fetched naming the range', async () => {
    const src = containerSource(INDEX, containerDataLength(INDEX), reader(blob(INDEX)), 'vision tower only');
    await expect(src.read(100, 1)).rejects.toMatchObject({ code: 'not-fetched' });
    await expect(src.read(90, 20)).rejects.toThrow('w.safetensors: bytes 90..110 were not downloaded (vision tower only)');
    await expect(src.read(440, 500)).rejects.toMatchObject({ code: 'not-fetched' }); // spans a gap
    await expect(src.read(995, 10)).rejects.toThrow(/the file has 1000 bytes/);
  });

  it('a partially stored blob reads only its stored prefix; resumePoint gives the first missing byte', async () => {
    const data = blob(INDEX).subarray(0, 180); // segment 0 whole, 80 bytes of segment 1
    const src = containerSource(INDEX, 180, reader(data));
    expect(await src.read(300, 80)).toEqual(FILE.subarray(300, 380));
    await expect(src.read(370, 20)).rejects.toMatchObject({ code: 'not-fetched' });
    expect(resumePoint(INDEX, 0)).toEqual({ segment: 0, fileOffset: 0 });
    expect(resumePoint(INDEX, 180)).toEqual({ segment: 1, fileOffset: 380 });
    expect(resumePoint(INDEX, 250)).toEqual({ segment: 2, fileOffset: 900 });
    expect(resumePoint(INDEX, 350)).toBeUndefined();
  });

  it('a corrupt index is refused', () => {
    expect(() => containerSource({ name: 'x', size: 10, segments: [{ start: 5, end: 20 }] }, 0, reader(new Uint8Array()))).toThrow(/stored index is corrupt/);
  });
});
