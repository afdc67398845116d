/** `dnnergy prune`: energy-aware or magnitude pruning of a trained MNIST network, with the accelerator model in the loop. */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinArch, builtinArchNames } from '../arch/builtin.js';
import { writeFileAtomic } from '../io/files.js';
import { exportSequentialOnnx } from '../network/onnx/export.js';
import { SpecError } from '../spec/errors.js';
import { wholeNumber } from './args.js';

interface Opts {
  model: string; method: string; arch: string; maxAccuracyDrop: string; seed: string; out?: string; json?: boolean;
  stepImages: string; finalImages: string; activationL1: string; margin: string; validationImages: string; lr: string; firstStep: string; minStep: string; evaluations: string;
}

/** Trained models that ship with the project (made by `npm run models`). */
const SHIPPED = ['lenet5', 'cnn'];
const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

function fraction(v: string, flag: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi) throw new SpecError('<command line>', flag, `a number from ${lo} to ${hi}`, v);
  return n;
}

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('prune a trained MNIST network, energy-aware (CVPR 2017) or by magnitude, with accuracy measured and energy from the accelerator model')
    .requiredOption('--model <lenet5|cnn|dir>', `a shipped trained model (${SHIPPED.join(', ')}) or a directory written by dnnergy train (model.json)`)
    .option('--method <energy-aware|magnitude>', 'pruning method', 'energy-aware')
    .option('--arch <name>', `a built-in architecture (${builtinArchNames.join(', ')})`, 'eyeriss')
    .option('--max-accuracy-drop <points>', 'largest validation-accuracy loss allowed, in percentage points', '1')
    .option('--margin <points>', 'part of the budget kept back from validation decisions, for the noise of a held-out estimate', '0.25')
    .option('--seed <n>', 'seed for fine-tuning order and samples', '1')
    .option('--step-images <n>', 'images per fine-tune after each pruning step', '2000')
    .option('--final-images <n>', 'images of the final fine-tune', '10000')
    .option('--validation-images <n>', 'held-out training images (from 55,000 on) that decide each step', '5000')
    .option('--lr <x>', 'fine-tuning learning rate (Adam)', '0.0005')
    .option('--activation-l1 <x>', 'weight of an L1 penalty on ReLU outputs while fine-tuning: sparser activations, which the chip gates and compresses (0 = off, as in the paper)', '0')
    .option('--first-step <f>', 'fraction of the remaining weights a first step removes', '0.5')
    .option('--min-step <f>', 'smallest step tried before a layer is done', '0.1')
    .option('--evaluations <n>', 'mapper budget per layer shape', '20000')
    .option('--out <dir>', 'write the pruned model (model.json, weights.bin, model.onnx) and report.json here')
    .option('--json', 'print the report as JSON')
    .action(async (o: Opts) => {
      if (o.method !== 'energy-aware' && o.method !== 'magnitude') throw new SpecError('<command line>', '--method', 'energy-aware or magnitude', o.method);
      const arch = builtinArch(o.arch);
      if (!arch) throw new SpecError('<command line>', '--arch', `a built-in architecture (${builtinArchNames.join(', ')})`, o.arch);
      const dir = SHIPPED.includes(o.model) ? join(MODELS_DIR, o.model) : o.model;
      if (!existsSync(join(dir, 'model.json'))) {
        throw new SpecError(SHIPPED.includes(o.model) ? join(dir, 'model.json') : o.model, '--model', `${SHIPPED.join(' or ')}, or a directory with model.json (dnnergy train --out)`, 'no model.json');
      }
      const maxDrop = fraction(o.maxAccuracyDrop, '--max-accuracy-drop', 0, 100);
      const margin = fraction(o.margin, '--margin', 0, maxDrop);
      const seed = wholeNumber(o.seed, '--seed', 0);
      const stepImages = wholeNumber(o.stepImages, '--step-images', 1), finalImages = wholeNumber(o.finalImages, '--final-images', 0);
      const validationImages = wholeNumber(o.validationImages, '--validation-images', 100);
      if (validationImages > 5000) throw new SpecError('<command line>', '--validation-images', 'at most 5000 (images 55,000–59,999 of the training set)', o.validationImages);
      const lr = fraction(o.lr, '--lr', 1e-7, 1), firstStep = fraction(o.firstStep, '--first-step', 0.01, 0.99), minStep = fraction(o.minStep, '--min-step', 0.001, firstStep);
      const evaluations = wholeNumber(o.evaluations, '--evaluations', 1);
      const activationL1 = fraction(o.activationL1, '--activation-l1', 0, 1);

      const [{ initTf }, { loadModel, saveModel }, { loadMnist }, { accuracy }, { networkOf, onnxValues }, { energyModel, networkEnergy }, { prune, activationDensities, densityProbe, prunedLayers }, { densities }] = await Promise.all([
        import('../train/backend.js'), import('../train/io.js'), import('../train/mnist.js'), import('../train/train.js'), import('../train/network.js'),
        import('../codesign/energy.js'), import('../codesign/prune.js'), import('../train/masks.js'),
      ]);
      const tf = await initTf();
      const model = await loadModel(tf, dir);
      // The pruning loop fine-tunes and measures on MNIST: the model must take its images and digits.
      const inShape = model.inputs[0].shape.slice(1), outShape = model.outputs[0].shape;
      if (JSON.stringify(inShape) !== '[28,28,1]') throw new SpecError(join(dir, 'model.json'), 'input shape', 'an MNIST image input [28, 28, 1]', JSON.stringify(inShape));
      if (outShape.length !== 2 || outShape[1] !== 10) throw new SpecError(join(dir, 'model.json'), 'output shape', '10 classes (MNIST digits)', JSON.stringify(outShape.slice(1)));
      const net = networkOf(model, join(dir, 'model.json'));
      const quiet = o.json || !process.stderr.isTTY || !!process.env.CI;
      const log = (s: string) => { if (!quiet) process.stderr.write(s + '\n'); };
      log(`mapping ${net.layers.filter((l) => l.kind !== 'other').length} layers of ${net.name} on ${o.arch}...`);
      const em = await energyModel(net, arch, { evaluations, seed });
      const trainSet = loadMnist('train', 0, 55000);
      const validation = loadMnist('train', 55000, validationImages);
      const test = loadMnist('test');
      const start = densities(model);
      // The same images and layers prune() measures on, so that its first step starts from this energy.
      const startActs = activationDensities(tf, model, prunedLayers(model, em), densityProbe(validation));
      const before = { energy: networkEnergy(em, start, startActs), test: await accuracy(tf, model, test) };
      const bar = quiet ? null : new SingleBar({ format: `${o.method} {bar} energy {ratio}× lower | step {step}: {layer} {verdict} (validation {acc}%)`, stream: process.stderr, hideCursor: true, barsize: 20 }, Presets.shades_classic);
      bar?.start(100, 0, { ratio: '1.00', step: 0, layer: '-', verdict: '', acc: '-' });
      const result = await prune(tf, model, em, { train: trainSet, validation }, {
        method: o.method, maxAccuracyDrop: maxDrop - margin, seed, stepImages, finalImages, learningRate: lr, activationL1, firstStep, minStep,
        onStep: (s) => bar?.update(Math.min(100, Math.round((1 - s.energy / before.energy.total) * 100)), {
          ratio: (before.energy.total / s.energy).toFixed(2), step: s.step, layer: s.layer, verdict: s.accepted ? 'kept' : 'undone', acc: (s.validationAccuracy * 100).toFixed(2),
        }),
      });
      bar?.stop();
      const after = { energy: networkEnergy(em, result.densities, result.activations), test: await accuracy(tf, model, test) };
      const allDense = em.layers.reduce((t, l) => t + l.dense.energyPJ, 0);
      const report = {
        model: o.model, network: net.name, method: o.method, arch: arch.arch.name, energy_unit: arch.energy.unit ?? 'pJ', seed, max_accuracy_drop: maxDrop, validation_margin: margin,
        settings: { step_images: stepImages, final_images: finalImages, validation_images: validationImages, learning_rate: lr, activation_l1: activationL1, first_step: firstStep, min_step: minStep },
        accuracy: {
          test_before: before.test, test_after: after.test, test_drop_points: (before.test - after.test) * 100,
          validation_before: result.validation.before, validation_after: result.validation.after,
        },
        energy: { all_dense: allDense, before: before.energy.total, after: after.energy.total, reduction: before.energy.total / after.energy.total },
        weights: { before: em.layers.reduce((s, l) => s + l.weights * (start.get(l.name) ?? 1), 0), after: em.layers.reduce((s, l) => s + l.weights * (result.densities.get(l.name) ?? 1), 0) },
        layers: em.layers.map((l, i) => ({
          name: l.name, kind: l.kind, macs: l.macs, weights: l.weights,
          density_before: start.get(l.name) ?? 1, density_after: result.densities.get(l.name) ?? 1,
          input_density_before: before.energy.layers[i].activations.inputs, input_density_after: after.energy.layers[i].activations.inputs,
          output_density_before: before.energy.layers[i].activations.outputs, output_density_after: after.energy.layers[i].activations.outputs,
          energy_all_dense: l.dense.energyPJ, energy_before: before.energy.layers[i].energy, energy_after: after.energy.layers[i].energy,
        })),
        steps: result.steps.map((s) => ({ step: s.step, layer: s.layer, fraction: s.fraction, accepted: s.accepted, validation_accuracy: s.validationAccuracy, energy: s.energy })),
      };
      const json = JSON.stringify(report, null, 2) + '\n';
      if (o.out) {
        await saveModel(tf, model, o.out);
        writeFileAtomic(join(o.out, 'model.onnx'), exportSequentialOnnx(net, 1, onnxValues(model, net)));
        writeFileAtomic(join(o.out, 'report.json'), json);
      }
      process.stdout.write(o.json ? json : formatPrune(report));
    });
}

interface ReportLike {
  network: string; method: string; arch: string; energy_unit: string;
  accuracy: { test_before: number; test_after: number; test_drop_points: number };
  energy: { all_dense: number; before: number; after: number; reduction: number };
  weights: { before: number; after: number };
  layers: { name: string; weights: number; density_before: number; density_after: number; input_density_before: number; input_density_after: number; energy_before: number; energy_after: number }[];
  steps: unknown[];
}

function formatPrune(r: ReportLike): string {
  const pct = (a: number, b: number) => `${(a * 100).toFixed(1)}% → ${(b * 100).toFixed(1)}%`;
  const rows = [['layer', 'weights', 'weight density', 'input density', 'energy before', 'energy after', 'lower by']];
  for (const l of r.layers) {
    rows.push([l.name, String(l.weights), pct(l.density_before, l.density_after), pct(l.input_density_before, l.input_density_after), l.energy_before.toExponential(3), l.energy_after.toExponential(3), `${(l.energy_before / l.energy_after).toFixed(2)}×`]);
  }
  rows.push(['total', `${Math.round(r.weights.before)} → ${Math.round(r.weights.after)}`, '', '', r.energy.before.toExponential(3), r.energy.after.toExponential(3), `${r.energy.reduction.toFixed(2)}×`]);
  const w = rows[0].map((_, c) => Math.max(...rows.map((x) => x[c].length)));
  const unit = r.energy_unit === 'MAC' ? 'MAC-equivalents' : 'pJ';
  return [
    `${r.network}, ${r.method} pruning on ${r.arch} (${r.steps.length} steps): energy ${r.energy.reduction.toFixed(2)}× lower, test accuracy ${(r.accuracy.test_before * 100).toFixed(2)}% → ${(r.accuracy.test_after * 100).toFixed(2)}% (${r.accuracy.test_drop_points >= 0 ? '−' : '+'}${Math.abs(r.accuracy.test_drop_points).toFixed(2)} points); energy in ${unit} per image`,
    `energy before counts the trained network's own zero activations (gated, RLC-coded off-chip); with nothing sparse it would be ${r.energy.all_dense.toExponential(3)} (${(r.energy.all_dense / r.energy.after).toFixed(2)}× the pruned energy)`,
    '',
    ...rows.map((x) => x.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')),
    '',
  ].join('\n');
}
