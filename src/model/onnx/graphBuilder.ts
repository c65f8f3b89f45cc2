/**
 * A small DSL for writing ONNX graphs by hand: values are plain strings (tensor names), every
 * helper appends one node and returns its output name. Initializers are either external byte
 * ranges (weights) or small inline constants (shapes, scalars), deduplicated by content.
 */
import {
  encodeModelProto,
  IR_VERSION,
  OnnxAttributeType,
  OnnxDataType,
  type AttributeProtoObj,
  type DimensionObj,
  type NodeProtoObj,
  type OnnxDataTypeCode,
  type TensorProtoObj,
  type ValueInfoProtoObj,
  TENSOR_DATA_LOCATION_EXTERNAL,
} from './proto.ts';

/** a tensor name in the graph */
export type Value = string;
/** a static size or a symbolic name (e.g. 'batch') */
export type Dim = number | string;

/** Attribute values: integers and integer lists by default; wrap floats with `float()`/`floats()`. */
export type AttrValue = number | readonly number[] | string | FloatAttr | FloatsAttr;
interface FloatAttr { readonly kind: 'float'; readonly value: number }
interface FloatsAttr { readonly kind: 'floats'; readonly value: readonly number[] }
export const float = (value: number): FloatAttr => ({ kind: 'float', value });
export const floats = (value: readonly number[]): FloatsAttr => ({ kind: 'floats', value });

export interface ExternalLocation {
  /** file name relative to the model (ORT: beside the .onnx file; web: the externalData path) */
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

export const DEFAULT_OPSET = 17;

function toAttribute(name: string, v: AttrValue): AttributeProtoObj {
  if (typeof v === 'string') return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}=${v}: wrap non-integers with float()`);
    return { name, type: OnnxAttributeType.INT, i: v };
  }
  if (Array.isArray(v)) {
    for (const x of v) if (!Number.isInteger(x)) throw new Error(`attribute ${name}: ints expected, got ${x}`);
    return { name, type: OnnxAttributeType.INTS, ints: [...(v as readonly number[])] };
  }
  const tagged = v as FloatAttr | FloatsAttr;
  if (tagged.kind === 'float') return { name, type: OnnxAttributeType.FLOAT, f: tagged.value };
  return { name, type: OnnxAttributeType.FLOATS, floats: [...tagged.value] };
}

function valueInfo(name: string, elemType: OnnxDataTypeCode, dims: readonly Dim[]): ValueInfoProtoObj {
  const dim: DimensionObj[] = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function littleEndianBytes(view: Float32Array | BigInt64Array): Uint8Array {
  // typed arrays are little-endian on every platform ORT runs on
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

export class GraphBuilder {
  private readonly nodes: NodeProtoObj[] = [];
  private readonly initializers: TensorProtoObj[] = [];
  private readonly inputs: ValueInfoProtoObj[] = [];
  private readonly outputs: ValueInfoProtoObj[] = [];
  private readonly constCache = new Map<string, Value>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /**
   * A fresh, unique internal tensor name `hint#n`. The '#' keeps internal names apart from the
   * graph's input and output names (plain identifiers), which are an API.
   */
  fresh(hint: string): Value {
    const name = `${hint}#${++this.counter}`;
    this.used.add(name);
    return name;
  }

  input(name: string, elemType: OnnxDataTypeCode, dims: readonly Dim[]): Value {
    if (this.used.has(name)) throw new Error(`graph ${this.name}: name ${name} already used`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Publishes `value` as graph output `name` (an Identity node renames it). */
  output(name: string, value: Value, elemType: OnnxDataTypeCode, dims: readonly Dim[]): void {
    if (this.used.has(name)) throw new Error(`graph ${this.name}: output name ${name} already used`);
    this.used.add(name);
    this.nodes.push({ name: `out_${name}`, opType: 'Identity', input: [value], output: [name], attribute: [] });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** An initializer whose bytes live in an external file (never inside the protobuf). */
  externalInitializer(hint: string, dataType: OnnxDataTypeCode, dims: readonly number[], ext: ExternalLocation): Value {
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType,
      dataLocation: TENSOR_DATA_LOCATION_EXTERNAL,
      externalData: [
        { key: 'location', value: ext.location },
        { key: 'offset', value: String(ext.offset) },
        { key: 'length', value: String(ext.length) },
      ],
    });
    return name;
  }

  /** Small inline float32 constant (deduplicated). */
  constFloat(values: ArrayLike<number>, dims: readonly number[] = [values.length]): Value {
    const data = Float32Array.from(values as ArrayLike<number>);
    const key = `f:${dims.join('x')}:${Array.from(data).join(',')}`;
    return this.inlineConst(key, 'c', OnnxDataType.FLOAT, dims, littleEndianBytes(data));
  }

  /** Small inline int64 constant (deduplicated); pass `[]` dims for a scalar. */
  constInt64(values: readonly number[], dims: readonly number[] = [values.length]): Value {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const key = `i:${dims.join('x')}:${values.join(',')}`;
    return this.inlineConst(key, 'shape', OnnxDataType.INT64, dims, littleEndianBytes(data));
  }

  private inlineConst(key: string, hint: string, dataType: OnnxDataTypeCode, dims: readonly number[], raw: Uint8Array): Value {
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...dims], dataType, rawData: raw });
    this.constCache.set(key, name);
    return name;
  }

  /** Appends a node with `outputCount` outputs and returns their names. */
  nodeN(opType: string, inputs: readonly Value[], attrs: Record<string, AttrValue> = {}, outputCount = 1, hint = opType.toLowerCase()): Value[] {
    const output = Array.from({ length: outputCount }, () => this.fresh(hint));
    this.nodes.push({
      name: this.fresh(`n_${hint}`),
      opType,
      input: [...inputs],
      output,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return output;
  }

  node(opType: string, inputs: readonly Value[], attrs: Record<string, AttrValue> = {}, hint?: string): Value {
    return this.nodeN(opType, inputs, attrs, 1, hint)[0];
  }

  // --- thin op helpers (names match ONNX ops) ---
  add(a: Value, b: Value, hint?: string): Value { return this.node('Add', [a, b], {}, hint); }
  sub(a: Value, b: Value, hint?: string): Value { return this.node('Sub', [a, b], {}, hint); }
  mul(a: Value, b: Value, hint?: string): Value { return this.node('Mul', [a, b], {}, hint); }
  div(a: Value, b: Value, hint?: string): Value { return this.node('Div', [a, b], {}, hint); }
  sqrt(a: Value, hint?: string): Value { return this.node('Sqrt', [a], {}, hint); }
  matmul(a: Value, b: Value, hint?: string): Value { return this.node('MatMul', [a, b], {}, hint); }
  reshape(x: Value, shape: readonly number[], hint?: string): Value {
    return this.node('Reshape', [x, this.constInt64(shape)], {}, hint);
  }
  reshapeTo(x: Value, shape: Value, hint?: string): Value { return this.node('Reshape', [x, shape], {}, hint); }
  transpose(x: Value, perm: readonly number[], hint?: string): Value { return this.node('Transpose', [x], { perm }, hint); }
  concat(xs: readonly Value[], axis: number, hint?: string): Value {
    return xs.length === 1 ? xs[0] : this.node('Concat', xs, { axis }, hint);
  }
  unsqueeze(x: Value, axes: readonly number[], hint?: string): Value {
    return this.node('Unsqueeze', [x, this.constInt64(axes)], {}, hint);
  }
  /** Slice along the given axes with static bounds */
  slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[], hint?: string): Value {
    return this.node('Slice', [x, this.constInt64(starts), this.constInt64(ends), this.constInt64(axes)], {}, hint);
  }
  /** x[..., index, ...] along `axis` (removes the axis) */
  pick(x: Value, index: number, axis: number, hint?: string): Value {
    return this.node('Gather', [x, this.constInt64([index], [])], { axis }, hint);
  }
  reduceMean(x: Value, axes: readonly number[], keepdims: boolean, hint?: string): Value {
    return this.node('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 }, hint);
  }
  reduceSum(x: Value, axes: readonly number[], keepdims: boolean, hint?: string): Value {
    return this.node('ReduceSum', [x, this.constInt64(axes)], { keepdims: keepdims ? 1 : 0 }, hint);
  }
  cast(x: Value, to: OnnxDataTypeCode, hint?: string): Value { return this.node('Cast', [x], { to }, hint); }
  scalar(v: number): Value { return this.constFloat([v], []); }

  /** Serialises the ModelProto (weights stay external). */
  toModel(options: { opset?: number; producerVersion?: string; docString?: string } = {}): Uint8Array {
    return encodeModelProto({
      irVersion: IR_VERSION,
      producerName: 'clipscope',
      producerVersion: options.producerVersion ?? '0.1.0',
      opsetImport: [{ domain: '', version: options.opset ?? DEFAULT_OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }

  /** number of nodes so far (for tests and diagnostics) */
  get nodeCount(): number { return this.nodes.length; }
}
