/** NetAdapt: graph surgery, proposals against their budget, filter removal on tfjs, reproducibility, the command's bad inputs. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelsOf, netAdapt, propose, type Adaptable } from '../../src/codesign/netadapt.js';
import { keepChannels, shrinkableLayers, type KeptChannels } from '../../src/codesign/netadapt-channels.js';
import { costTable, type LayerCostSource } from '../../src/codesign/netadapt-lut.js';
import { tfjsAdaptable, widthMultiplied } from '../../src/codesign/netadapt-tfjs.js';
import { graphProblems, tiedLayers } from '../../src/network/graph.js';
import { layerMacs, NetworkBuilder, type Network } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { initTf } from '../../src/train/backend.js';
import { idxDataset } from '../../src/train/dataset.js';
import { saveModel } from '../../src/train/io.js';
import { buildModel } from '../../src/train/models.js';
import { networkOf } from '../../src/train/network.js';
import { removeChannels } from '../../src/train/surgery.js';
import { train } from '../../src/train/train.js';
import { OutputSet } from '../../src/io/files.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../helpers/cli.js';
import { colourDir } from '../train/colour.js';

/** MACs as the cost: deterministic, and cheap enough to price thousands of variants. */
const macs: LayerCostSource = { metric: 'macs', unit: 'MAC', platform: 'count', layerCost: async (l) => layerMacs(l) };

function norms(seed: number): (layer: string) => Float64Array {
  return (layer) => {
    const r = new Rng(seed + layer.length * 31 + layer.charCodeAt(layer.length - 1));
    return Float64Array.from({ length: 4096 }, () => r.next());
  };
}

describe('NetAdapt graph surgery', () => {
  it('keeps every shape consistent through residual adds, depthwise layers and concatenations', () => {
    for (const name of ['resnet18', 'mobilenet_v1', 'mobilenet_v2', 'googlenet', 'squeezenet']) {
      const net = zooNetwork(name)!;
      const layers = shrinkableLayers(net);
      expect(layers.length).toBeGreaterThan(0);
      // The classifier is never shrunk.
      expect(layers).not.toContain(net.layers[net.layers.length - 1].name);
      for (const layer of layers.filter((_, i) => i % 3 === 0)) {
        const from = channelsOf(net, layer);
        const k = Math.max(1, Math.floor(from / 2));
        let r: { net: Network; kept: KeptChannels };
        try {
          r = keepChannels(net, layer, k, norms(1));
        } catch (e) {
          // Only a shrink the groups refuse may fail (AlexNet-like grouped layers; none here).
          throw new Error(`${name}/${layer}: ${(e as Error).message}`);
        }
        expect(graphProblems(r.net), `${name}/${layer}`).toEqual([]);
        for (const [t, idx] of r.kept) {
          expect(idx.length, `${name}/${layer} → ${t}`).toBe(r.net.tensors.get(t)![0]);
          expect(new Set(idx).size).toBe(idx.length);
          expect(Math.max(...idx)).toBeLessThan(net.tensors.get(t)![0]);
        }
        // Every tensor whose channels changed says which it kept.
        for (const [t, s] of r.net.tensors) if (s[0] !== net.tensors.get(t)![0]) expect(r.kept.has(t), `${name}/${layer}: ${t}`).toBe(true);
        // Layers tied by a residual add keep one choice of channels.
        const tied = tiedLayers(net, layer).map((l) => net.edges[net.layers.indexOf(l)].output);
        for (const t of tied) expect(r.kept.get(t)).toEqual(r.kept.get(tied[0]));
      }
    }
  });

  it('a residual block shrinks with both producers of the add, and the depthwise layer after it follows', () => {
    const b = new NetworkBuilder('res', [3, 8, 8]);
    b.conv('stem', 16, 3, 1, 1);
    const skip = b.tensor;
    b.conv('a', 16, 3, 1, 1).add('add', [b.tensor, skip]).conv('dw', 16, 3, 1, 1, 16).conv('pw', 8, 1).globalPool('gap').fc('fc', 4);
    const net = b.build();
    const r = keepChannels(net, 'a', 8, norms(2));
    expect(graphProblems(r.net)).toEqual([]);
    for (const t of ['stem', 'a', 'add', 'dw']) expect(r.net.tensors.get(t)![0]).toBe(8);
    expect(r.kept.get('stem')).toEqual(r.kept.get('a'));
    expect(r.kept.get('dw')).toEqual(r.kept.get('add'));
    const dw = r.net.layers.find((l) => l.name === 'dw')!;
    expect(dw.kind === 'conv' && [dw.inC, dw.outC, dw.groups]).toEqual([8, 8, 8]);
    expect(shrinkableLayers(net)).toEqual(['stem', 'a', 'pw']);
  });
});

describe('NetAdapt proposals', () => {
  it('a proposal meets its budget, is a multiple of the granularity, and is the largest that does', async () => {
    const net = networkOf(buildModel(await initTf(), 'mobilenet', 1));
    const table = costTable(macs);
    const full = (await table.cost(net)).total;
    const r = new Rng(5);
    let found = 0;
    for (let trial = 0; trial < 30; trial++) {
      const budget = full * (0.55 + 0.45 * r.next());
      for (const layer of shrinkableLayers(net)) {
        const p = await propose(net, layer, budget, table, 4);
        if (!p) continue;
        found++;
        expect(p.cost).toBeLessThanOrEqual(budget);
        expect((await table.cost(p.net)).total).toBe(p.cost);
        expect(p.channels % 4).toBe(0);
        const larger = p.channels + 4;
        if (larger < channelsOf(net, layer)) expect((await table.cost(keepChannels(net, layer, larger, norms(3)).net)).total).toBeGreaterThan(budget);
      }
    }
    expect(found).toBeGreaterThan(30);
  });
});

async function tinyRun(seed: number) {
  const tf = await initTf();
  const data = idxDataset(colourDir(240, 30), { validation: 60 });
  const model = buildModel(tf, 'mobilenet', 1, data);
  await train(tf, model, data.load('train'), { epochs: 1, batchSize: 32, learningRate: 3e-3, seed: 1 });
  const a = tfjsAdaptable(tf, { train: data.load('train'), holdout: data.load('validation'), learningRate: 1e-3 });
  const table = costTable(macs);
  const r = await netAdapt(a, model, table, { target: 0.6, initialReduction: 0.2, decay: 0.9, granularity: 4, shortTermImages: 32, longTermImages: 32, maxIterations: 6, seed });
  return { tf, data, a, model, table, r };
}

describe('NetAdapt on a tfjs model', () => {
  it('removing filters copies the kept weights: with the removed filters zeroed first, the outputs are unchanged', async () => {
    const tf = await initTf();
    const model = buildModel(tf, 'mobilenet', 3, { imageShape: [12, 12, 3], classes: 3 });
    const net = networkOf(model);
    const { net: next, kept } = keepChannels(net, 'pw2', 24, norms(4));
    // Zero the removed filters and their biases: their ReLU outputs are 0, so nothing downstream sees them.
    const pw2 = model.getLayer('pw2');
    const [k, bias] = pw2.getWeights();
    const keep = new Set(kept.get('pw2'));
    const kd = k.dataSync().slice(), bd = new Float32Array(64).fill(0.1);
    for (let i = 0; i < kd.length; i++) if (!keep.has(i % 64)) kd[i] = 0;
    for (let c = 0; c < 64; c++) if (!keep.has(c)) bd[c] = 0;
    pw2.setWeights([tf.tensor(kd, k.shape), tf.tensor(bd, bias.shape)]);
    const small = await removeChannels(tf, model, kept);
    expect(JSON.stringify(networkOf(small).layers)).toBe(JSON.stringify(next.layers));
    const x = tf.randomUniform([4, 12, 12, 3], 0, 1, 'float32', 3);
    const a = (model.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync(), b = (small.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync();
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  it('meets the target, keeps removed channels removed through fine-tuning, and repeats itself for a seed', async () => {
    const one = await tinyRun(7);
    const { r, table, a } = one;
    expect(r.iterations.length).toBeGreaterThan(0);
    expect(r.stopped).toBe('target');
    expect(r.cost).toBeLessThanOrEqual(r.targetCost);
    for (const it of r.iterations) {
      expect(it.chosen.cost).toBeLessThanOrEqual(it.budget);
      expect(it.proposals.some((p) => p === it.chosen)).toBe(true);
    }
    // The model is the network the table priced, after the long-term fine-tune too.
    expect(JSON.stringify(networkOf(r.model).layers)).toBe(JSON.stringify(r.network.layers));
    expect((await table.cost(networkOf(r.model))).total).toBe(r.cost);
    // Same seed: same iterations, same channels, same weights.
    const two = await tinyRun(7);
    expect(JSON.stringify(two.r.iterations)).toBe(JSON.stringify(r.iterations));
    const w1 = two.r.model.getWeights().map((t) => Array.from(t.dataSync()));
    const w0 = one.r.model.getWeights().map((t) => Array.from(t.dataSync()));
    expect(w1).toEqual(w0);
    const before = JSON.stringify(networkOf(r.model).layers);
    await a.fineTune(r.model, 64, 3, true);
    expect(JSON.stringify(networkOf(r.model).layers)).toBe(before);
    expect(r.model.getWeights().map((t) => Array.from(t.dataSync()))).not.toEqual(w0);
    // A width multiplier shrinks every shrinkable layer with the same filter choice.
    const half = await widthMultiplied(a as Adaptable<import('@tensorflow/tfjs').LayersModel>, one.model, 0.5, 4);
    const n = networkOf(half);
    expect(shrinkableLayers(n).map((l) => channelsOf(n, l))).toEqual([8, 16, 32, 64, 64]);
  }, 120_000);
});

describe('dnnergy adapt: bad inputs', () => {
  it('are one line and exit 2, with nothing written', async () => {
    const tf = await initTf();
    // A LeNet-5 for 12×12×3 images: not a classifier of MNIST.
    const dir = mkdtempSync(join(tmpdir(), 'dnnergy-adapt-'));
    await OutputSet.run(async (out) => saveModel(tf, buildModel(tf, 'lenet5', 1, { imageShape: [12, 12, 3], classes: 3 }), dir, out));
    const out = join(mkdtempSync(join(tmpdir(), 'dnnergy-adapt-out-')), 'o');
    const cases: [string[], RegExp][] = [
      [['--cost', 'energy:eyeriss', '--target', '0'], /--target: expected a fraction of the original cost in \(0, 1\], found 0/],
      [['--cost', 'energy:eyeriss', '--target', '1.5'], /--target: expected a fraction .* found 1\.5/],
      [['--cost', 'speed:eyeriss'], /--cost: expected energy:<arch>, latency:<arch> or latency:cpu/],
      [['--cost', 'energy:cpu'], /--cost: expected latency:cpu/],
      [['--cost', 'energy:nowhere'], /--arch: expected a built-in architecture/],
      [['--cost', 'latency:eyeriss', '--model', dir], /model\.json: input shape: expected an image input \[28,28,1\] \(mnist\), found \[12,12,3\]/],
      [['--cost', 'latency:eyeriss', '--model', join(dir, 'nowhere')], /--model: expected .* a directory with model\.json/],
      [['--cost', 'latency:eyeriss', '--data', 'nowhere'], /--data: expected mnist, fashion-mnist or a directory of IDX files/],
      [['--cost', 'energy:eyeriss', '--prune', 'magnitude,random'], /--prune: expected .*magnitude.*energy-aware.*found random/],
      [['--cost', 'energy:eyeriss', '--target', '0.5', '--checkpoints', '0.7,0.4'], /--checkpoints: expected fractions between the target \(0\.5\) and 1, found 0\.4/],
      [['--cost', 'energy:eyeriss', '--variant-evaluations', '-1'], /--variant-evaluations: expected/],
    ];
    for (const [args, re] of cases) {
      const full = ['adapt', '--model', 'lenet5', '--out', out, ...args];
      // A later --model overrides the first.
      const r = await runCli(full);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
      expect(existsSync(out)).toBe(false);
    }
  }, 60_000);
});
