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
