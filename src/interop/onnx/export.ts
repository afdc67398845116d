/**
 * Writes a sequential network (no branches) as an ONNX graph: Conv, Gemm
 * (after a Flatten), MaxPool/AveragePool/GlobalAveragePool nodes with
 * weight initializers that carry shapes but no values, and no intermediate
 * shapes — so that importing it exercises shape inference. Used by the tests
 * to build zoo-equivalent files.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema,
  TensorProtoSchema, TensorProto_DataType, TensorShapeProtoSchema, TensorShapeProto_DimensionSchema, TypeProtoSchema,
  TypeProto_TensorSchema, ValueInfoProtoSchema, type AttributeProto, type NodeProto, type TensorProto,
} from 'onnx-buf';
import type { Network } from '../../network/network.js';

const intsAttr = (name: string, v: number[]): AttributeProto => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: v.map(BigInt) });
const intAttr = (name: string, v: number): AttributeProto => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(v) });
const weight = (name: string, dims: number[]): TensorProto => create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT });

export function exportSequentialOnnx(net: Network, batch = 1): Uint8Array {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let cur = 'input';
  let flat = false;
  net.layers.forEach((l, i) => {
    const out = `t${i}`;
    if (l.kind === 'conv') {
      inits.push(weight(`${l.name}.weight`, [l.outC, l.inC / l.groups, l.kH, l.kW]));
      nodes.push(create(NodeProtoSchema, {
        name: l.name, opType: 'Conv', input: [cur, `${l.name}.weight`], output: [out],
        attribute: [intsAttr('kernel_shape', [l.kH, l.kW]), intsAttr('strides', [l.strideH, l.strideW]), intsAttr('pads', [l.padH, l.padW, l.padH, l.padW]), intsAttr('dilations', [l.dilH, l.dilW]), intAttr('group', l.groups)],
      }));
    } else if (l.kind === 'fc') {
      if (!flat) {
        nodes.push(create(NodeProtoSchema, { name: `${l.name}.flatten`, opType: 'Flatten', input: [cur], output: [`${out}.flat`], attribute: [intAttr('axis', 1)] }));
        cur = `${out}.flat`;
        flat = true;
      }
      inits.push(weight(`${l.name}.weight`, [l.outFeatures, l.inFeatures]));
      nodes.push(create(NodeProtoSchema, { name: l.name, opType: 'Gemm', input: [cur, `${l.name}.weight`], output: [out], attribute: [intAttr('transB', 1)] }));
    } else if (l.pool) {
      const p = l.pool;
      if (p.global) nodes.push(create(NodeProtoSchema, { name: l.name, opType: 'GlobalAveragePool', input: [cur], output: [out] }));
      else nodes.push(create(NodeProtoSchema, {
        name: l.name, opType: l.op === 'maxpool' ? 'MaxPool' : 'AveragePool', input: [cur], output: [out],
        attribute: [intsAttr('kernel_shape', [p.kernel, p.kernel]), intsAttr('strides', [p.stride, p.stride]), intsAttr('pads', [p.pad, p.pad, p.pad, p.pad]), intAttr('ceil_mode', p.ceil ? 1 : 0)],
      }));
    } else {
      throw new Error(`${net.name}/${l.name}: only sequential networks of conv, fc and pooling layers can be exported`);
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
