import { describe, expect, it } from 'vitest';
import { encodeBF16, encodeF16 } from '../../math/half.ts';
import { CheckpointError } from './errors.ts';
import { parseShardIndex, readSafetensorsHeader, readTensorBytes, readTensorF32 } from './safetensors.ts';
import { encodeSafetensors, f32Bytes, planSafetensors } from './safetensorsWriter.ts';
import { blobSource, memorySource } from './sources.ts';
import { errorOf } from '../../testkit/errorOf.ts';

/** a file from a literal header JSON and `dataBytes` bytes of data (0, 1, 2, ...) */
function rawFile(header: string, dataBytes: number, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setUint32(0, declaredLength ?? json.length, true);
  out.set(json, 8);
  for (let i = 0; i < dataBytes; i++) out[8 + json.length + i] = i & 0xff;
  return out;
}

const checkpointErrorOf = (p: Promise<unknown>) => errorOf(p, CheckpointError);

const header = (file: Uint8Array, name = 'w.safetensors') => readSafetensorsHeader(memorySource(name, file));

describe('readSafetensorsHeader on valid files', () => {
  it('gives absolute byte offsets, dtypes, shapes and metadata', async () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = new Float32Array([7, 8]);
    const file = encodeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 3], bytes: f32Bytes(a) },
        { name: 'b', dtype: 'F32', shape: [2], bytes: f32Bytes(b) },
      ],
      { format: 'pt' },
    );
    const h = await header(file);
    const n = new DataView(file.buffer).getUint32(0, true);
    expect(h.headerLength).toBe(n);
    expect(n % 8).toBe(0); // the writer pads to 8 bytes
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.headerBytes).toEqual(file.subarray(0, 8 + n));
    const ta = h.tensors.get('a')!;
    expect(ta).toMatchObject({ name: 'a', dtype: 'F32', shape: [2, 3], fileName: 'w.safetensors', byteOffset: 8 + n, byteLength: 24 });
    expect(h.tensors.get('b')).toMatchObject({ byteOffset: 8 + n + 24, byteLength: 8 });
    expect(Array.from(await readTensorF32(memorySource('w.safetensors', file), ta))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads F16, BF16 and F64 tensors as float32, and raw bytes of any tensor', async () => {
    const values = new Float32Array([1.5, -2, 0.25, 3]);
    const f64 = new Float64Array([0.1, -7]);
    const i64 = new Uint8Array(16).fill(3);
    const file = encodeSafetensors([
      { name: 'h', dtype: 'F16', shape: [4], bytes: new Uint8Array(encodeF16(values).buffer) },
      { name: 'bf', dtype: 'BF16', shape: [2, 2], bytes: new Uint8Array(encodeBF16(values).buffer) },
      { name: 'd', dtype: 'F64', shape: [2], bytes: new Uint8Array(f64.buffer) },
      { name: 'odd', dtype: 'F16', shape: [1], bytes: new Uint8Array(encodeF16(new Float32Array([0.5])).buffer) },
      { name: 'i', dtype: 'I64', shape: [2], bytes: i64 },
      { name: 'f', dtype: 'F32', shape: [1], bytes: f32Bytes(new Float32Array([9])) },
    ]);
    const src = memorySource('m.safetensors', file);
    const h = await readSafetensorsHeader(src);
    expect(Array.from(await readTensorF32(src, h.tensors.get('h')!))).toEqual([1.5, -2, 0.25, 3]);
    expect(Array.from(await readTensorF32(src, h.tensors.get('bf')!))).toEqual([1.5, -2, 0.25, 3]);
    expect(Array.from(await readTensorF32(src, h.tensors.get('d')!))).toEqual([Math.fround(0.1), -7]);
    // 'f' sits at an odd 2-byte position after the single f16 value: misaligned views must be handled
    expect(h.tensors.get('f')!.byteOffset % 4).not.toBe(0);
    expect(Array.from(await readTensorF32(src, h.tensors.get('f')!))).toEqual([9]);
    expect(Array.from(await readTensorBytes(src, h.tensors.get('i')!))).toEqual(Array.from(i64));
    await expect(readTensorF32(src, h.tensors.get('i')!)).rejects.toMatchObject({ code: 'unknown-dtype' });
  });

  it('accepts scalars and empty tensors, and reads through a Blob source', async () => {
    const file = encodeSafetensors([
      { name: 'scalar', dtype: 'F32', shape: [], bytes: f32Bytes(new Float32Array([4.5])) },
      { name: 'empty', dtype: 'F32', shape: [0, 3], bytes: new Uint8Array(0) },
    ]);
    const src = blobSource(new Blob([file as Uint8Array<ArrayBuffer>]), 'blob.safetensors');
    const h = await readSafetensorsHeader(src);
    expect(h.tensors.get('empty')!.byteLength).toBe(0);
    expect(Array.from(await readTensorF32(src, h.tensors.get('scalar')!))).toEqual([4.5]);
  });

  it('planSafetensors lays tensors back to back after the header', () => {
    const plan = planSafetensors([
      { name: 'x', dtype: 'F16', shape: [3] },
      { name: 'y', dtype: 'F32', shape: [2, 2] },
    ]);
    const start = plan.header.byteLength;
    expect(plan.ranges.get('x')).toEqual({ byteOffset: start, byteLength: 6 });
    expect(plan.ranges.get('y')).toEqual({ byteOffset: start + 6, byteLength: 16 });
    expect(plan.fileSize).toBe(start + 22);
  });
});

describe('readSafetensorsHeader refuses broken files with specific codes', () => {
  it("file shorter than 8 bytes -> 'truncated'", async () => {
    const e = await checkpointErrorOf(header(new Uint8Array(5), 'tiny.safetensors'));
    expect(e.code).toBe('truncated');
    expect(e.message).toContain('tiny.safetensors');
    expect(e.message).toContain('5 bytes');
  });

  it("file cut inside the header -> 'truncated'", async () => {
    const file = rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4);
    const e = await checkpointErrorOf(header(file.subarray(0, 30), 'cut.safetensors'));
    expect(e.code).toBe('truncated');
    expect(e.message).toContain('cut.safetensors');
  });

  it("file cut inside a tensor's data -> 'truncated' naming the tensor", async () => {
    const file = rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"big":{"dtype":"F32","shape":[4],"data_offsets":[4,20]}}', 20);
    const e = await checkpointErrorOf(header(file.subarray(0, file.length - 3), 'cut.safetensors'));
    expect(e.code).toBe('truncated');
    expect(e.tensor).toBe('big');
    expect(e.message).toMatch(/cut\.safetensors.*tensor big/);
  });

  it("a data range beyond the end of the file -> 'truncated'", async () => {
    const file = rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}}', 8);
    const e = await checkpointErrorOf(header(file, 'oob.safetensors'));
    expect(e.code).toBe('truncated');
    expect(e.message).toContain('tensor a');
  });

  it("header length larger than the file -> 'bad-header'", async () => {
    // the bytes that are there form a complete header: the length field is wrong, not the file short
    const file = rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4, 5000);
    const e = await checkpointErrorOf(header(file, 'len.safetensors'));
    expect(e.code).toBe('bad-header');
    expect(e.message).toMatch(/len\.safetensors.*5000.*larger than the file/);
    // not JSON at all
    const garbage = new Uint8Array(64).fill(0x41);
    new DataView(garbage.buffer).setUint32(0, 1000, true);
    expect((await checkpointErrorOf(header(garbage))).code).toBe('bad-header');
  });

  it("absurd header length (> 100 MB) -> 'bad-header'", async () => {
    const file = new Uint8Array(16);
    new DataView(file.buffer).setUint32(0, 0xffffffff, true);
    new DataView(file.buffer).setUint32(4, 7, true);
    const e = await checkpointErrorOf(header(file, 'huge.safetensors'));
    expect(e.code).toBe('bad-header');
    expect(e.message).toContain('absurd');
  });

  it("invalid JSON -> 'bad-header'", async () => {
    const e = await checkpointErrorOf(header(rawFile('{"a": {"dtype": "F32", ', 0), 'json.safetensors'));
    expect(e.code).toBe('bad-header');
    expect(e.message).toMatch(/json\.safetensors.*JSON/);
  });

  it("a byte count that disagrees with the shape -> 'bad-header' naming the tensor", async () => {
    const e = await checkpointErrorOf(header(rawFile('{"w":{"dtype":"F16","shape":[3,2],"data_offsets":[0,8]}}', 8), 'count.safetensors'));
    expect(e.code).toBe('bad-header');
    expect(e.tensor).toBe('w');
    expect(e.message).toContain('needs 12 bytes');
  });

  it("overlapping tensor ranges -> 'overlapping-ranges' naming both tensors", async () => {
    const file = rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12);
    const e = await checkpointErrorOf(header(file, 'ov.safetensors'));
    expect(e.code).toBe('overlapping-ranges');
    expect(e.message).toContain('ov.safetensors');
    expect(e.message).toContain('tensors a');
    expect(e.message).toContain('b (bytes');
  });

  it("an unknown dtype -> 'unknown-dtype' naming file, tensor and dtype", async () => {
    const e = await checkpointErrorOf(header(rawFile('{"q":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}', 4), 'dt.safetensors'));
    expect(e.code).toBe('unknown-dtype');
    expect(e.tensor).toBe('q');
    expect(e.message).toMatch(/dt\.safetensors.*tensor q.*F8_E4M3/);
  });

  it("bad shapes and offsets -> 'bad-header'", async () => {
    for (const entry of [
      '{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}',
      '{"dtype":"F32","shape":[1],"data_offsets":[4,0]}',
      '{"dtype":"F32","shape":"x","data_offsets":[0,4]}',
    ]) {
      const e = await checkpointErrorOf(header(rawFile(`{"t":${entry}}`, 4)));
      expect(e.code).toBe('bad-header');
    }
  });
});

describe('parseShardIndex', () => {
  it('maps tensors to shard files', () => {
    const idx = parseShardIndex(
      JSON.stringify({ metadata: { total_size: 10 }, weight_map: { a: 'm-00002.safetensors', b: 'm-00001.safetensors', c: 'm-00001.safetensors' } }),
      'm.safetensors.index.json',
    );
    expect(idx.weightMap.get('a')).toBe('m-00002.safetensors');
    expect(idx.shards).toEqual(['m-00001.safetensors', 'm-00002.safetensors']);
    expect(idx.metadata).toEqual({ total_size: 10 });
  });
  it("refuses an index without weight_map -> 'bad-header'", () => {
    expect(() => parseShardIndex('{"metadata":{}}', 'i.json')).toThrow(expect.objectContaining({ code: 'bad-header' }));
    expect(() => parseShardIndex('nope', 'i.json')).toThrow(expect.objectContaining({ code: 'bad-header' }));
  });
});
