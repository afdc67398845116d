/** `dnnergy prune`: energy-aware or magnitude pruning of a trained MNIST network, with the accelerator model in the loop. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDesign } from '../designs/resolve.js';
import { loadArchitecture } from '../io/inputs.js';
import { OutputSet } from '../io/files.js';
import { exportSequentialOnnx } from '../network/onnx/export.js';
import { formatPrune, pruneReport } from '../report/prune.js';
import { SPARSITY_ASSUMPTION } from '../network/sparsity.js';
import { SpecError } from '../spec/errors.js';
import { SHIPPED_MODELS } from './commands.js';
import { numberIn, outputTargets, wholeNumber } from './flags.js';
import { progressBar, quiet } from './progress.js';

/** Flags of `dnnergy prune`, as commander hands them over. */
export interface PruneOpts {
  model: string; method: string; arch: string; ert?: string; maxAccuracyDrop: string; seed: string; out?: string; json?: boolean;
  stepImages: string; finalImages: string; activationL1: string; margin: string; validationImages: string; lr: string; firstStep: string; minStep: string; evaluations: string;
  activations: string; activationImages: string;
}

/** What `dnnergy prune --out` writes. */
const OUT_FILES = ['model.json', 'weights.bin', 'model.onnx', 'report.json'];

const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

/** Run `dnnergy prune`. */
export async function runPrune(o: PruneOpts): Promise<void> {
  // Before minutes of pruning, not after.
  if (o.out !== undefined) outputTargets({ '--out': o.out }, 'dir', OUT_FILES);
  if (o.method !== 'energy-aware' && o.method !== 'magnitude') throw new SpecError('<command line>', '--method', 'energy-aware or magnitude', o.method);
  const arch = resolveDesign(o.arch, o.ert, loadArchitecture);
  const dir = SHIPPED_MODELS.includes(o.model) ? join(MODELS_DIR, o.model) : o.model;
  if (!existsSync(join(dir, 'model.json'))) {
    throw new SpecError(SHIPPED_MODELS.includes(o.model) ? join(dir, 'model.json') : o.model, '--model', `${SHIPPED_MODELS.join(' or ')}, or a directory with model.json (dnnergy train --out)`, 'no model.json');
  }
  const maxDrop = numberIn(o.maxAccuracyDrop, '--max-accuracy-drop', 0, 100);
  const margin = numberIn(o.margin, '--margin', 0, maxDrop);
  const seed = wholeNumber(o.seed, '--seed', 0);
  const stepImages = wholeNumber(o.stepImages, '--step-images', 1), finalImages = wholeNumber(o.finalImages, '--final-images', 0);
  const validationImages = wholeNumber(o.validationImages, '--validation-images', 100);
  if (validationImages > 5000) throw new SpecError('<command line>', '--validation-images', 'at most 5000 (images 55,000–59,999 of the training set)', o.validationImages);
  const lr = numberIn(o.lr, '--lr', 1e-7, 1), firstStep = numberIn(o.firstStep, '--first-step', 0.01, 0.99), minStep = numberIn(o.minStep, '--min-step', 0.001, firstStep);
  const evaluations = wholeNumber(o.evaluations, '--evaluations', 1);
  const activationL1 = numberIn(o.activationL1, '--activation-l1', 0, 1);
  if (o.activations !== 'average' && o.activations !== 'actual') throw new SpecError('<command line>', '--activations', 'average or actual', o.activations);
  const activations = o.activations === 'actual' ? 'actual' as const : 'average' as const;
  const activationImages = wholeNumber(o.activationImages, '--activation-images', 1);
  if (activationImages > 1000) throw new SpecError('<command line>', '--activation-images', 'at most 1000 (the probe images activation densities are measured on)', o.activationImages);
  const actual = activations === 'actual';

  const [{ initTf }, { saveModel }, { loadMnist }, { accuracy }, { loadPrunable, onnxValues }, { energyModel, networkEnergy }, { prune, activationSampler, prunedLayers }, { densities }, { activationTiles, formatActivationTiles }] = await Promise.all([
    import('../train/backend.js'), import('../train/io.js'), import('../train/mnist.js'), import('../train/train.js'), import('../train/network.js'),
    import('../codesign/energy.js'), import('../codesign/prune.js'), import('../train/masks.js'), import('../report/prune-activations.js'),
  ]);
  const tf = await initTf();
  const { model, net } = await loadPrunable(tf, dir);
  const silent = quiet(o.json);
  const log = (s: string) => { if (!silent) process.stderr.write(s + '\n'); };
  log(`mapping ${net.layers.filter((l) => l.kind !== 'other').length} layers of ${net.name} on ${o.arch}...`);
  log(SPARSITY_ASSUMPTION);
  const em = await energyModel(net, arch, { evaluations, seed });
  const trainSet = loadMnist('train', 0, 55000);
  const validation = loadMnist('train', 55000, validationImages);
  const test = loadMnist('test');
  const start = densities(model);
  // The same images and layers prune() measures on, so that its first step starts from this energy.
  const sampling = { activations, activationImages };
  const startActs = activationSampler(tf, model, prunedLayers(model, em), validation, sampling)();
  // Priced on the start model, before pruning changes its weights.
  const tilesBefore = actual ? activationTiles(em, net, start, startActs) : undefined;
  const before = { energy: networkEnergy(em, start, startActs), test: await accuracy(tf, model, test) };
  const bar = progressBar(`${o.method} {bar} energy {ratio}× lower | step {step}: {layer} {verdict} (validation {acc}%)`, o.json, { barsize: 20 });
  bar?.start(100, 0, { ratio: '1.00', step: 0, layer: '-', verdict: '', acc: '-' });
  const result = await prune(tf, model, em, { train: trainSet, validation }, {
    method: o.method, maxAccuracyDrop: maxDrop - margin, seed, stepImages, finalImages, learningRate: lr, activationL1, firstStep, minStep, ...sampling,
    onStep: (s) => bar?.update(Math.min(100, Math.round((1 - s.energy / before.energy.total) * 100)), {
      ratio: (before.energy.total / s.energy).toFixed(2), step: s.step, layer: s.layer, verdict: s.accepted ? 'kept' : 'undone', acc: (s.validationAccuracy * 100).toFixed(2),
    }),
  });
  bar?.stop();
  const after = { energy: networkEnergy(em, result.densities, result.activations), test: await accuracy(tf, model, test) };
  const report = pruneReport({
    model: o.model, network: net.name, method: o.method, design: arch, seed, maxAccuracyDrop: maxDrop, margin,
    settings: { step_images: stepImages, final_images: finalImages, validation_images: validationImages, learning_rate: lr, activation_l1: activationL1, first_step: firstStep, min_step: minStep },
    energyModel: em, start, result, before, after,
  });
  // Only under `actual`: the default report keeps its bytes.
  const tiles = tilesBefore && { images: Math.min(activationImages, 1000, validationImages), before: tilesBefore, after: activationTiles(em, net, result.densities, result.activations) };
  const json = JSON.stringify(tiles ? { ...report, activations: 'actual', activation_tiles: tiles } : report, null, 2) + '\n';
  const outDir = o.out;
  if (outDir !== undefined) {
    // All four or none: never a new weights.bin beside a stale report.json.
    await OutputSet.run(async (out) => {
      await saveModel(tf, model, outDir, out);
      out.add(join(outDir, 'model.onnx'), exportSequentialOnnx(net, 1, onnxValues(model, net)));
      out.add(join(outDir, 'report.json'), json);
    });
  }
  process.stdout.write(o.json ? json : formatPrune(report) + (tiles ? '\n' + formatActivationTiles(tiles.images, tiles.before, tiles.after) : ''));
}
