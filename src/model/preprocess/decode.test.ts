import { readFileSync } from 'node:fs';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { decodeImage, detectImageFormat } from './decode.ts';
import { initNodeImageDecoders } from './decode.node.ts';
import { ImageDecodeError } from './image.ts';

beforeAll(() => initNodeImageDecoders());

async function decodeError(bytes: Uint8Array, name: string): Promise<ImageDecodeError> {
  try {
    await decodeImage(bytes, name);
  } catch (e) {
    expect(e).toBeInstanceOf(ImageDecodeError);
    return e as ImageDecodeError;
  }
  throw new Error(`decodeImage(${name}) did not throw`);
}

describe('decodeImage on synthetic PNGs (modes as Pillow opens them)', () => {
  it("1-bit greyscale -> mode '1' with bytes 0 / 255", async () => {
    const png = encodePng({ width: 3, height: 2, depth: 1, channels: 1, data: new Uint8Array([0b10100000, 0b01000000]) });
    const img = await decodeImage(png, 'bits.png');
    expect([img.mode, img.width, img.height, img.channels]).toEqual(['1', 3, 2, 1]);
    expect(Array.from(img.data)).toEqual([255, 0, 255, 0, 255, 0]);
  });

  it("2-bit greyscale -> mode 'L' scaled by 85", async () => {
    const png = encodePng({ width: 3, height: 2, depth: 2, channels: 1, data: new Uint8Array([0b00011011, 0b11000000]) });
    const img = await decodeImage(png, 'grey2.png');
    expect(img.mode).toBe('L');
    expect(Array.from(img.data)).toEqual([0, 85, 170, 255, 0, 0]);
  });

  it("4-bit palette -> mode 'P' with unpacked indices and an RGB palette", async () => {
    const png = encodePng({
      width: 2,
      height: 2,
      depth: 4,
      channels: 1,
      palette: [[255, 0, 0], [0, 255, 0], [0, 0, 255]],
      data: new Uint8Array([0x01, 0x20]),
    });
    const img = await decodeImage(png, 'pal.png');
    expect(img.mode).toBe('P');
    expect(Array.from(img.data)).toEqual([0, 1, 2, 0]);
    expect(Array.from(img.palette!)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  });

  it("16-bit RGB -> mode 'RGB' keeping the high byte; 8-bit LA -> 'LA'", async () => {
    const rgb16 = encodePng({ width: 2, height: 1, depth: 16, channels: 3, data: new Uint16Array([0x1234, 0xff00, 0x00ff, 0xabcd, 1, 2]) });
    const a = await decodeImage(rgb16, 'rgb16.png');
    expect(a.mode).toBe('RGB');
    expect(Array.from(a.data)).toEqual([0x12, 0xff, 0x00, 0xab, 0, 0]);
    const la = await decodeImage(encodePng({ width: 2, height: 1, depth: 8, channels: 2, data: new Uint8Array([10, 20, 30, 40]) }), 'la.png');
    expect([la.mode, ...la.data]).toEqual(['LA', 10, 20, 30, 40]);
  });

  it('16-bit greyscale is refused with a reason', async () => {
    const png = encodePng({ width: 1, height: 1, depth: 16, channels: 1, data: new Uint16Array([300]) });
    const err = await decodeError(png, 'g16.png');
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/16-bit greyscale/);
  });
});

describe('decodeImage errors', () => {
  const png = encodePng({ width: 16, height: 16, depth: 8, channels: 3, data: new Uint8Array(16 * 16 * 3).map((_, i) => i % 251) });

  it('detectImageFormat reads magic bytes', () => {
    expect(detectImageFormat(png)).toBe('png');
    expect(detectImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectImageFormat(new TextEncoder().encode('GIF89a......'))).toBe('gif');
    expect(detectImageFormat(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(detectImageFormat(new TextEncoder().encode('hello'))).toBeNull();
  });

  it('text input -> "not an image: <name> starts with ..."', async () => {
    const err = await decodeError(new TextEncoder().encode('name,value\n1,2\n'), 'data.csv');
    expect(err.code).toBe('not-an-image');
    expect(err.message).toBe('not an image: data.csv starts with "name,val"');
    const empty = await decodeError(new Uint8Array(0), 'empty.png');
    expect(empty.message).toBe('not an image: empty.png starts with nothing (empty file)');
    const binary = await decodeError(new Uint8Array([0, 1, 2, 0xfe]), 'blob.bin');
    expect(binary.message).toBe('not an image: blob.bin starts with 00 01 02 fe');
  });

  it('GIF is recognised and refused as unsupported', async () => {
    const err = await decodeError(new TextEncoder().encode('GIF89a\x01\x00\x01\x00'), 'anim.gif');
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/unsupported image format GIF: anim\.gif/);
  });

  it('a PNG cut short -> "truncated PNG <name>: ..."', async () => {
    for (const cut of [20, 40, png.length - 13, png.length - 1]) {
      const err = await decodeError(png.subarray(0, cut), 'cut.png');
      expect(err.code).toBe('truncated');
      expect(err.message).toMatch(/^truncated PNG cut\.png: /);
    }
  });

  it('a PNG with a flipped byte in its image data -> "corrupt PNG <name>: ..." (CRC checked)', async () => {
    const bad = png.slice();
    const idat = Buffer.from(bad).indexOf('IDAT');
    bad[idat + 10] ^= 0xff;
    const err = await decodeError(bad, 'flip.png');
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/^corrupt PNG flip\.png: /);
  });

  it('a JPEG cut inside a segment -> "truncated JPEG"; a missing marker -> "corrupt JPEG"', async () => {
    const err = await decodeError(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]), 'tiny.jpg');
    expect(err.message).toMatch(/^truncated JPEG tiny\.jpg: /);
    const garbage = await decodeError(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34]), 'bad.jpg');
    expect(garbage.message).toBe('corrupt JPEG bad.jpg: expected a marker at byte 8, found 0x12');
  });
});

describe.runIf(hasShared())('decodeImage on the shared photos', () => {
  const index = hasShared()
    ? (JSON.parse(readFileSync(sharedPath('data', 'reference', 'preprocess', 'index.json'), 'utf8')) as {
        files: Record<string, { photo: string; source_mode: string; source_wh: [number, number] }>;
      })
    : { files: {} };
  const photos = new Map(Object.values(index.files).map((f) => [f.photo, f]));

  for (const [photo, info] of photos) {
    it(`decodeImage(${photo}) has Pillow's mode ${info.source_mode} and size ${info.source_wh.join('x')}`, async () => {
      const img = await decodeImage(new Uint8Array(readFileSync(sharedPath('data', 'images', 'photos', photo))), photo);
      expect(img.mode).toBe(info.source_mode);
      expect([img.width, img.height]).toEqual(info.source_wh);
    });
  }

  it('a real JPEG cut in its compressed data -> "truncated JPEG rocket.jpg: ..."', async () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('data', 'images', 'photos', 'rocket.jpg')));
    for (const cut of [bytes.length - 2, Math.floor(bytes.length / 2), 300]) {
      const err = await decodeError(bytes.subarray(0, cut), 'rocket.jpg');
      expect(err.code).toBe('truncated');
      expect(err.message).toMatch(/^truncated JPEG rocket\.jpg: file ends /);
    }
  });
});
