/**
 * Pruning masks: a 0/1 mask per prunable kernel (convolutions and dense
 * layers), applied after every optimiser step so pruned weights stay zero
 * through fine-tuning; and magnitude pruning, the baseline (Han et al.):
 * per layer, zero the smallest |w| down to a target density.
 */
import type * as tfType from '@tensorflow/tfjs';

/** Layer name → mask (same shape as the layer's kernel). */
export type Masks = Map<string, Float32Array>;

/** The kernels that can be pruned: conv and dense kernels (biases are kept). */
export function prunableLayers(model: tfType.LayersModel): tfType.layers.Layer[] {
  return model.layers.filter((l) => (l.getClassName() === 'Conv2D' || l.getClassName() === 'Dense' || l.getClassName() === 'DepthwiseConv2D') && l.getWeights().length > 0);
}

/** Fraction of non-zero kernel weights per layer. */
export function densities(model: tfType.LayersModel): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of prunableLayers(model)) {
    const w = l.getWeights()[0].dataSync();
    let nz = 0;
    for (const v of w) if (v !== 0) nz++;
    out.set(l.name, nz / w.length);
  }
  return out;
}

/** Zero the weights that are masked out (in place, on the model). */
export function applyMasks(tf: typeof tfType, model: tfType.LayersModel, masks: Masks): void {
  for (const l of prunableLayers(model)) {
    const m = masks.get(l.name);
    if (!m) continue;
    const ws = l.getWeights();
    const k = ws[0];
    const masked = tf.tidy(() => tf.mul(k, tf.tensor(m, k.shape)));
    l.setWeights([masked, ...ws.slice(1)]);
    masked.dispose();
  }
}

/**
 * Magnitude pruning of one layer to `density` (0..1): keep the largest |w|,
 * never un-pruning what an existing mask removed. Returns the new mask.
 */
export function magnitudeMask(weights: Float32Array, density: number, previous?: Float32Array): Float32Array {
  const n = weights.length;
  const keep = Math.max(0, Math.min(n, Math.round(density * n)));
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => !previous || previous[i] !== 0);
  order.sort((a, b) => Math.abs(weights[b]) - Math.abs(weights[a]) || a - b);
  const mask = new Float32Array(n);
  for (let i = 0; i < Math.min(keep, order.length); i++) mask[order[i]] = 1;
  return mask;
}

/** Magnitude-prune the given layers to the given densities and apply the masks. */
export function pruneByMagnitude(tf: typeof tfType, model: tfType.LayersModel, target: Map<string, number>, masks: Masks = new Map()): Masks {
  for (const l of prunableLayers(model)) {
    const d = target.get(l.name);
    if (d === undefined) continue;
    masks.set(l.name, magnitudeMask(l.getWeights()[0].dataSync() as Float32Array, d, masks.get(l.name)));
  }
  applyMasks(tf, model, masks);
  return masks;
}
