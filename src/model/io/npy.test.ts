import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { NpyError, readNpy, readNpyFloat32, writeNpy, type NpyArray } from './npy.ts';

/** Files written by `numpy.save` (numpy 2.4), base64: the writer must reproduce them byte for byte. */
const NUMPY_SAVED = {
  // np.array([[1.5,-2.0,3.25],[0.0,1e-3,-7.0]], dtype='<f4')
  f4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAUEAAAAAAbxKDOgAA4MA=',
  // np.array([-1, 2**40, 7], dtype='<i8')
  i8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//////////wAAAAAAAQAABwAAAAAAAAA=',
  // np.array([[True,False],[False,True]])
  b1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAB',
  // np.arange(5, dtype=np.uint8).reshape(5,1,1)
  u1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsIDEsIDEpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAQIDBA==',
  // np.float64(3.5), a 0-d array
  f8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAMQA==',
  // np.array([-5, 6], dtype='<i4')
  i4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr7////BgAAAA==',
} as const;

const fromB64 = (s: string) => Uint8Array.from(Buffer.from(s, 'base64'));

const EXPECTED: Record<keyof typeof NUMPY_SAVED, NpyArray> = {
  f4: { dtype: 'f4', shape: [2, 3], data: new Float32Array([1.5, -2, 3.25, 0, 1e-3, -7]) },
  i8: { dtype: 'i8', shape: [3], data: new BigInt64Array([-1n, 2n ** 40n, 7n]) },
  b1: { dtype: 'b1', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) },
  u1: { dtype: 'u1', shape: [5, 1, 1], data: new Uint8Array([0, 1, 2, 3, 4]) },
  f8: { dtype: 'f8', shape: [], data: new Float64Array([3.5]) },
  i4: { dtype: 'i4', shape: [2], data: new Int32Array([-5, 6]) },
};

describe('readNpy / writeNpy', () => {
  for (const key of Object.keys(NUMPY_SAVED) as (keyof typeof NUMPY_SAVED)[]) {
    it(`readNpy(numpy.save output, ${key}) gives numpy's dtype, shape and values`, () => {
      const arr = readNpy(fromB64(NUMPY_SAVED[key]));
      expect(arr.dtype).toBe(EXPECTED[key].dtype);
      expect(arr.shape).toEqual(EXPECTED[key].shape);
      expect(Array.from(arr.data as ArrayLike<number | bigint>)).toEqual(Array.from(EXPECTED[key].data as ArrayLike<number | bigint>));
    });
    it(`writeNpy(${key}) reproduces numpy.save byte for byte`, () => {
      expect(Buffer.from(writeNpy(EXPECTED[key])).toString('base64')).toBe(NUMPY_SAVED[key]);
    });
  }

  it('writeNpy then readNpy round-trips a large float32 array with data aligned to 64 bytes', () => {
    const data = new Float32Array(3 * 17 * 5).map((_, i) => Math.sin(i) * 1e3);
    const bytes = writeNpy({ dtype: 'f4', shape: [3, 17, 5], data });
    const headerEnd = bytes.indexOf(0x0a) + 1;
    expect(headerEnd % 64).toBe(0);
    const back = readNpy(bytes);
    expect(back.shape).toEqual([3, 17, 5]);
    expect(back.data).toEqual(data);
  });

  it('readNpy reads from an unaligned view and returns an aligned copy', () => {
    const src = fromB64(NUMPY_SAVED.f4);
    const padded = new Uint8Array(src.length + 3);
    padded.set(src, 3);
    const arr = readNpy(padded.subarray(3));
    expect(Array.from(arr.data as Float32Array)).toEqual(Array.from(EXPECTED.f4.data as Float32Array));
  });

  it('writeNpy switches to format 2.0 when the header exceeds 65535 bytes', () => {
    // 30000 dims of size 1: the shape text alone is ~90 kB ("1, " per dim)
    const shape = new Array<number>(30000).fill(1);
    const bytes = writeNpy({ dtype: 'u1', shape, data: new Uint8Array([9]) });
    expect(bytes[6]).toBe(2);
    const back = readNpy(bytes);
    expect(back.shape.length).toBe(30000);
    expect(Array.from(back.data as Uint8Array)).toEqual([9]);
  });

  it('readNpy rejects bad magic, truncated data, big-endian, fortran order and unknown dtypes', () => {
    expect(() => readNpy(new TextEncoder().encode('hello world, not npy'))).toThrow(/missing \\x93NUMPY magic/);
    const f4 = fromB64(NUMPY_SAVED.f4);
    expect(() => readNpy(f4.subarray(0, f4.length - 1))).toThrow(/truncated npy data/);
    const withHeader = (text: string) => {
      const header = text.padEnd(117, ' ') + '\n';
      const out = new Uint8Array(128 + 8);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
      out.set(new TextEncoder().encode(header), 10);
      return out;
    };
    expect(() => readNpy(withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"))).toThrow(NpyError);
    expect(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }"))).not.toThrow();
    expect(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"))).toThrow(/fortran_order/);
    expect(() => readNpy(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"))).toThrow(/unsupported dtype/);
    expect(() => readNpy(withHeader("{'descr': '<f4', 'shape': (1,), }"))).toThrow(/malformed npy header/);
  });

  it('writeNpy rejects data that does not match the dtype or the shape', () => {
    expect(() => writeNpy({ dtype: 'f8', shape: [2], data: new Float32Array(2) } as unknown as NpyArray)).toThrow(/does not match/);
    expect(() => writeNpy({ dtype: 'f4', shape: [3], data: new Float32Array(2) })).toThrow(/needs 3 values/);
    expect(() => writeNpy({ dtype: 'b1', shape: [1], data: new Uint8Array([2]) })).toThrow(/invalid boolean/);
  });
});

describe.runIf(hasShared())('readNpyFloat32 on a golden', () => {
  it('readNpyFloat32(chelsea_64.npy) is float32 [3, 64, 64] of normalised pixels', () => {
    const arr = readNpyFloat32(new Uint8Array(readFileSync(sharedPath('data', 'reference', 'preprocess', 'chelsea_64.npy'))), 3);
    expect(arr.shape).toEqual([3, 64, 64]);
    expect(arr.data.length).toBe(3 * 64 * 64);
    // normalised values of pixels in [0, 1] with OpenAI mean/std lie in about [-1.8, 2.2]
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of arr.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(-1.8);
    expect(hi).toBeLessThanOrEqual(2.15);
    expect(hi - lo).toBeGreaterThan(1);
  });
});
