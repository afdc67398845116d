/**
 * ONNX attribute checks (issue #14): every attribute out of its legal range
 * is one SpecError naming the file, `node <name> (<op>).<attribute>`, what
 * was expected and what was found — never a crash, a hang or a silently
 * different number.
 */
import { create } from '@bufbuild/protobuf';
import { TensorProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/network/onnx/import.js';
import { SpecError } from '../../src/spec/errors.js';
import { floats, int64s, node, onnxModel, value, type Attr } from '../helpers/onnxGraph.js';

const conv = (attrs: Record<string, Attr>, w = [4, 3, 3, 3], x = [1, 3, 8, 8]) => onnxModel({
  inputs: [value('x', x)], inits: [floats('w', w)], nodes: [node('c', 'Conv', ['x', 'w'], attrs)],
});
const gemm = (w: number[], attrs: Record<string, Attr> = {}) => onnxModel({
  inputs: [value('x', [1, 256])], inits: [floats('w', w)], nodes: [node('g', 'Gemm', ['x', 'w'], attrs)],
});
const pool = (attrs: Record<string, Attr>) => onnxModel({ inputs: [value('x', [1, 3, 8, 8])], nodes: [node('p', 'MaxPool', ['x'], attrs)] });

const CASES: { what: string; bytes: () => Uint8Array; field: string; expected: RegExp }[] = [
  { what: 'MaxPool without kernel_shape', bytes: () => pool({}), field: 'node p (MaxPool).kernel_shape', expected: /2 integers ≥ 1 \(the attribute is required\), found none/ },
  { what: 'strides 0', bytes: () => conv({ strides: [0, 0] }), field: 'node c (Conv).strides', expected: /values ≥ 1, found \[0, 0\]/ },
  { what: 'one-element strides', bytes: () => conv({ strides: [2] }), field: 'node c (Conv).strides', expected: /2 values .*found 1 \[2\]/ },
  { what: 'one-element pads', bytes: () => pool({ kernel_shape: [2, 2], pads: [1] }), field: 'node p (MaxPool).pads', expected: /4 values .*found 1 \[1\]/ },
  { what: 'a 1-D Gemm weight', bytes: () => gemm([256]), field: 'node g (Gemm).B', expected: /a 2-D tensor, found 1-D \[256\]/ },
  { what: 'negative dilation', bytes: () => conv({ dilations: [-1, -1] }), field: 'node c (Conv).dilations', expected: /values ≥ 1, found \[-1, -1\]/ },
  { what: 'dilation 0', bytes: () => conv({ dilations: [0, 1] }), field: 'node c (Conv).dilations', expected: /values ≥ 1, found \[0, 1\]/ },
  { what: 'negative pads', bytes: () => conv({ pads: [-1, 0, 0, 0] }), field: 'node c (Conv).pads', expected: /values ≥ 0, found \[-1, 0, 0, 0\]/ },
  {
    what: 'Slice with step 0 on a shape constant',
    bytes: () => onnxModel({
      inputs: [value('x', [1, 3, 8, 8])], inits: [int64s('s', [1], [0]), int64s('e', [1], [4]), int64s('a', [1], [0]), int64s('st', [1], [0])],
      nodes: [node('shape', 'Shape', ['x']), node('sl', 'Slice', ['shape.out', 's', 'e', 'a', 'st'])],
    }),
    field: 'node sl (Slice).steps', expected: /non-zero steps, found \[0\]/,
  },
  { what: "a grouped Conv whose output channels the group does not divide", bytes: () => conv({ group: 4 }, [6, 1, 3, 3], [1, 4, 8, 8]), field: 'node c (Conv).group', expected: /a group count dividing the 6 output channels, found 4/ },
  { what: 'input channels ≠ weight channels × group', bytes: () => conv({ group: 2 }), field: 'node c (Conv).group', expected: /input channels \(3\) = weight channels × group \(3 × 2\)/ },
  { what: 'kernel_shape disagreeing with the weight', bytes: () => conv({ kernel_shape: [5, 5] }), field: 'node c (Conv).kernel_shape', expected: /the weight's kernel \[3, 3\], found \[5, 5\]/ },
  { what: 'a Gemm whose weight does not match the input', bytes: () => gemm([10, 128], { transB: 1 }), field: 'node g (Gemm).B', expected: /with A's K = 256, found \[10, 128\] \(transB = 1\)/ },
  { what: 'a kernel larger than its input', bytes: () => conv({}, [4, 3, 11, 11]), field: 'node c (Conv).kernel_shape', expected: /no larger than the padded input \(8\), found \[11, 11\]/ },
  { what: 'a pooling window larger than its input', bytes: () => pool({ kernel_shape: [9, 9] }), field: 'node p (MaxPool).kernel_shape', expected: /no larger than the padded input \(8\)/ },
  { what: 'group 0', bytes: () => conv({ group: 0 }), field: 'node c (Conv).group', expected: /an integer ≥ 1, found 0/ },
];

describe('ONNX attribute checks', () => {
  for (const c of CASES) {
    it(`${c.what}: one line naming the node and attribute`, () => {
      let err: unknown;
      try { importOnnx(c.bytes(), 'bad.onnx'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SpecError);
      const e = err as SpecError;
      expect(e.file).toBe('bad.onnx');
      expect(e.field).toBe(c.field);
      expect(e.message).toMatch(c.expected);
      expect(e.message.split('\n')).toHaveLength(1);
    });
  }

  it('short raw_data (a density from too few floats) names the initializer', () => {
    const w = create(TensorProtoSchema, { name: 'w', dims: [4n, 3n, 3n, 3n], dataType: TensorProto_DataType.FLOAT, rawData: new Uint8Array(8) });
    const bytes = onnxModel({ inputs: [value('x', [1, 3, 8, 8])], inits: [w], nodes: [node('c', 'Conv', ['x', 'w'])] });
    expect(() => importOnnx(bytes, 'bad.onnx')).toThrow(/^bad\.onnx: initializer w\.raw_data: expected 432 bytes \(108 values of 4 bytes for dims \[4, 3, 3, 3\]\), found 8 bytes$/);
  });

  it('a valid file with the same attributes spelled out imports (the checks refuse only what is out of range)', () => {
    const net = importOnnx(conv({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], kernel_shape: [3, 3], group: 1 }), 'ok.onnx');
    expect(net.layers[0]).toMatchObject({ kind: 'conv', outH: 6, outW: 6 });
  });
});
