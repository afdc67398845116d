/** MNIST loading and a short, real training run (a subset: the suite stays fast). */
import { describe, expect, it } from 'vitest';
import { initTf } from '../../src/train/backend.js';
import { loadMnist } from '../../src/train/mnist.js';
import { buildModel } from '../../src/train/models.js';
import { accuracy, train } from '../../src/train/train.js';

describe('training substrate', () => {
  it('reads the full MNIST sets', () => {
    const tr = loadMnist('train', 59990);
    expect(tr.count).toBe(10); // 60,000 images in the file
    const te = loadMnist('test', 0, 3);
    expect(te.count).toBe(3);
    expect(Math.max(...te.images)).toBeLessThanOrEqual(1);
    expect([...te.labels]).toEqual([7, 2, 1]); // the well-known first test digits
  });

  it('LeNet-5 learns: 3,000 images, 2 epochs, well above chance on 1,000 held-out test images', async () => {
    const tf = await initTf();
    const model = buildModel(tf, 'lenet5', 1);
    const data = loadMnist('train', 0, 3000);
    const test = loadMnist('test', 0, 1000);
    const before = await accuracy(tf, model, test);
    await train(tf, model, data, { epochs: 2, batchSize: 64, learningRate: 2e-3, seed: 1 });
    const after = await accuracy(tf, model, test);
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(0.85);
  }, 120_000);
});

describe('dnnergy train', () => {
  it('trains, saves model.json + weights.bin + report.json, and the saved model reloads with the same accuracy', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli } = await import('../helpers/cli.js');
    const { loadModel } = await import('../../src/train/io.js');
    const out = join(mkdtempSync(join(tmpdir(), 'dnnergy-train-')), 'lenet');
    const r = await runCli(['train', '--model', 'lenet5', '--epochs', '1', '--subset', '1500', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.train_images).toBe(1500);
    expect(report.test_images).toBe(10000);
    const tf = await initTf();
    const back = await loadModel(tf, out);
    expect(await accuracy(tf, back, loadMnist('test'))).toBeCloseTo(report.test_accuracy, 10);
    const bad = await runCli(['train', '--model', 'resnet', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--model: expected lenet5, cnn or mobilenet, found resnet/);
    await expect(loadModel(tf, join(out, 'nowhere'))).rejects.toThrow(/model\.json: expected a readable file, found no such file/);
  }, 120_000);
});

describe('pruning masks', () => {
  it('magnitude masks keep the largest weights and never revive pruned ones', async () => {
    const { magnitudeMask } = await import('../../src/train/masks.js');
    const w = Float32Array.from([0.1, -3, 2, -0.5, 0.05, 1]);
    expect([...magnitudeMask(w, 0.5)]).toEqual([0, 1, 1, 0, 0, 1]);
    const prev = Float32Array.from([1, 0, 1, 1, 1, 1]); // -3 was pruned before
    expect([...magnitudeMask(w, 0.5, prev)]).toEqual([0, 0, 1, 1, 0, 1]);
  });

  it('pruned weights stay zero through fine-tuning; accuracy is measured, not assumed', async () => {
    const tf = await initTf();
    const { pruneByMagnitude, densities } = await import('../../src/train/masks.js');
    const model = buildModel(tf, 'lenet5', 3);
    const data = loadMnist('train', 0, 2000);
    const test = loadMnist('test', 0, 1000);
    await train(tf, model, data, { epochs: 1, batchSize: 64, learningRate: 2e-3, seed: 1 });
    const masks = pruneByMagnitude(tf, model, new Map([['conv2', 0.3], ['fc1', 0.2]]));
    const d = densities(model);
    expect(d.get('conv2')).toBeCloseTo(0.3, 2);
    expect(d.get('fc1')).toBeCloseTo(0.2, 2);
    await train(tf, model, data, { epochs: 1, batchSize: 64, learningRate: 1e-3, seed: 2, masks });
    const after = densities(model);
    expect(after.get('conv2')).toBeCloseTo(0.3, 2);
    expect(after.get('fc1')).toBeCloseTo(0.2, 2);
    expect(after.get('conv1')).toBe(1);
    expect(await accuracy(tf, model, test)).toBeGreaterThan(0.7);
  }, 120_000);

  it('an L1 penalty on ReLU outputs makes a fine-tuned network\'s activations sparser (same start, seed and data)', async () => {
    const tf = await initTf();
    const { activationDensities } = await import('../../src/codesign/prune.js');
    const { prunableLayers } = await import('../../src/train/masks.js');
    const base = buildModel(tf, 'lenet5', 4);
    await train(tf, base, loadMnist('train', 0, 2000), { epochs: 2, batchSize: 64, learningRate: 2e-3, seed: 1 });
    const start = base.getWeights().map((t) => t.clone());
    const data = loadMnist('train', 2000, 1000);
    const probe = loadMnist('train', 55000, 300);
    const fineTuned = async (l1: number) => {
      const model = buildModel(tf, 'lenet5', 4);
      model.setWeights(start);
      await train(tf, model, data, { epochs: 1, batchSize: 64, learningRate: 1e-3, seed: 2, activationL1: l1 });
      const d = activationDensities(tf, model, prunableLayers(model), probe);
      // conv2 reads conv1's ReLU outputs (pooled): the largest activation, where a per-element penalty bites most.
      return { conv2: d.get('conv2')!.inputs, acc: await accuracy(tf, model, loadMnist('test', 0, 500)) };
    };
    const plain = await fineTuned(0), sparse = await fineTuned(1e-4);
    expect(sparse.conv2).toBeLessThan(plain.conv2 * 0.9);
    expect(sparse.acc).toBeGreaterThan(plain.acc - 0.05);
  }, 120_000);
});
