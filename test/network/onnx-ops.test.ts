/**
 * The ONNX op table, family by family, on small graphs made here: shapes as
 * ONNX shape inference gives them and MACs computed by hand.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { importOnnx, topologicalOrder } from '../../src/network/onnx/import.js';
import { graphProblems } from '../../src/network/graph.js';
import { layerMacs, layerWorkload, type Layer, type MatmulLayer, type Network } from '../../src/network/network.js';
import { operationCount } from '../../src/workload/workload.js';
import { analyzeNetwork } from '../../src/network/analyze.js';
import { builtinArch } from '../../src/designs/builtin.js';
import { floats, Fs, graph, int64s, node, onnxModel, value } from '../helpers/onnxGraph.js';

const layer = (net: Network, name: string): Layer => {
  const l = net.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name} in ${net.layers.map((x) => x.name).join(', ')}`);
  return l;
};
/** MACs of a layer, checked against its workload's operation count. */
const macs = (net: Network, name: string): number => {
  const l = layer(net, name);
  if (l.kind !== 'other') expect(operationCount(layerWorkload(l, 1))).toBe(layerMacs(l));
  return layerMacs(l);
};

describe('ONNX convolutions', () => {
  it('Conv1d on [batch, channels, length]: out = ⌊(L + pads − K)/stride⌋ + 1', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 4, 100])], inits: [floats('w', [8, 4, 5])],
      nodes: [node('c', 'Conv', ['x', 'w'], { pads: [2, 2], strides: [2] })],
    }), 't.onnx');
    expect(net.tensors.get('c.out')).toEqual([8, 50]);
    expect(macs(net, 'c')).toBe(8 * 4 * 5 * 50);
    expect(graphProblems(net)).toEqual([]);
  });

  it('audio [batch, samples] with a symbolic batch: Unsqueeze then Conv1d', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('wave', ['N', 16000])], inits: [floats('w', [16, 1, 400]), int64s('ax', [1], [1])],
      nodes: [node('u', 'Unsqueeze', ['wave', 'ax']), node('c', 'Conv', ['u.out', 'w'], { strides: [160] })],
    }), 't.onnx', { dims: { N: 1 } });
    expect(net.tensors.get('c.out')).toEqual([16, 98]);
    expect(macs(net, 'c')).toBe(16 * 400 * 98);
  });

  it('ConvTranspose: out = stride·(in−1) + kernel − pads; MACs over the input grid', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 8, 10, 10])], inits: [floats('w', [8, 4, 3, 3])],
      nodes: [node('t', 'ConvTranspose', ['x', 'w'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })],
    }), 't.onnx');
    expect(net.tensors.get('t.out')).toEqual([4, 20, 20]);
    expect(macs(net, 't')).toBe(8 * 4 * 9 * 10 * 10);
    expect(graphProblems(net)).toEqual([]);
  });

  it('NHWC input: Transpose to NCHW, then Conv', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('img', ['b', 'h', 'w', 3])], inits: [floats('k', [16, 3, 3, 3])],
      nodes: [node('t', 'Transpose', ['img'], { perm: [0, 3, 1, 2] }), node('c', 'Conv', ['t.out', 'k'], { pads: [1, 1, 1, 1] })],
    }), 't.onnx', { inputShapes: { img: [1, 32, 48, 3] } });
    expect(net.tensors.get('c.out')).toEqual([16, 32, 48]);
    expect(macs(net, 'c')).toBe(16 * 27 * 32 * 48);
  });

  it('DynamicQuantizeLinear → ConvInteger: 8-bit words, the same MACs', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 3, 8, 8])], inits: [floats('w', [4, 3, 3, 3])],
      nodes: [node('q', 'DynamicQuantizeLinear', ['x'], {}, ['q.y', 'q.s', 'q.z']), node('c', 'ConvInteger', ['q.y', 'w', 'q.z'])],
    }), 't.onnx');
    expect(layer(net, 'c')).toMatchObject({ kind: 'conv', wordBits: 8, outH: 6 });
    expect(macs(net, 'c')).toBe(4 * 27 * 36);
  });
  it('analyze of a quantised layer on a 16-bit design says the word width is not modelled', async () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 3, 8, 8])], inits: [floats('w', [4, 3, 3, 3])],
      nodes: [node('q', 'DynamicQuantizeLinear', ['x'], {}, ['q.y', 'q.s', 'q.z']), node('c', 'ConvInteger', ['q.y', 'w', 'q.z'])],
    }), 't.onnx');
    const d = builtinArch('eyeriss')!;
    const r = await analyzeNetwork(net, d.arch, d.energy, { batch: 1, objective: 'energy', evaluations: 200, seed: 1, constraints: d.constraints });
    expect(r.warnings.filter((w) => /8-bit words/.test(w))).toEqual([expect.stringMatching(/^1 layer\(s\) compute on 8-bit words .* hold 16-bit words/)]);
  });
});

describe('ONNX matrix products', () => {
  it('MatMul of [1,40,120] by a Constant-node [120,360] weight: 40 token rows, 1,728,000 MACs', () => {
    const w = floats('wv', [120, 360], new Array(120 * 360).fill(0).map((_, i) => (i % 4 ? 1 : 0)));
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 40, 120])],
      nodes: [node('w', 'Constant', [], { value: w }), node('m', 'MatMul', ['x', 'w.out'])],
    }), 't.onnx');
    expect(layer(net, 'm')).toMatchObject({ kind: 'matmul', rows: 40, inner: 120, cols: 360, activationOperand: false, weightDensity: 0.75 });
    expect(macs(net, 'm')).toBe(1_728_000);
    expect(net.tensors.get('m.out')).toEqual([40, 360]);
  });

  it("attention: QKᵀ and AV are matmuls of two activations, one per head; the second operand takes the role 'weight'", () => {
    const net = importOnnx(onnxModel({
      inputs: [value('q', [1, 8, 40, 15]), value('k', [1, 8, 40, 15]), value('v', [1, 8, 40, 15])],
      nodes: [
        node('kt', 'Transpose', ['k'], { perm: [0, 1, 3, 2] }), node('qk', 'MatMul', ['q', 'kt.out']),
        node('sm', 'Softmax', ['qk.out'], { axis: -1 }), node('av', 'MatMul', ['sm.out', 'v']),
      ],
    }), 't.onnx');
    const qk = layer(net, 'qk') as MatmulLayer;
    expect(qk).toMatchObject({ kind: 'matmul', groups: 8, rows: 40, inner: 15, cols: 40, activationOperand: true });
    expect(macs(net, 'qk')).toBe(8 * 40 * 15 * 40);
    expect(macs(net, 'av')).toBe(8 * 40 * 40 * 15);
    expect(net.extraInputs).toEqual(['k', 'v']);
    expect(graphProblems(net)).toEqual([]);
    // Batch 2: another key matrix per input, so the groups double and MACs with them.
    const w2 = layerWorkload(qk, 2);
    expect(operationCount(w2)).toBe(2 * layerMacs(qk));
    expect(w2.dataSpaces.map((d) => d.role)).toEqual(['weight', 'input', 'output']);
  });

  it('Gemm with transB is a fully connected layer; a 2-D MatMul by a weight too', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 256])], inits: [floats('a', [10, 256]), floats('b', [10, 7])],
      nodes: [node('g', 'Gemm', ['x', 'a'], { transB: 1 }), node('m', 'MatMul', ['g.out', 'b'])],
    }), 't.onnx');
    expect(layer(net, 'g')).toMatchObject({ kind: 'fc', inFeatures: 256, outFeatures: 10 });
    expect(layer(net, 'm')).toMatchObject({ kind: 'fc', inFeatures: 10, outFeatures: 7 });
  });
});

describe('ONNX recurrent layers', () => {
  it('LSTM: seq × (input + hidden) × 4·hidden MACs per direction; GRU bidirectional: 3 gates, 2 directions', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [20, 1, 32])],
      inits: [floats('W', [1, 256, 32]), floats('R', [1, 256, 64]), floats('Wg', [2, 48, 64]), floats('Rg', [2, 48, 16]), int64s('shape', [3], [20, 1, 64])],
      nodes: [
        node('l', 'LSTM', ['x', 'W', 'R'], { hidden_size: 64 }, ['l.y', 'l.h']),
        node('r', 'Reshape', ['l.y', 'shape']),
        node('gru', 'GRU', ['r.out', 'Wg', 'Rg'], { hidden_size: 16, direction: 'bidirectional' }, ['gru.y']),
      ],
    }), 't.onnx');
    expect(macs(net, 'l')).toBe(20 * (32 + 64) * 256);
    expect(net.tensors.get('l.y')).toEqual([1, 1, 64]);
    expect(macs(net, 'gru')).toBe(2 * 20 * (64 + 16) * 48);
    expect(net.tensors.get('gru.y')).toEqual([2, 1, 16]);
  });
});

describe('ONNX shape ops and control flow', () => {
  it('If on a condition folded from Size and Greater takes its branch; a condition given by name too', () => {
    const branch = (name: string, c: number) => graph({ name, inits: [floats(`${name}.w`, [c, 3, 1, 1])], nodes: [node(`${name}.conv`, 'Conv', ['x', `${name}.w`])] });
    const make = (cond: ReturnType<typeof node>[]) => onnxModel({
      inputs: [value('x', [1, 3, 8, 8]), value('flag', [], 9)], inits: [int64s('ten', [], [10])],
      nodes: [...cond, node('if', 'If', ['cond'], { then_branch: branch('then', 16), else_branch: branch('else', 4) }, ['if.out']), node('relu', 'Relu', ['if.out'])],
    });
    const folded = importOnnx(make([node('size', 'Size', ['x']), node('gt', 'Greater', ['size.out', 'ten'], {}, ['cond'])]), 't.onnx');
    expect(macs(folded, 'then.conv')).toBe(16 * 3 * 64);
    expect(folded.tensors.get('relu.out')).toEqual([16, 8, 8]);
    expect(graphProblems(folded)).toEqual([]);
    const runtime = make([node('id', 'Identity', ['flag'], {}, ['cond'])]);
    expect(() => importOnnx(runtime, 'r.onnx')).toThrow(/r\.onnx: node if \(If\)\.cond: expected a constant condition, or one given for "cond"/);
    expect(layer(importOnnx(runtime, 'r.onnx', { conditions: { cond: false } }), 'else.conv')).toMatchObject({ outC: 4 });
  });

  it('pads computed from constants through 2-D Reshape, a reversing Slice and Transpose (PyTorch F.pad) fold, so Pad knows them', () => {
    // [0, 64] per axis as PyTorch writes them (last axis first) → ONNX's [begin..., end...] order.
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 1, 512])],
      inits: [int64s('p', [6], [0, 64, 0, 0, 0, 0]), int64s('s2', [2], [-1, 2]), int64s('st', [1], [-1]), int64s('en', [1], [-9999]), int64s('ax', [1], [0]), int64s('stp', [1], [-1]), int64s('flat', [1], [-1])],
      nodes: [
        node('r', 'Reshape', ['p', 's2']), node('sl', 'Slice', ['r.out', 'st', 'en', 'ax', 'stp']),
        node('t', 'Transpose', ['sl.out'], { perm: [1, 0] }), node('f', 'Reshape', ['t.out', 'flat']),
        node('pad', 'Pad', ['x', 'f.out'], { mode: 'reflect' }),
      ],
    }), 'p.onnx');
    expect(net.tensors.get('pad.out')).toEqual([1, 576]);
  });

  it('analyze --if cond=else takes the branch a run-time condition would; without it, one line naming the flag', async () => {
    const branch = (name: string, c: number) => graph({ name, inits: [floats(`${name}.w`, [c, 3, 1, 1])], nodes: [node(`${name}.conv`, 'Conv', ['x', `${name}.w`])] });
    const f = join(mkdtempSync(join(tmpdir(), 'dnnergy-if-')), 'if.onnx');
    writeFileSync(f, onnxModel({
      inputs: [value('x', [1, 3, 8, 8]), value('flag', [], 9)],
      nodes: [node('id', 'Identity', ['flag'], {}, ['cond']), node('if', 'If', ['cond'], { then_branch: branch('then', 16), else_branch: branch('else', 4) }, ['if.out'])],
    }));
    const base = ['analyze', f, '--arch', 'eyeriss', '--evaluations', '200', '--json'];
    const r = await runCli([...base, '--if', 'cond=else']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).layers.map((l: { name: string }) => l.name).filter((n: string) => n.endsWith('.conv'))).toEqual(['else.conv']);
    const t = await runCli([...base, '--if', 'cond=then']);
    expect(JSON.parse(t.stdout).layers.map((l: { name: string }) => l.name).filter((n: string) => n.endsWith('.conv'))).toEqual(['then.conv']);
    const none = await runCli(base);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toMatch(/^dnnergy: .*if\.onnx: node if \(If\)\.cond: expected a constant condition, or one given for "cond" \(--if cond=then\|else\)/);
    const bad = await runCli([...base, '--if', 'cond=maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('Split on channels feeds two convolutions; ConstantOfShape of a Shape broadcasts; Resize with float scales from an initializer', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 16, 8, 8])],
      inits: [floats('wa', [4, 8, 3, 3]), floats('wb', [4, 8, 1, 1]), int64s('parts', [2], [8, 8]), floats('scales', [4], [1, 1, 2, 2])],
      nodes: [
        node('sp', 'Split', ['x', 'parts'], { axis: 1 }, ['sp.a', 'sp.b']),
        node('a', 'Conv', ['sp.a', 'wa'], { pads: [1, 1, 1, 1] }), node('b', 'Conv', ['sp.b', 'wb']),
        node('shape', 'Shape', ['a.out']), node('ones', 'ConstantOfShape', ['shape.out'], { value: floats('one', [1], [1]) }),
        node('add', 'Add', ['b.out', 'ones.out']),
        node('up', 'Resize', ['add.out', '', 'scales'], { mode: 'nearest' }),
      ],
    }), 't.onnx');
    expect(layer(net, 'a')).toMatchObject({ inC: 8, outC: 4 });
    expect(macs(net, 'b')).toBe(4 * 8 * 64);
    expect(net.tensors.get('up.out')).toEqual([4, 16, 16]);
    expect(graphProblems(net)).toEqual([]);
  });

  it('Upsample with a scales attribute, opset-10 Resize (X, scales), Gather of a token from an activation', () => {
    const net = importOnnx(onnxModel({
      inputs: [value('x', [1, 4, 8, 8]), value('seq', [1, 10, 32])],
      inits: [floats('sc', [4], [1, 1, 3, 3]), int64s('last', [], [-1]), floats('w', [32, 5])],
      nodes: [
        node('u', 'Upsample', ['x'], { scales: Fs([1, 1, 2, 2]) }), node('r', 'Resize', ['u.out', 'sc']),
        node('g', 'Gather', ['seq', 'last'], { axis: 1 }), node('fc', 'MatMul', ['g.out', 'w']),
      ],
      outputs: ['r.out', 'fc.out'],
    }), 't.onnx');
    expect(net.tensors.get('r.out')).toEqual([4, 48, 48]);
    expect(net.tensors.get('g.out')).toEqual([32]);
    expect(layer(net, 'fc')).toMatchObject({ kind: 'fc', inFeatures: 32, outFeatures: 5 });
    expect(graphProblems(net)).toEqual([]);
  });

  it('nodes out of topological order are sorted (a sorted graph keeps its order)', () => {
    const nodes = [
      node('c1', 'Conv', ['x', 'w1']), node('r', 'Relu', ['c1.out']), node('c2', 'Conv', ['r.out', 'w2']), node('p', 'GlobalAveragePool', ['c2.out']),
    ];
    const g = { inputs: [value('x', [1, 3, 8, 8])], inits: [floats('w1', [4, 3, 3, 3]), floats('w2', [2, 4, 3, 3])] };
    const sorted = importOnnx(onnxModel({ ...g, nodes, outputs: ['p.out'] }), 't.onnx');
    const shuffled = importOnnx(onnxModel({ ...g, nodes: [nodes[3], nodes[1], nodes[2], nodes[0]], outputs: ['p.out'] }), 't.onnx');
    expect(shuffled.layers).toEqual(sorted.layers);
    expect(topologicalOrder(nodes, 't').map((n) => n.name)).toEqual(['c1', 'r', 'c2', 'p']);
    expect(() => importOnnx(onnxModel({ ...g, nodes: [node('a', 'Relu', ['b.out']), node('b', 'Relu', ['a.out'])], outputs: ['b.out'] }), 'cyc.onnx')).toThrow(/cyc\.onnx: node .*: expected an acyclic graph/);
  });
});

describe('ONNX ops outside the table', () => {
  const g = (valueInfo: ReturnType<typeof value>[], op = 'FancyNorm') => onnxModel({
    inputs: [value('x', [1, 3, 8, 8])], inits: [floats('w1', [4, 3, 3, 3]), floats('w2', [2, 4, 3, 3])],
    nodes: [node('c1', 'Conv', ['x', 'w1']), node('odd', op, ['c1.out']), node('c2', 'Conv', ['odd.out', 'w2'])], valueInfo,
  });
  it('are kept as not modelled, with a warning, when the file gives their output shapes; strict refuses them', () => {
    const net = importOnnx(g([value('odd.out', [1, 4, 6, 6])]), 'u.onnx');
    expect(layer(net, 'odd')).toMatchObject({ kind: 'other', op: 'fancynorm', unknown: true });
    expect(net.warnings).toEqual(['node odd (FancyNorm): not modelled (an op dnnergy does not know); output shapes taken from the file']);
    expect(macs(net, 'c2')).toBe(2 * 36 * 16);
    expect(graphProblems(net)).toEqual([]);
    expect(() => importOnnx(g([value('odd.out', [1, 4, 6, 6])]), 'u.onnx', { strict: true })).toThrow(/u\.onnx: node odd \(FancyNorm\): expected an op dnnergy knows/);
    const einsum = importOnnx(g([value('odd.out', [1, 4, 6, 6])], 'Einsum'), 'u.onnx');
    expect(layer(einsum, 'odd')).toMatchObject({ macsLeftOut: true });
  });
  it('stop with one line when the shapes past them are unknown', () => {
    expect(() => importOnnx(g([]), 'u.onnx')).toThrow(/^u\.onnx: node odd \(FancyNorm\): expected an op dnnergy knows .*, or the output shapes in the file's value_info, found FancyNorm$/);
  });
  it('analyze: warns on stderr, says in the totals what was left out, and --strict exits 2 with one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dnnergy-onnx-ops-')), 'einsum.onnx');
    writeFileSync(file, g([value('odd.out', [1, 4, 6, 6])], 'Einsum'));
    const r = await runCli(['analyze', file, '--arch', 'eyeriss', '--evaluations', '50', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: node odd \(Einsum\): not modelled \(an op dnnergy does not know, with MACs\)/);
    const t = JSON.parse(r.stdout).totals;
    expect([t.mac_layers_left_out, t.unknown_ops, t.macs]).toEqual([1, 1, 4 * 27 * 36 + 2 * 36 * 16]);
    const s = await runCli(['analyze', file, '--arch', 'eyeriss', '--strict']);
    expect(s.code).toBe(2);
    expect(s.stderr.trim().split('\n')).toHaveLength(1);
  });
});
