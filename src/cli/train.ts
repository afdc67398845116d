/** `dnnergy train`: train LeNet-5 or the deeper CNN on MNIST and save it (tfjs format). */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { writeFileAtomic } from '../io/files.js';
import { SpecError } from '../spec/errors.js';
import type { ModelName } from '../train/models.js';
import { join } from 'node:path';

interface TrainOpts { model: string; epochs: string; subset?: string; batch: string; lr: string; seed: string; out: string; json?: boolean }

function num(v: string, flag: string, integer: boolean): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) throw new SpecError('<command line>', flag, integer ? 'a positive whole number' : 'a positive number', v);
  return n;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a network on MNIST (tfjs, WebAssembly backend) and save it with its test accuracy')
    .requiredOption('--model <lenet5|cnn>', 'the network')
    .option('--epochs <n>', 'passes over the training images', '4')
    .option('--subset <n>', 'train on the first n of the 60,000 training images')
    .option('--batch <n>', 'minibatch size', '64')
    .option('--lr <x>', 'Adam learning rate', '0.001')
    .option('--seed <n>', 'seed for initial weights and shuffling', '1')
    .option('--out <dir>', 'where to write model.json, weights.bin and report.json', 'out/model')
    .option('--json', 'print the report as JSON')
    .action(async (o: TrainOpts) => {
      if (o.model !== 'lenet5' && o.model !== 'cnn') throw new SpecError('<command line>', '--model', 'lenet5 or cnn', o.model);
      const epochs = num(o.epochs, '--epochs', true), batchSize = num(o.batch, '--batch', true), lr = num(o.lr, '--lr', false), seed = num(o.seed, '--seed', true);
      const subset = o.subset === undefined ? undefined : num(o.subset, '--subset', true);
      // tfjs is loaded only by the commands that train.
      const [{ initTf }, { saveModel }, { loadMnist }, { buildModel }, { accuracy, train }] = await Promise.all([
        import('../train/backend.js'), import('../train/io.js'), import('../train/mnist.js'), import('../train/models.js'), import('../train/train.js'),
      ]);
      const tf = await initTf();
      const model = buildModel(tf, o.model as ModelName, seed);
      const data = loadMnist('train', 0, subset ?? Infinity);
      const test = loadMnist('test');
      const showBar = !o.json && process.stderr.isTTY && !process.env.CI;
      const history: { epoch: number; loss: number; test_accuracy: number; seconds: number }[] = [];
      const t0 = Date.now();
      for (let e = 1; e <= epochs; e++) {
        const bar = showBar ? new SingleBar({ format: `epoch ${e}/${epochs} {bar} {value}/{total} batches | loss {loss}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
        bar?.start(Math.ceil(data.count / batchSize), 0, { loss: '-' });
        const loss = await train(tf, model, data, { epochs: 1, batchSize, learningRate: lr, seed: seed * 1000 + e, onBatch: bar ? (_e, b, _n, l) => bar.update(b + 1, { loss: l.toFixed(4) }) : undefined });
        bar?.stop();
        const acc = await accuracy(tf, model, test);
        history.push({ epoch: e, loss, test_accuracy: acc, seconds: (Date.now() - t0) / 1000 });
        if (!o.json) process.stdout.write(`epoch ${e}: loss ${loss.toFixed(4)}, test accuracy ${(acc * 100).toFixed(2)}% (${history[e - 1].seconds.toFixed(0)} s)\n`);
      }
      await saveModel(tf, model, o.out);
      const report = { model: o.model, train_images: data.count, test_images: test.count, epochs, batch: batchSize, learning_rate: lr, seed, history, test_accuracy: history[history.length - 1].test_accuracy };
      writeFileAtomic(join(o.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
      if (o.json) process.stdout.write(JSON.stringify({ ...report, history: report.history.map(({ seconds: _s, ...h }) => h) }, null, 2) + '\n');
      else process.stdout.write(`saved ${o.model} to ${o.out} (model.json, weights.bin, report.json)\n`);
    });
}
