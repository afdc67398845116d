/**
 * Pruning with accuracy measured, never assumed.
 *
 * Energy-aware pruning (Yang, Chen, Sze, CVPR 2017): repeatedly take the
 * layer where a step saves the most energy on the target accelerator (the
 * sparse estimate of `energy.ts`; the paper takes the layer that costs the
 * most, which differs when a layer's energy is mostly activation traffic
 * that pruning cannot remove), remove a fraction of its remaining
 * weights, keeping the weights that matter most to the layer's output
 * (|w| × RMS of the input activation it multiplies: pruning by magnitude and
 * then restoring the weights whose loss hurts the output most, in one
 * ranking), fine-tune briefly with the masks held, and keep the step only if
 * validation accuracy stays within the budget; otherwise undo it and try a
 * smaller step, until no layer can be pruned further. A final fine-tune
 * follows; test accuracy is measured at the end.
 *
 * Magnitude pruning (Han et al. 2015), the baseline: one global |w|
 * threshold over all layers ("prune where the weights are"), raised step by
 * step with the same fine-tuning, budget and step rule.
 */
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { applyMasks, magnitudeMask, prunableLayers, type Masks } from '../train/masks.js';
import { imageSize, type ImageSet } from '../train/dataset.js';
import { accuracy, train } from '../train/train.js';
import type { ActivationDensity, NetworkCost } from './cost.js';

/** Energy-aware pruning (Yang et al.) or the global-magnitude baseline (Han et al.). */
export type PruneMethod = 'energy-aware' | 'magnitude';

/** The method, the accuracy budget and the fine-tuning and step sizes of a pruning run. */
export interface PruneOptions {
  readonly method: PruneMethod;
  /** Largest allowed validation-accuracy loss, in points (1 = one percentage point). */
  readonly maxAccuracyDrop: number;
  readonly seed: number;
  /** Images per short fine-tune after each step, and per final fine-tune. */
  readonly stepImages: number;
  readonly finalImages: number;
  readonly learningRate: number;
  /** L1 weight on ReLU outputs during fine-tuning (0: cross-entropy only, as in the paper). */
  readonly activationL1?: number;
  /** Fraction of a layer's remaining weights a first step removes. */
  readonly firstStep: number;
  /** Steps smaller than this end the search for a layer (or, for magnitude, for the network). */
  readonly minStep: number;
  /**
   * Stop once the cost at the kept weight densities (activations dense, as
   * NetAdapt's table prices) is at most this: pruning as a baseline at
   * NetAdapt's target. Absent: prune until no step holds the accuracy.
   */
  readonly targetCost?: number;
  /**
   * How activations are priced: `average` (default) their non-zero
   * fractions on the probe images (every tile at that density); `actual`
   * their zero masks on the first `activationImages` probe images, every
   * tile the engine asks about counted on them (see {@link activationSampler}).
   */
  readonly activations?: ActivationSource;
  /** Probe images the masks are kept for under `actual` (default {@link ACTUAL_PROBE_IMAGES}). */
  readonly activationImages?: number;
  /** Stop after this many kept steps (a fine-tuning budget shared with other methods: each kept step fine-tunes `stepImages`). */
  readonly maxKeptSteps?: number;
  readonly onStep?: (s: PruneStep) => void;
}

/** One tried step: what was pruned, whether it was kept, and the accuracy and cost after it. */
export interface PruneStep {
  readonly step: number;
  /** The layer pruned (energy-aware) or `all` (magnitude). */
  readonly layer: string;
  readonly fraction: number;
  readonly accepted: boolean;
  readonly validationAccuracy: number;
  /** The network's cost (energy) after the step. */
  readonly energy: number;
}

/** The masks a run kept, the densities they give, every step, and validation accuracy before and after. */
export interface PruneResult {
  readonly method: PruneMethod;
  readonly masks: Masks;
  readonly densities: Map<string, number>;
  /** Activation densities of the pruned network, measured on validation images. */
  readonly activations: Map<string, ActivationDensity>;
  readonly steps: PruneStep[];
  readonly validation: { before: number; after: number };
}

export interface PruneData {
  /** Images the fine-tunes draw from. */
  readonly train: ImageSet;
  /** Held-out images the accept/undo decisions use. */
  readonly validation: ImageSet;
}

function subset(set: ImageSet, n: number, rng: Rng): ImageSet {
  const count = Math.min(n, set.count);
  const size = imageSize(set);
  const images = new Float32Array(count * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = rng.int(set.count);
    images.set(set.images.subarray(k * size, (k + 1) * size), i * size);
    labels[i] = set.labels[k];
  }
  return { ...set, images, labels, count };
}

function kernel(l: tfType.layers.Layer): Float32Array {
  return l.getWeights()[0].dataSync() as Float32Array;
}

function density(mask: Float32Array | undefined): number {
  if (!mask) return 1;
  let nz = 0;
  for (const v of mask) if (v !== 0) nz++;
  return nz / mask.length;
}

/**
 * A forward pass that hands `use` the values of the given tensors of the
 * model's graph; the probe model is built once. tfjs wants a model's outputs
 * distinct, and a layer's output is often the next one's input.
 */
function tap(tf: typeof tfType, model: tfType.LayersModel, wanted: tfType.SymbolicTensor[]): (sample: ImageSet, use: (values: tfType.Tensor[]) => void) => void {
  const distinct = [...new Set(wanted)];
  const slot = wanted.map((t) => distinct.indexOf(t));
  const probe = tf.model({ inputs: model.inputs, outputs: distinct });
  return (sample, use) => tf.tidy(() => {
    const out = probe.predict(tf.tensor4d(sample.images, [sample.count, ...sample.shape]));
    const list = Array.isArray(out) ? out : [out];
    use(slot.map((k) => list[k]));
  });
}

/**
 * RMS of each layer's input activation per input channel (the last axis),
 * over a sample: how strongly a weight's input drives the output.
 */
function inputRmsMeter(tf: typeof tfType, model: tfType.LayersModel, layers: readonly tfType.layers.Layer[]): (sample: ImageSet) => Map<string, Float32Array> {
  const run = tap(tf, model, layers.map((l) => l.input as tfType.SymbolicTensor));
  return (sample) => {
    const out = new Map<string, Float32Array>();
    run(sample, (values) => values.forEach((a, i) => {
      const axes = a.shape.slice(0, -1).map((_, k) => k);
      out.set(layers[i].name, tf.sqrt(tf.mean(tf.square(a), axes)).dataSync() as Float32Array);
    }));
    return out;
  };
}

/**
 * Fraction of non-zero values in each layer's input and in its output as
 * written back (after the layer's activation function), over a sample: the
 * densities the accelerator's zero gating and off-chip compression see.
 */
export function activationMeter(tf: typeof tfType, model: tfType.LayersModel, layers: readonly tfType.layers.Layer[]): (sample: ImageSet) => Map<string, ActivationDensity> {
  const run = tap(tf, model, layers.flatMap((l) => [l.input as tfType.SymbolicTensor, l.output as tfType.SymbolicTensor]));
  const nonZero = (t: tfType.Tensor) => tf.mean(tf.cast(tf.notEqual(t, 0), 'float32')).dataSync()[0];
  return (sample) => {
    const out = new Map<string, ActivationDensity>();
    run(sample, (v) => layers.forEach((l, i) => out.set(l.name, { inputs: nonZero(v[2 * i]), outputs: nonZero(v[2 * i + 1]) })));
    return out;
  };
}

/**
 * {@link activationMeter} with the zero masks kept (actual data): each
 * layer's input and output as 0/1 bytes per image in the network's
 * [C, H, W] order (tfjs's NHWC transposed; a dense layer after a Flatten
 * reads its features in C·H·W order, as the exported ONNX does), and their
 * non-zero fractions. One byte per activation per image: the sample is
 * what bounds the memory.
 */
export function activationMaskMeter(tf: typeof tfType, model: tfType.LayersModel, layers: readonly tfType.layers.Layer[]): (sample: ImageSet) => Map<string, ActivationDensity> {
  // A Flatten's output is tfjs's H·W·C order: its input, transposed, gives the network's C·H·W.
  const source = (t: tfType.SymbolicTensor): tfType.SymbolicTensor => (t.sourceLayer.getClassName() === 'Flatten' ? t.sourceLayer.input as tfType.SymbolicTensor : t);
  const run = tap(tf, model, layers.flatMap((l) => [source(l.input as tfType.SymbolicTensor), l.output as tfType.SymbolicTensor]));
  const masks = (t: tfType.Tensor, images: number): { images: number; mask: Uint8Array; density: number } => {
    const nz = tf.notEqual(t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t, 0);
    const mask = Uint8Array.from(nz.dataSync());
    let n = 0;
    for (const x of mask) n += x;
    return { images, mask, density: n / mask.length };
  };
  return (sample) => {
    const out = new Map<string, ActivationDensity>();
    run(sample, (v) => layers.forEach((l, i) => {
      const a = masks(v[2 * i], sample.count), b = masks(v[2 * i + 1], sample.count);
      out.set(l.name, { inputs: a.density, outputs: b.density, masks: { inputs: { images: a.images, mask: a.mask }, outputs: { images: b.images, mask: b.mask } } });
    }));
    return out;
  };
}

/** {@link activationMeter}, once. */
export function activationDensities(tf: typeof tfType, model: tfType.LayersModel, layers: readonly tfType.layers.Layer[], sample: ImageSet): Map<string, ActivationDensity> {
  return activationMeter(tf, model, layers)(sample);
}

/** The layers pruning works on: prunable kernels the cost prices. */
export function prunedLayers(model: tfType.LayersModel, cost: NetworkCost): tfType.layers.Layer[] {
  return prunableLayers(model).filter((l) => cost.layers.some((e) => e.name === l.name));
}

/** The held-out images activation densities are measured on: the first 1,000 validation images. */
export function densityProbe(validation: ImageSet): ImageSet {
  const n = Math.min(1000, validation.count);
  return { ...validation, images: validation.images.subarray(0, n * imageSize(validation)), labels: validation.labels.subarray(0, n), count: n };
}

/** Activations priced by their average non-zero fraction or by their measured tiles. */
export type ActivationSource = 'average' | 'actual';

/** Probe images whose activation masks `actual` keeps by default: about 8 MB of masks for the shipped CNN. */
export const ACTUAL_PROBE_IMAGES = 100;

/**
 * The activation measurement a pruning run prices with: under `average`
 * the non-zero fractions on {@link densityProbe}'s images; under `actual`
 * the zero masks (and their fractions) on the first `activationImages` of
 * them — fewer images, because the engine counts every tile shape of a
 * mapping on every image kept.
 */
export function activationSampler(tf: typeof tfType, model: tfType.LayersModel, layers: readonly tfType.layers.Layer[], validation: ImageSet, o: { activations?: ActivationSource; activationImages?: number } = {}): () => Map<string, ActivationDensity> {
  const probe = densityProbe(validation);
  if (o.activations !== 'actual') {
    const meter = activationMeter(tf, model, layers);
    return () => meter(probe);
  }
  const n = Math.min(o.activationImages ?? ACTUAL_PROBE_IMAGES, probe.count);
  const sample = { ...probe, images: probe.images.subarray(0, n * imageSize(probe)), labels: probe.labels.subarray(0, n), count: n };
  const meter = activationMaskMeter(tf, model, layers);
  return () => meter(sample);
}

/** Run `fn` with one layer's kernel masked, then put the kernel back. */
function withMask<T>(tf: typeof tfType, model: tfType.LayersModel, layer: tfType.layers.Layer, mask: Float32Array, fn: () => T): T {
  // getWeights() hands out the variables themselves: keep copies to restore from.
  const original = layer.getWeights().map((t) => t.clone());
  applyMasks(tf, model, new Map([[layer.name, mask]]));
  try {
    return fn();
  } finally {
    layer.setWeights(original);
    original.forEach((t) => t.dispose());
  }
}

/** |w| × RMS of the input channel each weight reads (kernels are [..., in, out]). */
function outputImportance(w: Float32Array, shape: number[], rms: Float32Array): Float32Array {
  const outC = shape[shape.length - 1], inC = shape[shape.length - 2];
  const s = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) s[i] = Math.abs(w[i]) * rms[Math.floor(i / outC) % inC];
  return s;
}

/**
 * Prune `model` against `cost` (the energy of the network on a design, from
 * the model's cost provider, or any metric priced by densities): a step is
 * worth taking where it lowers the cost most.
 */
export async function prune(tf: typeof tfType, model: tfType.LayersModel, cost: NetworkCost, data: PruneData, o: PruneOptions): Promise<PruneResult> {
  const rng = new Rng(o.seed);
  const layers = prunedLayers(model, cost);
  const masks: Masks = new Map();
  const steps: PruneStep[] = [];
  const densities = () => new Map(layers.map((l) => [l.name, density(masks.get(l.name))]));
  // Pruning changes the activations too; they are re-measured after every kept step.
  const measureActivations = activationSampler(tf, model, layers, data.validation, o);
  let activations = measureActivations();
  const energyNow = () => cost.at(densities(), activations);
  const before = await accuracy(tf, model, data.validation);
  const floor = before - o.maxAccuracyDrop / 100;
  let stepNo = 0, keptSteps = 0;
  const done = () => (o.targetCost !== undefined && cost.at(densities()).total <= o.targetCost) || (o.maxKeptSteps !== undefined && keptSteps >= o.maxKeptSteps);

  /**
   * Apply a step, fine-tune, and keep it only if validation accuracy holds
   * (and, when asked, if the energy with re-measured activations fell).
   */
  const attempt = async (layer: string, fraction: number, newMasks: Masks, mustSaveEnergy: boolean): Promise<boolean> => {
    const snapshot = model.getWeights().map((t) => t.clone());
    const old = new Map(masks);
    const oldActivations = activations;
    const energyBefore = energyNow().total;
    for (const [k, v] of newMasks) masks.set(k, v);
    applyMasks(tf, model, masks);
    await train(tf, model, subset(data.train, o.stepImages, rng), { epochs: 1, batchSize: 64, learningRate: o.learningRate, seed: rng.int(1 << 30), masks, activationL1: o.activationL1 });
    const acc = await accuracy(tf, model, data.validation);
    activations = measureActivations();
    const accepted = acc >= floor && (!mustSaveEnergy || energyNow().total < energyBefore);
    if (!accepted) {
      model.setWeights(snapshot);
      masks.clear();
      for (const [k, v] of old) masks.set(k, v);
      activations = oldActivations;
    }
    snapshot.forEach((t) => t.dispose());
    if (accepted) keptSteps++;
    const s: PruneStep = { step: ++stepNo, layer, fraction, accepted, validationAccuracy: acc, energy: energyNow().total };
    steps.push(s);
    o.onStep?.(s);
    return accepted;
  };

  if (o.method === 'energy-aware') {
    const step = new Map(layers.map((l) => [l.name, o.firstStep]));
    const inputRms = inputRmsMeter(tf, model, layers);
    while (!done()) {
      // Prune where the energy is: the step that saves the most energy, with the activations it
      // changes measured (a pruned layer's ReLU outputs can get denser, costing the next layer).
      const d = densities();
      const now = energyNow().total;
      const rms = inputRms(subset(data.train, 256, rng));
      let best: { layer: tfType.layers.Layer; mask: Float32Array; saved: number } | undefined;
      for (const l of layers) {
        const f = step.get(l.name)!;
        if (f < o.minStep) continue;
        const target = d.get(l.name)! * (1 - f);
        const k = l.getWeights()[0];
        const mask = magnitudeMask(outputImportance(k.dataSync() as Float32Array, k.shape, rms.get(l.name)!), target, masks.get(l.name));
        const saved = now - cost.at(new Map([...d, [l.name, target]]), withMask(tf, model, l, mask, () => measureActivations())).total;
        if (saved > (best?.saved ?? 0)) best = { layer: l, mask, saved };
        // A step that would cost energy is not worth a fine-tune; smaller ones may still pay.
        if (saved <= 0) step.set(l.name, f / 2);
      }
      if (!best) {
        if (layers.every((l) => step.get(l.name)! < o.minStep)) break;
        continue;
      }
      const fraction = step.get(best.layer.name)!;
      if (!(await attempt(best.layer.name, fraction, new Map([[best.layer.name, best.mask]]), true))) step.set(best.layer.name, fraction / 2);
    }
  } else {
    let fraction = o.firstStep;
    let kept = 1;
    while (fraction >= o.minStep && !done()) {
      const target = kept * (1 - fraction);
      // One threshold for the whole network: rank every remaining weight by |w|.
      const all: number[] = [];
      for (const l of layers) {
        const w = kernel(l), m = masks.get(l.name);
        for (let i = 0; i < w.length; i++) if (!m || m[i] !== 0) all.push(Math.abs(w[i]));
      }
      const total = layers.reduce((s, l) => s + kernel(l).length, 0);
      all.sort((a, b) => b - a);
      const threshold = all[Math.min(all.length - 1, Math.max(0, Math.round(target * total) - 1))];
      const next: Masks = new Map();
      for (const l of layers) {
        const w = kernel(l), m = masks.get(l.name);
        const mask = new Float32Array(w.length);
        for (let i = 0; i < w.length; i++) mask[i] = (!m || m[i] !== 0) && Math.abs(w[i]) >= threshold ? 1 : 0;
        next.set(l.name, mask);
      }
      if (await attempt('all', fraction, next, false)) kept = target;
      else fraction /= 2;
    }
  }
  // Final fine-tune with the masks held.
  if (o.finalImages > 0) await train(tf, model, subset(data.train, o.finalImages, rng), { epochs: 1, batchSize: 64, learningRate: o.learningRate / 2, seed: rng.int(1 << 30), masks, activationL1: o.activationL1 });
  activations = measureActivations();
  return { method: o.method, masks, densities: densities(), activations, steps, validation: { before, after: await accuracy(tf, model, data.validation) } };
}
