/**
 * Writes a sequential network (no branches) as an ONNX graph: Conv, Gemm
 * (after a Flatten), MaxPool/AveragePool/GlobalAveragePool nodes, and no
 * intermediate shapes — so that importing it exercises shape inference.
 * Without `values` the weight initializers carry shapes only (the tests'
 * zoo-equivalent files); with them, a trained model's weights and biases
 * (ONNX layout: conv [out, in, kH, kW], Gemm [out, in]) and its activations.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema,
  TensorProtoSchema, TensorProto_DataType, TensorShapeProtoSchema, TensorShapeProto_DimensionSchema, TypeProtoSchema,
  TypeProto_TensorSchema, ValueInfoProtoSchema, type AttributeProto, type NodeProto, type TensorProto,
} from 'onnx-buf';
import type { Network } from '../network.js';

const intsAttr = (name: string, v: number[]): AttributeProto => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: v.map(BigInt) });
const intAttr = (name: string, v: number): AttributeProto => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(v) });
const weight = (name: string, dims: number[], data?: Float32Array): TensorProto =>
  create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT, ...(data ? { rawData: new Uint8Array(Float32Array.from(data).buffer) } : {}) });

/** Trained parameters of one layer, in ONNX layout, and the activation after it. */
export interface LayerValues {
  readonly weight: Float32Array;
  readonly bias?: Float32Array;
  readonly activation?: 'relu' | 'softmax';
}

/** A sequential network as ONNX model bytes, for `batch` images; `values` adds trained weights and activations. */
export function exportSequentialOnnx(net: Network, batch = 1, values?: ReadonlyMap<string, LayerValues>): Uint8Array {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let cur = 'input';
  let flat = false;
  net.layers.forEach((l, i) => {
    let out = `t${i}`;
    const v = values?.get(l.name);
    const bias = (n: number): string[] => {
      if (!v?.bias) return [];
      inits.push(weight(`${l.name}.bias`, [n], v.bias));
      return [`${l.name}.bias`];
    };
    if (l.kind === 'conv') {
      inits.push(weight(`${l.name}.weight`, [l.outC, l.inC / l.groups, l.kH, l.kW], v?.weight));
      nodes.push(create(NodeProtoSchema, {
        name: l.name, opType: 'Conv', input: [cur, `${l.name}.weight`, ...bias(l.outC)], output: [out],
        attribute: [intsAttr('kernel_shape', [l.kH, l.kW]), intsAttr('strides', [l.strideH, l.strideW]), intsAttr('pads', [l.padH, l.padW, l.padH, l.padW]), intsAttr('dilations', [l.dilH, l.dilW]), intAttr('group', l.groups)],
      }));
    } else if (l.kind === 'fc') {
      if (!flat) {
        nodes.push(create(NodeProtoSchema, { name: `${l.name}.flatten`, opType: 'Flatten', input: [cur], output: [`${out}.flat`], attribute: [intAttr('axis', 1)] }));
        cur = `${out}.flat`;
        flat = true;
      }
      inits.push(weight(`${l.name}.weight`, [l.outFeatures, l.inFeatures], v?.weight));
      nodes.push(create(NodeProtoSchema, { name: l.name, opType: 'Gemm', input: [cur, `${l.name}.weight`, ...bias(l.outFeatures)], output: [out], attribute: [intAttr('transB', 1)] }));
    } else if (l.kind === 'other' && l.pool) {
      const p = l.pool;
      if (p.global) nodes.push(create(NodeProtoSchema, { name: l.name, opType: 'GlobalAveragePool', input: [cur], output: [out] }));
      else nodes.push(create(NodeProtoSchema, {
        name: l.name, opType: l.op === 'maxpool' ? 'MaxPool' : 'AveragePool', input: [cur], output: [out],
        attribute: [intsAttr('kernel_shape', [p.kernel, p.kernel]), intsAttr('strides', [p.stride, p.stride]), intsAttr('pads', [p.pad, p.pad, p.pad, p.pad]), intAttr('ceil_mode', p.ceil ? 1 : 0)],
      }));
    } else {
      throw new Error(`${net.name}/${l.name}: only sequential networks of conv, fc and pooling layers can be exported`);
    }
    if (v?.activation) {
      const a = `${out}.${v.activation}`;
      nodes.push(create(NodeProtoSchema, { name: `${l.name}.${v.activation}`, opType: v.activation === 'relu' ? 'Relu' : 'Softmax', input: [out], output: [a], ...(v.activation === 'softmax' ? { attribute: [intAttr('axis', 1)] } : {}) }));
      out = a;
    }
    cur = out;
  });
  const dim = (v: number) => create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(v) } });
  const tensorType = (dims: number[]) => create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: TensorProto_DataType.FLOAT, shape: create(TensorShapeProtoSchema, { dim: dims.map(dim) }) }) } });
  const graph = create(GraphProtoSchema, {
    name: net.name,
    node: nodes,
    initializer: inits,
    input: [create(ValueInfoProtoSchema, { name: 'input', type: tensorType([batch, ...net.input]) })],
    output: [create(ValueInfoProtoSchema, { name: cur })],
  });
  const model = create(ModelProtoSchema, { irVersion: 8n, producerName: 'dnnergy', graph, opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 13n })] });
  return toBinary(ModelProtoSchema, model);
}
