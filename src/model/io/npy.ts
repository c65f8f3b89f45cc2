/**
 * NumPy `.npy` reader and writer (format versions 1.0, 2.0 and 3.0; C order; little-endian
 * f4 / f8 / i8 / i4 and single-byte u1 / b1). Pure byte arrays in and out, so it runs in Node,
 * the browser and workers alike. Format reference: numpy.lib.format.
 */

export type NpyDtype = 'f4' | 'f8' | 'i8' | 'i4' | 'u1' | 'b1';

export interface NpyDataByDtype {
  f4: Float32Array;
  f8: Float64Array;
  i8: BigInt64Array;
  i4: Int32Array;
  u1: Uint8Array;
  /** booleans as 0 / 1 bytes */
  b1: Uint8Array;
}

export interface NpyArray<D extends NpyDtype = NpyDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: NpyDataByDtype[D];
}

export class NpyError extends Error {
  override name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const ITEM_SIZE: Record<NpyDtype, number> = { f4: 4, f8: 8, i8: 8, i4: 4, u1: 1, b1: 1 };

/** descr strings numpy writes for each dtype (single-byte types carry '|', "not applicable") */
const DESCR: Record<NpyDtype, string> = { f4: '<f4', f8: '<f8', i8: '<i8', i4: '<i4', u1: '|u1', b1: '|b1' };

function dtypeFromDescr(descr: string): NpyDtype {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  if (!m) throw new NpyError(`unsupported dtype '${descr}' (structured or non-numeric)`);
  const [, order, kind, bytes] = m;
  const dtype = `${kind}${bytes}` as NpyDtype;
  if (!(dtype in ITEM_SIZE)) throw new NpyError(`unsupported dtype '${descr}' (supported: f4, f8, i8, i4, u1, b1)`);
  if (order === '>' && ITEM_SIZE[dtype] > 1) throw new NpyError(`big-endian dtype '${descr}' is not supported`);
  return dtype;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new NpyError(`invalid shape entry ${d}`);
    n *= d;
  }
  return n;
}

/** Parses the Python dict literal of an npy header, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`malformed npy header: ${text.trim().slice(0, 120)}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(v) || v < 0) throw new NpyError(`malformed shape in npy header: (${shapeText})`);
      return v;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

function typedView(dtype: NpyDtype, buffer: ArrayBuffer, count: number): NpyDataByDtype[NpyDtype] {
  switch (dtype) {
    case 'f4':
      return new Float32Array(buffer, 0, count);
    case 'f8':
      return new Float64Array(buffer, 0, count);
    case 'i8':
      return new BigInt64Array(buffer, 0, count);
    case 'i4':
      return new Int32Array(buffer, 0, count);
    case 'u1':
    case 'b1':
      return new Uint8Array(buffer, 0, count);
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads a `.npy` file. The returned data is a fresh, aligned copy (never a view of `bytes`). */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (!LITTLE_ENDIAN_HOST) throw new NpyError('big-endian hosts are not supported');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError('not an npy file: missing \\x93NUMPY magic');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('truncated npy header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyError(`unsupported npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new NpyError('truncated npy header');
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(headerText);
  const dtype = dtypeFromDescr(descr);
  const count = sizeOf(shape);
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) {
    throw new NpyError('fortran_order arrays are not supported (save with C order)');
  }
  const byteCount = count * ITEM_SIZE[dtype];
  if (bytes.length - dataStart < byteCount) {
    throw new NpyError(`truncated npy data: need ${byteCount} bytes for ${descr} [${shape.join(', ')}], have ${bytes.length - dataStart}`);
  }
  const copy = bytes.slice(dataStart, dataStart + byteCount);
  const data = typedView(dtype, copy.buffer, count);
  if (dtype === 'b1') {
    for (const v of data as Uint8Array) if (v > 1) throw new NpyError(`invalid boolean byte ${v}`);
  }
  return { dtype, shape: Object.freeze([...shape]), data };
}

function dtypeOfData(data: NpyDataByDtype[NpyDtype]): NpyDtype {
  if (data instanceof Float32Array) return 'f4';
  if (data instanceof Float64Array) return 'f8';
  if (data instanceof BigInt64Array) return 'i8';
  if (data instanceof Int32Array) return 'i4';
  return 'u1';
}

/**
 * Writes a `.npy` file (version 1.0, or 2.0 when the header needs more than 65535 bytes).
 * The header is padded so the data starts at a multiple of 64 bytes, as numpy does.
 */
export function writeNpy(arr: NpyArray): Uint8Array {
  if (!LITTLE_ENDIAN_HOST) throw new NpyError('big-endian hosts are not supported');
  const { dtype, shape, data } = arr;
  const expectedKind = dtype === 'b1' ? 'u1' : dtype;
  if (dtypeOfData(data) !== expectedKind) {
    throw new NpyError(`dtype '${dtype}' does not match data of type ${data.constructor.name}`);
  }
  const count = sizeOf(shape);
  if (data.length !== count) throw new NpyError(`shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  if (dtype === 'b1') {
    for (const v of data as Uint8Array) if (v > 1) throw new NpyError(`invalid boolean value ${v} (use 0 or 1)`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const header = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const byteCount = count * ITEM_SIZE[dtype];
  const out = new Uint8Array(total + byteCount);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, byteCount), total);
  return out;
}

/** Reads a float32 `.npy` and checks its rank; the common case for goldens. */
export function readNpyFloat32(bytes: Uint8Array, rank?: number): NpyArray<'f4'> {
  const arr = readNpy(bytes);
  if (arr.dtype !== 'f4') throw new NpyError(`expected float32 (<f4) npy, got ${arr.dtype}`);
  if (rank !== undefined && arr.shape.length !== rank) {
    throw new NpyError(`expected a rank-${rank} array, got shape [${arr.shape.join(', ')}]`);
  }
  return arr as NpyArray<'f4'>;
}
