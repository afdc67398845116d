/**
 * The tfjs probe keeps each layer's activation masks in the network's
 * [C, H, W] order (tfjs's NHWC transposed; a dense layer after a Flatten in
 * C·H·W order), and the cost provider prices them as the engine does on
 * the laid-out tiles.
 */
import { describe, expect, it } from 'vitest';
import { activationMaskMeter, activationMeter, activationSampler } from '../../src/codesign/prune.js';
import { modelCost } from '../../src/codesign/cost.js';
import { builtinArch } from '../../src/designs/builtin.js';
import { actualActivations } from '../../src/network/activations.js';
import { layerWorkload, type ConvLayer, type FcLayer } from '../../src/network/network.js';
import { evaluateLayerSparse } from '../../src/network/sparsity.js';
import { initTf } from '../../src/train/backend.js';
import { networkOf } from '../../src/train/network.js';

describe('activation masks from the tfjs probe', () => {
  it('conv input and a Flatten-fed dense input in [C, H, W]; fractions as the average meter gives', async () => {
    const tf = await initTf();
    // 3 high × 4 wide × 2 channels → 1×1 conv (identity on channel 0, zero on channel 1) → Flatten → Dense.
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [3, 4, 2], filters: 2, kernelSize: 1, useBias: false, name: 'conv', weights: [tf.tensor4d([1, 0, 0, 0], [1, 1, 2, 2])] }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 3, name: 'fc' }),
      ],
    });
    const layers = [model.getLayer('conv'), model.getLayer('fc')];
    // One image, NHWC: non-zero at (y 1, x 2, c 0) and (y 0, x 3, c 1).
    const img = new Float32Array(3 * 4 * 2);
    img[(1 * 4 + 2) * 2 + 0] = 5;
    img[(0 * 4 + 3) * 2 + 1] = 7;
    const sample = { images: img, labels: new Uint8Array(1), count: 1, shape: [3, 4, 2] as [number, number, number], classes: 10 };
    const m = activationMaskMeter(tf, model, layers)(sample);
    const conv = m.get('conv')!.masks!;
    const nz = (a: Uint8Array) => [...a.keys()].filter((i) => a[i] !== 0);
    // [C, H, W]: (c 0, y 1, x 2) → 0·12 + 1·4 + 2 = 6; (c 1, y 0, x 3) → 12 + 3 = 15.
    expect(nz(conv.inputs.mask)).toEqual([6, 15]);
    // Its output keeps channel 0 only; the dense layer reads it through the Flatten, in C·H·W order.
    expect(nz(conv.outputs.mask)).toEqual([6]);
    expect(nz(m.get('fc')!.masks!.inputs.mask)).toEqual([6]);
    const avg = activationMeter(tf, model, layers)(sample);
    // Fractions of the masks exactly (the average meter's are float32 means of the same zeros).
    expect(m.get('conv')!.inputs).toBe(2 / 24);
    expect(m.get('fc')!.inputs).toBe(1 / 24);
    expect(m.get('conv')!.inputs).toBeCloseTo(avg.get('conv')!.inputs, 6);
    expect(m.get('fc')!.inputs).toBeCloseTo(avg.get('fc')!.inputs, 6);
    // The sampler under `actual` keeps masks on at most `activationImages` probe images; `average` keeps none.
    const validation = { ...sample, images: new Float32Array(24 * 5).fill(1), labels: new Uint8Array(5), count: 5 };
    expect(activationSampler(tf, model, layers, validation, { activations: 'actual', activationImages: 2 })().get('conv')!.masks!.inputs.images).toBe(2);
    expect(activationSampler(tf, model, layers, validation)().get('conv')!.masks).toBeUndefined();

    // The provider prices the masks as the engine on the laid-out tiles (batch 1, the layer's dense mapping).
    const b = builtinArch('eyeriss')!;
    const net = networkOf(model);
    const p = modelCost({ arch: b.arch, energy: b.energy, constraints: b.constraints }, { evaluations: 200, seed: 1 });
    const em = await p.network(net);
    const weights = new Map([['conv', 0.5]]);
    const priced = em.at(weights, m);
    const report = await import('../../src/network/analyze.js').then((a) => a.analyzeNetwork(net, b.arch, b.energy, { batch: 1, objective: 'energy', evaluations: 200, seed: 1, threads: 1, constraints: b.constraints, densities: { weights: 1 } }));
    for (const [i, name] of ['conv', 'fc'].entries()) {
      const r = report.layers.find((l) => l.layer.name === name)!;
      const layer = r.layer as ConvLayer | FcLayer, w = layerWorkload(layer, 1);
      const a = m.get(name)!.masks!;
      const inputs = actualActivations(w, layer, 'input', a.inputs)!, outputs = actualActivations(w, layer, 'output', a.outputs)!;
      const want = evaluateLayerSparse(w, b.arch, r.mapping!, b.energy, { weights: weights.get(name) ?? 1, inputs: inputs.density, outputs: outputs.density }, undefined, { inputs, outputs })!;
      expect(priced.layers[i].cost).toBe(want.energyPJ);
    }
    // Re-measured, equal masks price the same (the laid-out tensor is reused).
    expect(em.at(weights, activationMaskMeter(tf, model, layers)(sample)).total).toBe(priced.total);
  }, 60_000);
});
