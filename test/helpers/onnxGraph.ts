/** Small ONNX graphs made in the tests, with onnx-buf's generated classes (as src/network/onnx/export.ts does). */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema, TensorProtoSchema,
  TensorProto_DataType, TensorShapeProtoSchema, TensorShapeProto_DimensionSchema, TypeProtoSchema, TypeProto_TensorSchema, ValueInfoProtoSchema,
  type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from 'onnx-buf';

/** An attribute value: an int, ints, a float (F), floats (Fs), a string, a subgraph or a tensor. */
export type Attr = number | number[] | string | { f: number } | { fs: number[] } | GraphProto | TensorProto;
export const F = (f: number) => ({ f }), Fs = (fs: number[]) => ({ fs });

function attribute(name: string, v: Attr): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof v === 'number') return create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: T.INTS, ints: v.map(BigInt) });
  if (typeof v === 'string') return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(v) });
  if ('f' in v) return create(AttributeProtoSchema, { name, type: T.FLOAT, f: v.f });
  if ('fs' in v) return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: v.fs });
  if ('node' in v) return create(AttributeProtoSchema, { name, type: T.GRAPH, g: v });
  return create(AttributeProtoSchema, { name, type: T.TENSOR, t: v });
}

/** A node; outputs default to `<name>.out`. */
export function node(name: string, opType: string, input: string[], attrs: Record<string, Attr> = {}, output = [`${name}.out`]): NodeProto {
  return create(NodeProtoSchema, { name, opType, input, output, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
}

/** A value_info of a float tensor; string dims are symbolic. */
export function value(name: string, dims: (number | string)[], elemType: number = TensorProto_DataType.FLOAT): ValueInfoProto {
  const dim = dims.map((d) => create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } }));
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) }) } }) });
}

/** A float tensor (raw data when `data` is given, shape only otherwise). */
export function floats(name: string, dims: number[], data?: number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT, ...(data ? { rawData: new Uint8Array(Float32Array.from(data).buffer) } : {}) });
}
/** An int64 tensor with data. */
export function int64s(name: string, dims: number[], data: number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.INT64, int64Data: data.map(BigInt) });
}
/** A bool tensor with data. */
export function bools(name: string, dims: number[], data: boolean[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.BOOL, rawData: Uint8Array.from(data.map(Number)) });
}

/** A graph (for If branches and models). */
export function graph(g: { name?: string; inputs?: ValueInfoProto[]; inits?: TensorProto[]; nodes: NodeProto[]; valueInfo?: ValueInfoProto[]; outputs?: string[] }): GraphProto {
  return create(GraphProtoSchema, {
    name: g.name ?? 'g', input: g.inputs ?? [], initializer: g.inits ?? [], node: g.nodes, valueInfo: g.valueInfo ?? [],
    output: (g.outputs ?? [g.nodes[g.nodes.length - 1].output[0]]).map((name) => create(ValueInfoProtoSchema, { name })),
  });
}

/** Model bytes for a graph (opset 13). */
export function onnxModel(g: Parameters<typeof graph>[0]): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph: graph(g), opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 13n })] }));
}
