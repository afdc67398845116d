/** The cost provider seam: the dnnergy model on a design, cached by shape, priced by densities. */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { modelCost } from '../../src/codesign/cost.js';
import { energyModel, networkEnergy } from '../../src/codesign/energy.js';
import type { Design } from '../../src/designs/design.js';
import { evaluateLayerSparse } from '../../src/network/sparsity.js';
import { layerWorkload } from '../../src/network/network.js';
import { analyzeNetwork } from '../../src/network/analyze.js';
import { shrink } from '../../src/network/graph.js';
import { NetworkBuilder, type ConvLayer, type FcLayer } from '../../src/network/network.js';

const b = builtinArch('eyeriss')!;
const design: Design = { name: 'eyeriss', description: b.description, arch: b.arch, energy: b.energy, constraints: b.constraints, clockHz: b.clockHz, warnings: [] };
// Two convolutions of one shape (conv2, conv3), a pool and a classifier.
const net = new NetworkBuilder('small', [3, 16, 16]).conv('conv1', 16, 3, 1, 1).conv('conv2', 16, 3, 1, 1).conv('conv3', 16, 3, 1, 1)
  .pool('pool', 'maxpool', 2, 2).fc('fc', 10).build();
const o = { evaluations: 400, seed: 1 };

describe('model cost provider', () => {
  it('maps each distinct shape once and gives what analyze gives for the network', async () => {
    const p = modelCost(design, o);
    const c = await p.network(net);
    expect(c.metric).toBe('energy');
    expect(c.unit).toBe('MAC');
    expect(c.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    expect(c.layers[1].dense).toBe(c.layers[2].dense);
    const a = await analyzeNetwork(net, b.arch, b.energy, { batch: 1, objective: 'energy', evaluations: 400, seed: 1, threads: 1, constraints: b.constraints });
    const modelled = a.layers.filter((l) => l.result);
    expect(c.layers.map((l) => l.dense.energyPJ)).toEqual(modelled.map((l) => l.result!.energyPJ));
    expect(c.layers.map((l) => l.macs)).toEqual(modelled.map((l) => l.macs));
    expect(c.layers[0].weights).toBe(16 * 3 * 9);
  }, 60_000);

  it('prices densities with the sparse engine on the dense mapping; lower weight density costs less', async () => {
    const c = await energyModel(net, design, o);
    const a = await analyzeNetwork(net, b.arch, b.energy, { batch: 1, objective: 'energy', evaluations: 400, seed: 1, threads: 1, constraints: b.constraints });
    const modelled = a.layers.filter((l) => l.result);
    const w = new Map([['conv2', 0.3]]), act = new Map([['conv3', { inputs: 0.5, outputs: 0.6 }]]);
    const at = c.at(w, act);
    const expected = modelled.map((l) => {
      const d = { weights: w.get(l.layer.name) ?? 1, inputs: act.get(l.layer.name)?.inputs ?? 1, outputs: act.get(l.layer.name)?.outputs ?? 1 };
      return evaluateLayerSparse(layerWorkload(l.layer as ConvLayer | FcLayer, 1), b.arch, l.mapping!, b.energy, d)?.energyPJ ?? l.result!.energyPJ;
    });
    // Dense layers keep the dense model's figure; sparse ones differ from it.
    expect(at.layers[0].cost).toBe(modelled[0].result!.energyPJ);
    expect(at.layers[2].cost).toBeLessThan(modelled[2].result!.energyPJ);
    expect(at.layers.map((l) => l.cost)).toEqual(expected);
    expect(at.total).toBe(expected.reduce((s, x) => s + x, 0));
    expect(networkEnergy(c, w, act).total).toBe(at.total);
    expect(at.layers[1].cost).toBeLessThan(c.at(new Map()).layers[1].cost);
  }, 60_000);

  it('prices a layer variant: a shrunk convolution, mapped once, cheaper; latency is cycles', async () => {
    const p = modelCost(design, o);
    const small = shrink(net, 'conv2', 8);
    const v = small.layers.find((l) => l.name === 'conv2') as ConvLayer;
    const full = await p.layerCost(net.layers[1] as ConvLayer);
    const less = await p.layerCost(v);
    expect(less).toBeLessThan(full);
    expect(await p.dense(v)).toBe(await p.dense(v));
    expect((await p.network(small)).at(new Map()).layers[1].cost).toBe(less);
    const lat = modelCost(design, { ...o, metric: 'latency' });
    expect(lat.unit).toBe('cycles');
    expect(await lat.layerCost(v)).toBe((await lat.dense(v)).cycles);
  }, 60_000);
});
