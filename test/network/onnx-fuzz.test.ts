/**
 * ONNX graph edits (issue #14): attributes set to out-of-range values,
 * dropped or shortened, inputs swapped, ops renamed, initializer dims
 * changed, bytes flipped — on a small graph covering each op family. Every
 * attempt imports to a network whose MAC layers make valid workloads, or is
 * one SpecError line; never a crash or a hang.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType, ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/network/onnx/import.js';
import { layerMacs, layerWorkload } from '../../src/network/network.js';
import { SpecError } from '../../src/spec/errors.js';
import { operationCount } from '../../src/workload/workload.js';
import { floats, int64s, node, onnxModel, value } from '../helpers/onnxGraph.js';
import { rng } from '../helpers/random.js';

const BASE = onnxModel({
  inputs: [value('x', [1, 4, 16, 16])],
  inits: [
    floats('w1', [8, 4, 3, 3]), floats('w2', [8, 2, 3, 3]), floats('wt', [8, 8, 2, 2]), floats('wfc', [10, 8 * 16]),
    int64s('shape', [2], [1, -1]), int64s('st', [1], [0]), int64s('en', [1], [2]), int64s('ax', [1], [0]), int64s('sp', [1], [1]), floats('sc', [4], [1, 1, 0.5, 0.5]),
  ],
  nodes: [
    node('c1', 'Conv', ['x', 'w1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1 }),
    node('c2', 'Conv', ['c1.out', 'w2'], { pads: [1, 1, 1, 1], group: 4 }),
    node('p', 'MaxPool', ['c2.out'], { kernel_shape: [2, 2], strides: [2, 2] }),
    node('t', 'ConvTranspose', ['p.out', 'wt'], { strides: [2, 2] }),
    node('add', 'Add', ['t.out', 'c2.out']),
    node('r', 'Resize', ['add.out', '', 'sc'], { mode: 'nearest' }),
    node('s', 'Shape', ['r.out']), node('sl', 'Slice', ['s.out', 'st', 'en', 'ax', 'sp']),
    node('gap', 'AveragePool', ['r.out'], { kernel_shape: [2, 2], strides: [2, 2] }),
    node('f', 'Reshape', ['gap.out', 'shape']),
    node('mm', 'Gemm', ['f.out', 'wfc'], { transB: 1 }),
  ],
});
const VALUES = [0, -1, -3, 1, 2, 3, 7, 100, 2 ** 31, 1e15];

function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  if (r() < 0.15) {
    const b = bytes.slice();
    for (let k = 0; k < 1 + r() * 4; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    return b;
  }
  const m = fromBinary(ModelProtoSchema, bytes);
  const g = m.graph!;
  for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
    const n = pick(g.node);
    const kind = r();
    if (kind < 0.45 && n.attribute.length > 0) {
      const a = pick(n.attribute);
      if (a.type === AttributeProto_AttributeType.INTS) {
        const c = r();
        if (c < 0.3) a.ints = a.ints.slice(0, Math.floor(r() * a.ints.length));
        else if (c < 0.5) a.ints = [...a.ints, BigInt(pick(VALUES))];
        else a.ints = a.ints.map((v) => (r() < 0.5 ? BigInt(pick(VALUES)) : v));
      } else if (a.type === AttributeProto_AttributeType.INT) a.i = BigInt(pick(VALUES));
      else n.attribute = n.attribute.filter((x) => x !== a);
    } else if (kind < 0.55) n.attribute = n.attribute.filter(() => r() < 0.5);
    else if (kind < 0.65) n.attribute.push(create(AttributeProtoSchema, { name: pick(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'axis', 'perm']), type: AttributeProto_AttributeType.INTS, ints: [BigInt(pick(VALUES))] }));
    else if (kind < 0.75) n.opType = pick(['Conv', 'MaxPool', 'Gemm', 'MatMul', 'Split', 'Concat', 'Transpose', 'LSTM', 'ConvTranspose', 'Squeeze', 'Slice', 'If', 'Flatten']);
    else if (kind < 0.85 && n.input.length > 1) n.input = [...n.input].reverse();
    else if (g.initializer.length > 0) {
      const t = pick(g.initializer);
      if (t.dims.length > 0) t.dims = t.dims.map((d) => (r() < 0.4 ? BigInt(pick(VALUES.filter((v) => v < 1e9))) : d));
    }
  }
  return toBinary(ModelProtoSchema, m);
}

describe('ONNX fuzz: graph edits and byte mutations', () => {
  it('1,500 attempts: a network with valid workloads, or one SpecError line', () => {
    const r = rng(13);
    let ok = 0, refused = 0;
    const base = importOnnx(BASE, 'fuzz.onnx');
    expect(base.layers.some((l) => l.kind === 'conv' && l.transposed)).toBe(true);
    for (let i = 0; i < 1500; i++) {
      const bytes = mutate(BASE, r);
      try {
        const net = importOnnx(bytes, 'fuzz.onnx');
        for (const l of net.layers) {
          const m = layerMacs(l);
          expect(Number.isSafeInteger(m) && m >= 0, `attempt ${i}: ${l.name} MACs ${m}`).toBe(true);
          if (l.kind !== 'other') expect(operationCount(layerWorkload(l, 1)), `attempt ${i}: ${l.name}`).toBe(m);
        }
        ok++;
      } catch (e) {
        if (!(e instanceof SpecError)) throw new Error(`attempt ${i}: ${(e as Error).stack}`);
        expect(e.message.split('\n'), `attempt ${i}`).toHaveLength(1);
        expect(e.file).toBe('fuzz.onnx');
        refused++;
      }
    }
    expect(ok).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
    process.stdout.write(`fuzz (ONNX graph edits and byte mutations): ${ok + refused} attempts (${ok} imported, ${refused} refused), 0 violations\n`);
  });
});
