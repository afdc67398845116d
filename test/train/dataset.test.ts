/** Datasets behind one interface: MNIST's splits, and any directory of IDX files with its own shapes. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activationDensities } from '../../src/codesign/prune.js';
import { initTf } from '../../src/train/backend.js';
import { idxDataset } from '../../src/train/dataset.js';
import { prunableLayers } from '../../src/train/masks.js';
import { loadMnist, mnist } from '../../src/train/mnist.js';
import { buildModel } from '../../src/train/models.js';
import { accuracy, train } from '../../src/train/train.js';
import { colourDir } from './colour.js';

describe('datasets', () => {
  it('MNIST: 55,000 / 5,000 / 10,000 of 28×28×1 in 10 classes; validation is the training file from 55,000 on', () => {
    const m = mnist();
    expect([m.name, m.imageShape, m.classes]).toEqual(['mnist', [28, 28, 1], 10]);
    expect([m.size('train'), m.size('validation'), m.size('test')]).toEqual([55000, 5000, 10000]);
    const v = m.load('validation', 2, 3), raw = loadMnist('train', 55002, 3);
    expect(v.images).toEqual(raw.images);
    expect([...v.labels]).toEqual([...raw.labels]);
    expect(m.load('train', 54998).count).toBe(2);
    expect([...m.load('test', 0, 3).labels]).toEqual([7, 2, 1]);
  });

  it('an IDX directory: shape and classes from the files; bad files are one-line user errors', () => {
    const dir = colourDir(20, 6);
    const d = idxDataset(dir, { validation: 4 });
    expect([d.imageShape, d.classes, d.size('train'), d.size('validation'), d.size('test')]).toEqual([[12, 12, 3], 3, 16, 4, 6]);
    const v = d.load('validation');
    expect([...v.labels]).toEqual([16 % 3, 17 % 3, 18 % 3, 19 % 3]);
    // Image 16, pixel 0: bright in its class's channel only.
    expect([...v.images.subarray(0, 3)]).toEqual([0, Math.fround((200 + (16 * 7) % 50) / 255), 0]);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Buffer.from('not an idx file'));
    expect(() => idxDataset(dir)).toThrow(/t10k-images-idx3-ubyte: expected an IDX file of unsigned bytes/);
    expect(() => idxDataset(join(dir, 'nowhere'))).toThrow(/nowhere\/train-images-idx3-ubyte: expected an IDX file, found no such file/);
    expect(() => idxDataset(colourDir(4, 2), { validation: 4 })).toThrow(/validation: expected fewer held-out images than the 4 training images/);
  });

  it('training, accuracy and activation meters take the shapes from the data (12×12×3, 3 classes)', async () => {
    const tf = await initTf();
    const d = idxDataset(colourDir(300, 60), { validation: 30 });
    const model = buildModel(tf, 'lenet5', 1, d);
    expect(model.outputs[0].shape).toEqual([null, 3]);
    const before = await accuracy(tf, model, d.load('test'));
    await train(tf, model, d.load('train'), { epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 1 });
    const after = await accuracy(tf, model, d.load('test'));
    expect(after).toBeGreaterThan(0.9);
    expect(after).toBeGreaterThan(before);
    // Every pixel is bright in exactly one of three channels.
    const acts = activationDensities(tf, model, prunableLayers(model), d.load('validation'));
    expect(acts.get('conv1')!.inputs).toBeCloseTo(1 / 3, 6);
  }, 120_000);
});
