/**
 * NetAdapt on a tfjs model: the {@link Adaptable} that removes filters by
 * rebuilding the model with the kept weights (train/surgery.ts), fine-tunes
 * with Adam on random draws from the training images, and measures accuracy
 * on held-out images. Uniform width multipliers (MobileNet's α), the
 * baseline, shrink the same layers with the same filter choice.
 */
import type * as tfType from '@tensorflow/tfjs';
import { graphProblems } from '../network/graph.js';
import type { Network } from '../network/network.js';
import { imageSize, type ImageSet } from '../train/dataset.js';
import { networkOf } from '../train/network.js';
import { filterNorms, removeChannels } from '../train/surgery.js';
import { accuracy, train } from '../train/train.js';
import { Rng } from '../util/rng.js';
import { channelsOf, type Adaptable } from './netadapt.js';
import { keepChannels, shrinkableLayers } from './netadapt-channels.js';

/** Images fine-tuning draws from, images that decide between proposals, and the fine-tuning rate. */
export interface TfjsAdaptData {
  readonly train: ImageSet;
  readonly holdout: ImageSet;
  readonly learningRate: number;
  readonly batchSize?: number;
}

/** `n` training images drawn at random (with replacement) for a seed. */
export function sample(set: ImageSet, n: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const size = imageSize(set);
  const images = new Float32Array(n * size);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(set.count);
    images.set(set.images.subarray(k * size, (k + 1) * size), i * size);
    labels[i] = set.labels[k];
  }
  return { ...set, images, labels, count: n };
}

/** The tfjs implementation of what NetAdapt needs of a model. */
export function tfjsAdaptable(tf: typeof tfType, d: TfjsAdaptData): Adaptable<tfType.LayersModel> {
  const nets = new WeakMap<tfType.LayersModel, Network>();
  const network = (m: tfType.LayersModel) => {
    let n = nets.get(m);
    if (!n) { n = networkOf(m); nets.set(m, n); }
    return n;
  };
  return {
    network,
    filterNorms: (m, layer) => filterNorms(m.getLayer(layer)),
    async remove(m, next, kept) {
      const out = await removeChannels(tf, m, kept);
      const made = network(out);
      // The rebuilt model must be the network the table priced.
      const bad = made.layers.find((l, i) => JSON.stringify(l) !== JSON.stringify(next.layers[i]));
      if (bad || graphProblems(made).length > 0) throw new Error(`filter removal made ${bad?.name ?? 'an inconsistent graph'} differ from the shrunk network`);
      return out;
    },
    async fineTune(m, images, seed, longTerm) {
      if (images <= 0) return;
      await train(tf, m, sample(d.train, images, seed), { epochs: 1, batchSize: d.batchSize ?? 64, learningRate: longTerm ? d.learningRate / 2 : d.learningRate, seed });
    },
    accuracy: (m) => accuracy(tf, m, d.holdout),
    dispose: (m) => m.dispose(),
    // Removing nothing rebuilds the model with every weight copied.
    clone: (m) => removeChannels(tf, m, new Map()),
  };
}

/**
 * Every shrinkable layer at `alpha` of its channels (a multiple of the
 * granularity, at least one step), keeping the largest-norm filters: the
 * width-multiplier network made from the trained one.
 */
export async function widthMultiplied<M>(a: Adaptable<M>, model: M, alpha: number, granularity: number): Promise<M> {
  let m = model;
  for (const layer of shrinkableLayers(a.network(model))) {
    const net = a.network(m);
    const from = channelsOf(net, layer);
    const k = Math.min(from, Math.max(granularity, Math.round((alpha * from) / granularity) * granularity));
    if (k === from) continue;
    const { net: next, kept } = keepChannels(net, layer, k, (l) => a.filterNorms(m, l));
    const shrunk = await a.remove(m, next, kept);
    if (m !== model) a.dispose(m);
    m = shrunk;
  }
  return m;
}
