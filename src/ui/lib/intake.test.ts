import { describe, expect, it } from 'vitest';
import { classifyUpload, imageIdFor, sniffImageFormat } from './intake.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const GIF = new TextEncoder().encode('GIF89a.....');
const TEXT = new TextEncoder().encode('hello, this is a note\n');

describe('upload intake', () => {
  it('sniffImageFormat tells formats by magic bytes', () => {
    expect(sniffImageFormat(PNG)).toBe('png');
    expect(sniffImageFormat(JPEG)).toBe('jpeg');
    expect(sniffImageFormat(GIF)).toBe('gif');
    expect(sniffImageFormat(TEXT)).toBeNull();
  });

  it('classifyUpload accepts PNG and JPEG whatever the name says', () => {
    expect(classifyUpload('photo.txt', PNG)).toEqual({ kind: 'image', format: 'png' });
    expect(classifyUpload('noext', JPEG)).toEqual({ kind: 'image', format: 'jpeg' });
  });

  it('classifyUpload explains what is refused', () => {
    expect(classifyUpload('notes.png', TEXT)).toEqual({ kind: 'rejected', reason: 'notes.png is not an image (it looks like text): expected a PNG or JPEG file' });
    expect(classifyUpload('anim.gif', GIF)).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/GIF image; clipscope reads PNG and JPEG/) });
    expect(classifyUpload('empty.jpg', new Uint8Array())).toMatchObject({ reason: 'empty.jpg is empty (0 bytes)' });
  });

  it('imageIdFor depends on name and content', async () => {
    expect(await imageIdFor('a.png', PNG)).toBe(await imageIdFor('a.png', PNG));
    expect(await imageIdFor('a.png', PNG)).not.toBe(await imageIdFor('a.png', JPEG));
    expect(await imageIdFor('a.png', PNG)).toMatch(/^a\.png#[0-9a-f]{8}$/);
  });

  it("imageIdFor('x', 'abc') carries the first 32 bits of SHA-256('abc') = ba7816bf…", async () => {
    expect(await imageIdFor('x', new TextEncoder().encode('abc'))).toBe('x#ba7816bf');
  });
});
