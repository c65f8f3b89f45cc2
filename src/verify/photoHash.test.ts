import { createHash } from 'node:crypto';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../model/preprocess/decode.ts';
import { decodedImage } from '../model/preprocess/image.ts';
import { photoPixelsSha256 } from './photoHash.ts';

const pattern = (w: number, h: number, channels: number) => Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37 + 11) % 256);

describe('photoPixelsSha256(image)', () => {
  it('is the sha256 of the header and RGB bytes (known answer for a 1x1 black pixel)', () => {
    // the same digest from another implementation (node:crypto)
    const img = decodedImage(1, 1, 'RGB', new Uint8Array(3));
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from('clipscope-rgb8 1x1\n'), Buffer.alloc(3)])).digest('hex');
    expect(photoPixelsSha256(img)).toBe(expected);
  });

  it('the same pixels in differently encoded PNG files (compression, RGBA with opaque alpha vs RGB) have one hash', async () => {
    const rgb = pattern(7, 5, 3);
    const rgba = new Uint8Array(7 * 5 * 4);
    for (let i = 0; i < 35; i++) rgba.set([...rgb.subarray(3 * i, 3 * i + 3), 255], 4 * i);
    const a = encode({ width: 7, height: 5, data: rgb, channels: 3, depth: 8 }, { zlib: { level: 0 } });
    const b = encode({ width: 7, height: 5, data: rgba, channels: 4, depth: 8 }, { zlib: { level: 9 } });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(photoPixelsSha256(await decodeImage(a, 'a.png'))).toBe(photoPixelsSha256(await decodeImage(b, 'b.png')));
  });

  it('a grey image equals its RGB expansion; one changed pixel or another size changes the hash', () => {
    const grey = pattern(4, 3, 1);
    const rgb = Uint8Array.from({ length: 36 }, (_, i) => grey[Math.floor(i / 3)]);
    const h = photoPixelsSha256(decodedImage(4, 3, 'L', grey));
    expect(photoPixelsSha256(decodedImage(4, 3, 'RGB', rgb))).toBe(h);
    const changed = Uint8Array.from(rgb);
    changed[20] ^= 1;
    expect(photoPixelsSha256(decodedImage(4, 3, 'RGB', changed))).not.toBe(h);
    expect(photoPixelsSha256(decodedImage(3, 4, 'L', grey))).not.toBe(h);
  });
});
