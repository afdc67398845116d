/** Pruning through its seams: any NetworkCost, and any dataset's shapes (not only MNIST's). */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import type { NetworkCost } from '../../src/codesign/cost.js';
import { energyModel } from '../../src/codesign/energy.js';
import { prune } from '../../src/codesign/prune.js';
import { initTf } from '../../src/train/backend.js';
import { idxDataset } from '../../src/train/dataset.js';
import { buildModel } from '../../src/train/models.js';
import { networkOf } from '../../src/train/network.js';
import { train } from '../../src/train/train.js';
import { colourDir } from '../train/colour.js';

const options = { maxAccuracyDrop: 5, seed: 1, stepImages: 64, finalImages: 0, learningRate: 1e-3, firstStep: 0.5, minStep: 0.3 };

async function trained() {
  const tf = await initTf();
  const data = idxDataset(colourDir(240, 30), { validation: 60 });
  const model = buildModel(tf, 'lenet5', 1, data);
  await train(tf, model, data.load('train'), { epochs: 2, batchSize: 32, learningRate: 3e-3, seed: 1 });
  return { tf, data, model, split: { train: data.load('train'), validation: data.load('validation') } };
}

describe('pruning seams', () => {
  it('prunes a 12×12×3, 3-class model against the model energy on a design', async () => {
    const { tf, model, split } = await trained();
    const net = networkOf(model);
    expect(net.input).toEqual([3, 12, 12]);
    const b = builtinArch('eyeriss')!;
    const cost = await energyModel(net, { arch: b.arch, energy: b.energy, constraints: b.constraints }, { evaluations: 300, seed: 1 });
    expect(cost.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
    const r = await prune(tf, model, cost, split, { ...options, method: 'magnitude' });
    expect(r.steps.length).toBeGreaterThan(0);
    const kept = r.steps.filter((s) => s.accepted);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[kept.length - 1].energy).toBeLessThan(cost.at(new Map()).total);
    expect([...r.densities.values()].some((d) => d < 1)).toBe(true);
  }, 120_000);

  it('energy-aware pruning follows whatever cost it is given: here, the weights left', async () => {
    const { tf, model, split } = await trained();
    // A cost that counts non-zero weights: the layer with the most weights saves the most.
    const sizes = new Map(model.layers.filter((l) => l.getWeights().length > 0).map((l) => [l.name, l.getWeights()[0].size]));
    const weightsLeft: NetworkCost = {
      metric: 'weights', unit: 'weights',
      layers: [...sizes].map(([name, n]) => ({ name, kind: name.startsWith('conv') ? 'conv' : 'fc', macs: 0, weights: n })),
      at(d, a = new Map()) {
        const layers = [...sizes].map(([name, n]) => ({ name, density: d.get(name) ?? 1, activations: a.get(name) ?? { inputs: 1, outputs: 1 }, cost: n * (d.get(name) ?? 1), denseCost: n, macs: 0, effectualMacs: 0 }));
        return { total: layers.reduce((s, l) => s + l.cost, 0), layers };
      },
    };
    const r = await prune(tf, model, weightsLeft, split, { ...options, method: 'energy-aware', minStep: 0.45 });
    // The first step goes to the layer with the most weights (at 12×12, LeNet-5's fc2: 120 × 84).
    const largest = [...sizes].sort((x, y) => y[1] - x[1])[0][0];
    expect(largest).toBe('fc2');
    expect(r.steps[0].layer).toBe(largest);
    const accepted = r.steps.filter((s) => s.accepted);
    expect(accepted.length).toBeGreaterThan(0);
    expect(weightsLeft.at(r.densities).total).toBeLessThan(weightsLeft.at(new Map()).total);
  }, 120_000);
});
