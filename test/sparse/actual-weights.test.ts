/**
 * Actual data from a pruned ONNX model: the file's zero mask laid out in the
 * workload's Weights ranks, its tiles counted, and `analyze` evaluating each
 * layer with those tiles (`--density-from actual`).
 */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { analyzeNetwork } from '../../src/network/analyze.js';
import { layerWorkload, type ConvLayer } from '../../src/network/network.js';
import { importOnnx } from '../../src/network/onnx/import.js';
import { actualWeights, designSparsity } from '../../src/network/sparsity.js';
import { ActualTensor } from '../../src/sparse/density.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import { floats, node, onnxModel, value } from '../helpers/onnxGraph.js';

// A 3×3 convolution, 8 → 16 channels, whose first 8 output channels are pruned away entirely
// (structured pruning, density 1/2); the other 8 keep every weight.
const M = 16, C = 8, K = 3;
const w = Array.from({ length: M * C * K * K }, (_, i) => (Math.floor(i / (C * K * K)) < 8 ? 0 : 1 + (i % 7)));
const bytes = onnxModel({
  inputs: [value('x', [1, C, 10, 10])], inits: [floats('w', [M, C, K, K], w)],
  nodes: [node('conv', 'Conv', ['x', 'w'], { pads: [1, 1, 1, 1] })],
});

describe('actual weights from a pruned ONNX file', () => {
  it('the mask keeps the file\'s zeros, laid out as the workload\'s Weights (C, M, R, S): one output channel is one M slice', () => {
    const net = importOnnx(bytes, 'pruned.onnx', { weightMasks: true });
    const layer = net.layers[0] as ConvLayer;
    expect(layer.weightDensity).toBe(0.5);
    const spec = actualWeights(layerWorkload(layer, 1), layer, net.weightMasks!.get(layer.name)!)!;
    expect(spec.shape).toEqual([C, M, K, K]);
    expect(spec.density).toBe(0.5);
    const a = new ActualTensor(spec.values!, spec.shape!);
    // Tiles of one output channel (8 × 1 × 3 × 3 = 72 points): 8 hold nothing, 8 hold all 72.
    expect(a.table([C, 1, K, K])).toEqual({ keys: [0, 72], probs: [0.5, 0.5] });
    // Tiles of one input channel across every output channel: 9 × 8 = 72 non-zeros each.
    expect(a.table([1, M, K, K])).toEqual({ keys: [72], probs: [1] });
    // Without the option the import keeps no masks.
    expect(importOnnx(bytes, 'pruned.onnx').weightMasks).toBeUndefined();
  });

  it('analyze with the masks evaluates each layer on its real weight tiles: the engine on the same mapping with the actual spec', async () => {
    const b = builtinArch('eyeriss')!;
    const o = { batch: 1, objective: 'energy' as const, evaluations: 300, seed: 1, threads: 1, constraints: b.constraints };
    const avg = await analyzeNetwork(importOnnx(bytes, 'pruned.onnx'), b.arch, b.energy, o);
    const net = importOnnx(bytes, 'pruned.onnx', { weightMasks: true });
    const act = await analyzeNetwork(net, b.arch, b.energy, o);
    const l = act.layers[0], layer = l.layer as ConvLayer;
    expect(l.mapping).toEqual(avg.layers[0].mapping);
    const wl = layerWorkload(layer, 1);
    const weights = actualWeights(wl, layer, net.weightMasks!.get(layer.name)!)!;
    const want = evaluateSparse(wl, b.arch, l.mapping!, b.energy, designSparsity(wl, b.arch, l.mapping!, { weights: 0.5 }, { weights })!);
    expect(l.sparse!.energyPJ).toBe(want.energyPJ);
    // Same overall density, so compute gating is the same; the weight tiles differ.
    expect(l.sparse!.effectualMacs).toBe(avg.layers[0].sparse!.effectualMacs);
    expect(l.sparse!.energyPJ).not.toBe(avg.layers[0].sparse!.energyPJ);
  }, 60_000);

  it('a Gemm weight with transB = 1 ([N, K]) is transposed into the workload\'s [C = K, M = N]; analyze runs on it', async () => {
    // 16 inputs → 10 outputs; outputs 0–4 pruned away.
    const wt = Array.from({ length: 10 * 16 }, (_, i) => (Math.floor(i / 16) < 5 ? 0 : 1));
    const fc = onnxModel({
      inputs: [value('x', [1, 16])], inits: [floats('w', [10, 16], wt)],
      nodes: [node('fc', 'Gemm', ['x', 'w'], { transB: 1 })],
    });
    const net = importOnnx(fc, 'fc.onnx', { weightMasks: true });
    const layer = net.layers[0];
    expect(layer.kind).toBe('fc');
    const wl = layerWorkload(layer as never, 1);
    const spec = actualWeights(wl, layer as never, net.weightMasks!.get(layer.name)!)!;
    expect(spec.shape).toEqual([16, 10, 1, 1]);
    // Value at (c, m) is the file's (m, c): one output feature's 16 weights are all zero or all one.
    expect(new ActualTensor(spec.values!, spec.shape!).table([16, 1, 1, 1])).toEqual({ keys: [0, 16], probs: [0.5, 0.5] });
    const b = builtinArch('eyeriss')!;
    const r = await analyzeNetwork(net, b.arch, b.energy, { batch: 1, objective: 'energy', evaluations: 200, seed: 1, threads: 1, constraints: b.constraints });
    expect(r.layers[0].sparse!.effectualMacs).toBeLessThan(r.layers[0].result!.computes);
  }, 60_000);
});

