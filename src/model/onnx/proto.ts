/**
 * The subset of onnx.proto (IR version 8) that clipscope writes, as a protobufjs JSON descriptor,
 * plus encode/decode helpers. Field numbers follow onnx/onnx.proto (checked field by field).
 * onnx.proto is proto2; repeated scalars here are written packed, which every protobuf parser
 * (ONNX Runtime's included) accepts for proto2 repeated fields as well.
 */
import protobuf from 'protobufjs/light.js';

/** TensorProto.DataType values we use */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  BFLOAT16: 16,
  DOUBLE: 11,
} as const;
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values we use */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export const TENSOR_DATA_LOCATION_EXTERNAL = 1;
/** IR version 8 goes with opset 17 (ONNX 1.12) */
export const IR_VERSION = 8;

const descriptor = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4 },
            int32Data: { rule: 'repeated', type: 'int32', id: 5 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: { type: 'int64', id: 1 },
                dimParam: { type: 'string', id: 2 },
                denotation: { type: 'string', id: 3 },
              },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 }, denotation: { type: 'string', id: 6 } },
          nested: {
            Tensor: {
              fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
            },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
const ModelProtoType = root.lookupType('onnx.ModelProto');

// Plain-object views of the messages (camelCase field names, as protobufjs uses them).
export interface StringStringEntry { key: string; value: string }
export interface TensorProtoObj {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  externalData?: StringStringEntry[];
  dataLocation?: number;
}
export interface AttributeProtoObj {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProtoObj;
  floats?: number[];
  ints?: number[];
}
export interface NodeProtoObj {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProtoObj[];
  domain?: string;
}
export interface DimensionObj { dimValue?: number; dimParam?: string }
export interface ValueInfoProtoObj {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: DimensionObj[] } } };
}
export interface GraphProtoObj {
  name: string;
  node: NodeProtoObj[];
  initializer: TensorProtoObj[];
  input: ValueInfoProtoObj[];
  output: ValueInfoProtoObj[];
}
export interface ModelProtoObj {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  graph: GraphProtoObj;
  opsetImport: { domain: string; version: number }[];
  metadataProps?: StringStringEntry[];
}

export function encodeModelProto(model: ModelProtoObj): Uint8Array {
  const problem = ModelProtoType.verify(model);
  if (problem) throw new Error(`invalid ONNX ModelProto: ${problem}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

/** Decodes the subset above (unknown fields are skipped); int64 fields come back as numbers. */
export function decodeModelProto(bytes: Uint8Array): ModelProtoObj {
  const msg = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(msg, { longs: Number, arrays: true, defaults: false }) as ModelProtoObj;
}
