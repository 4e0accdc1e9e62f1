import { onnx } from 'onnx-proto';

/**
 * A small typed layer over the ONNX protobuf classes: enough to write graphs of standard and `ai.onnx.ml`
 * operators. Opsets are pinned to versions Debian's python3-onnx checker (1.12) and ONNX Runtime both know.
 */
export const OPSET_DEFAULT = 17;
export const OPSET_ML = 3;
export const IR_VERSION = 8;

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

export type AttributeValue =
  | { floats: ArrayLike<number> }
  | { ints: ArrayLike<number> }
  | { strings: readonly string[] }
  | { float: number }
  | { int: number }
  | { string: string }
  | { tensor: onnx.ITensorProto };

function attribute(name: string, v: AttributeValue): onnx.IAttributeProto {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  if ('floats' in v) return { name, type: A.FLOATS, floats: Array.from(v.floats) };
  if ('ints' in v) return { name, type: A.INTS, ints: Array.from(v.ints) };
  if ('strings' in v) return { name, type: A.STRINGS, strings: v.strings.map(utf8) };
  if ('float' in v) return { name, type: A.FLOAT, f: v.float };
  if ('int' in v) return { name, type: A.INT, i: v.int };
  if ('string' in v) return { name, type: A.STRING, s: utf8(v.string) };
  return { name, type: A.TENSOR, t: v.tensor };
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Record<string, AttributeValue> = {},
  domain = '',
): onnx.INodeProto {
  return {
    opType,
    domain,
    input: inputs,
    output: outputs,
    name: `${opType}_${outputs[0]}`,
    attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  };
}

/** A float32 constant tensor (an initializer). */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = Float32Array.from(values as ArrayLike<number>);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new RangeError(`${name}: ${data.length} values for dims [${dims}]`);
  return { name, dims, dataType: T.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
  return { name, dims, dataType: T.INT64, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A float tensor value with a dynamic first dimension (the batch) and fixed others. */
export function floatInput(name: string, width: number): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } },
  };
}

export interface ModelSpec {
  graphName: string;
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
  /** Free-form key/values stored in the model (e.g. feature names, the feature set version). */
  metadata?: Record<string, string>;
  docString?: string;
}

/** Serialises a model to ONNX bytes. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'vigil',
    producerVersion: '1',
    docString: spec.docString ?? '',
    opsetImport: [
      { domain: '', version: OPSET_DEFAULT },
      { domain: 'ai.onnx.ml', version: OPSET_ML },
    ],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.graphName,
      node: spec.nodes,
      initializer: spec.initializers,
      input: spec.inputs,
      output: spec.outputs,
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
