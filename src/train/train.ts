/** Training and evaluation loops over an image dataset with tfjs (deterministic order for a seed). */
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { applyMasks, type Masks } from './masks.js';
import { imageSize, type ImageSet } from './dataset.js';

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Pruning masks re-applied after every step, so pruned weights stay zero. */
  readonly masks?: Masks;
  /**
   * Weight of an L1 penalty on the ReLU outputs (per image: the sum over every
   * ReLU layer's outputs), which pushes activations to zero — zeros that an
   * accelerator gates and compresses. 0 (default) trains on cross-entropy alone.
   */
  readonly activationL1?: number;
  /** Called after each batch with (epoch, batch, batches, loss). */
  readonly onBatch?: (epoch: number, batch: number, batches: number, loss: number) => void;
}

/** Minibatch Adam on cross-entropy; shuffles with the seed each epoch. */
export async function train(tf: typeof tfType, model: tfType.LayersModel, data: ImageSet, o: TrainOptions): Promise<number> {
  const opt = tf.train.adam(o.learningRate);
  const rng = new Rng(o.seed);
  const order = Array.from({ length: data.count }, (_, i) => i);
  let last = NaN;
  const l1 = o.activationL1 ?? 0;
  const relus = model.layers.filter((l) => (l.getConfig() as { activation?: string }).activation === 'relu');
  // Shares the model's layers (and weights): one forward pass gives the prediction and the ReLU outputs.
  const probe = l1 > 0 && relus.length > 0 ? tf.model({ inputs: model.inputs, outputs: [model.outputs[0], ...relus.map((l) => l.output as tfType.SymbolicTensor)] }) : undefined;
  // The model ends in a softmax: cross-entropy on its log-probabilities.
  const crossEntropy = (y: tfType.Tensor2D, pred: tfType.Tensor) => tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(pred, 1e-7))) as tfType.Scalar;
  const objective = (x: tfType.Tensor4D, y: tfType.Tensor2D): tfType.Scalar => {
    if (!probe) return crossEntropy(y, model.predict(x) as tfType.Tensor);
    const [pred, ...acts] = probe.predict(x) as tfType.Tensor[];
    const ce = crossEntropy(y, pred);
    const penalty = acts.reduce((sum, a) => tf.add(sum, tf.div(tf.sum(a), a.shape[0]!)), tf.scalar(0));
    return tf.add(ce, tf.mul(penalty, l1)) as tfType.Scalar;
  };
  const size = imageSize(data), classes = data.classes;
  for (let e = 0; e < o.epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
    const batches = Math.ceil(order.length / o.batchSize);
    for (let b = 0; b < batches; b++) {
      const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
      const xs = new Float32Array(idx.length * size);
      const ys = new Float32Array(idx.length * classes);
      idx.forEach((k, r) => { xs.set(data.images.subarray(k * size, (k + 1) * size), r * size); ys[r * classes + data.labels[k]] = 1; });
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(xs, [idx.length, ...data.shape]);
        const y = tf.tensor2d(ys, [idx.length, classes]);
        return opt.minimize(() => objective(x, y), true)!;
      });
      last = (await loss.data())[0];
      loss.dispose();
      if (o.masks && o.masks.size > 0) applyMasks(tf, model, o.masks);
      o.onBatch?.(e, b, batches, last);
    }
  }
  opt.dispose();
  return last;
}

/** Fraction of the set classified correctly. */
export async function accuracy(tf: typeof tfType, model: tfType.LayersModel, data: ImageSet, batchSize = 500): Promise<number> {
  let correct = 0;
  const size = imageSize(data);
  for (let s = 0; s < data.count; s += batchSize) {
    const n = Math.min(batchSize, data.count - s);
    const pred = tf.tidy(() => (model.predict(tf.tensor4d(data.images.subarray(s * size, (s + n) * size), [n, ...data.shape])) as tfType.Tensor).argMax(-1));
    const p = (await pred.data()) as Int32Array;
    pred.dispose();
    for (let i = 0; i < n; i++) if (p[i] === data.labels[s + i]) correct++;
  }
  return correct / data.count;
}
