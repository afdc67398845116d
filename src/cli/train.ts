/** `dnnergy train`: train LeNet-5, the deeper CNN or the MobileNet-style network on MNIST, Fashion-MNIST or an IDX set and save it (tfjs format). */
import { join } from 'node:path';
import { OutputSet } from '../io/files.js';
import { MODEL_NAMES, type ModelName } from '../train/models.js';
import { numberIn, oneOf, outputTargets, wholeNumber } from './flags.js';
import { progressBar } from './progress.js';

/** What `dnnergy train --out` writes. */
const OUT_FILES = ['model.json', 'weights.bin', 'report.json'];

/** Flags of `dnnergy train`, as commander hands them over. */
export interface TrainOpts { model: string; data?: string; epochs: string; subset?: string; batch: string; lr: string; seed: string; out: string; json?: boolean }

/** Run `dnnergy train`. */
export async function runTrain(o: TrainOpts): Promise<void> {
  oneOf(o.model, '--model', MODEL_NAMES);
  const epochs = wholeNumber(o.epochs, '--epochs', 1), batchSize = wholeNumber(o.batch, '--batch', 1), lr = numberIn(o.lr, '--lr', 1e-7, 1), seed = wholeNumber(o.seed, '--seed', 1);
  const subset = o.subset === undefined ? undefined : wholeNumber(o.subset, '--subset', 1);
  // Before minutes of training, not after.
  outputTargets({ '--out': o.out }, 'dir', OUT_FILES);
  // tfjs is loaded only by the commands that train.
  const [{ initTf }, { saveModel }, { loadMnist }, { buildModel }, { accuracy, train }, { datasetByName }] = await Promise.all([
    import('../train/backend.js'), import('../train/io.js'), import('../train/mnist.js'), import('../train/models.js'), import('../train/train.js'), import('../train/datasets.js'),
  ]);
  const dataName = o.data ?? 'mnist';
  // MNIST as before (the first n of the 60,000 training images); any other set trains on its training split only.
  const dataset = dataName === 'mnist' ? undefined : datasetByName(dataName);
  const tf = await initTf();
  const model = buildModel(tf, o.model as ModelName, seed, dataset);
  const data = dataset ? dataset.load('train', 0, subset ?? Infinity) : loadMnist('train', 0, subset ?? Infinity);
  const test = dataset ? dataset.load('test') : loadMnist('test');
  const history: { epoch: number; loss: number; test_accuracy: number; seconds: number }[] = [];
  const t0 = Date.now();
  for (let e = 1; e <= epochs; e++) {
    const bar = progressBar(`epoch ${e}/${epochs} {bar} {value}/{total} batches | loss {loss}`, o.json);
    bar?.start(Math.ceil(data.count / batchSize), 0, { loss: '-' });
    const loss = await train(tf, model, data, { epochs: 1, batchSize, learningRate: lr, seed: seed * 1000 + e, onBatch: bar ? (_e, b, _n, l) => bar.update(b + 1, { loss: l.toFixed(4) }) : undefined });
    bar?.stop();
    const acc = await accuracy(tf, model, test);
    history.push({ epoch: e, loss, test_accuracy: acc, seconds: (Date.now() - t0) / 1000 });
    if (!o.json) process.stdout.write(`epoch ${e}: loss ${loss.toFixed(4)}, test accuracy ${(acc * 100).toFixed(2)}% (${history[e - 1].seconds.toFixed(0)} s)\n`);
  }
  const report = { model: o.model, ...(dataset ? { data: dataset.name } : {}), train_images: data.count, test_images: test.count, epochs, batch: batchSize, learning_rate: lr, seed, history, test_accuracy: history[history.length - 1].test_accuracy };
  await OutputSet.run(async (out) => {
    await saveModel(tf, model, o.out, out);
    out.add(join(o.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  });
  if (o.json) process.stdout.write(JSON.stringify({ ...report, history: report.history.map(({ seconds: _s, ...h }) => h) }, null, 2) + '\n');
  else process.stdout.write(`saved ${o.model} to ${o.out} (model.json, weights.bin, report.json)\n`);
}
