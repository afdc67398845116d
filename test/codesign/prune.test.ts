/** Pruning end to end on a small LeNet-5: the CLI, its outputs, and the ONNX file analyze reads. */
import { cpSync, mkdtempSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/network/onnx/import.js';
import { initTf } from '../../src/train/backend.js';
import { saveModel } from '../../src/train/io.js';
import { OutputSet } from '../../src/io/files.js';
import { loadMnist } from '../../src/train/mnist.js';
import { runCli } from '../helpers/cli.js';

describe('dnnergy prune', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnnergy-prune-'));
  const base = join(dir, 'lenet');

  it('prunes a trained LeNet-5 energy-aware: lower energy, accuracy measured on the test set, files analyze can read', async () => {
    const t = await runCli(['train', '--model', 'lenet5', '--epochs', '1', '--subset', '3000', '--out', base, '--json']);
    expect(t.code).toBe(0);
    const out = join(dir, 'pruned');
    const args = ['prune', '--model', base, '--method', 'energy-aware', '--max-accuracy-drop', '2', '--margin', '0', '--step-images', '200', '--validation-images', '300',
      '--final-images', '0', '--evaluations', '500', '--min-step', '0.2', '--seed', '3', '--out', out, '--json'];
    const r = await runCli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.method).toBe('energy-aware');
    expect(j.energy.after).toBeLessThan(j.energy.before);
    expect(j.energy.reduction).toBeCloseTo(j.energy.before / j.energy.after, 12);
    // Every kept step respected the validation budget.
    for (const s of j.steps) if (s.accepted) expect(s.validation_accuracy).toBeGreaterThanOrEqual(j.accuracy.validation_before - 0.02 - 1e-12);
    // Energy-aware keeps a step only if the energy, with the activations re-measured, fell.
    let e = j.energy.before;
    for (const s of j.steps) {
      if (s.accepted) expect(s.energy).toBeLessThan(e);
      else expect(s.energy).toBeCloseTo(e, 3);
      e = s.energy;
    }
    expect(j.accuracy.test_after).toBeGreaterThan(0.5);
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
    expect(j.layers.some((l: { density_after: number }) => l.density_after < 1)).toBe(true);
    // Activation densities are measured: conv1 reads the images themselves, so its input density is
    // the fraction of non-zero pixels in the probe images (the first 300 held-out ones here).
    const probe = loadMnist('train', 55000, 300);
    const nz = probe.images.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0) / probe.images.length;
    expect(j.layers[0].input_density_before).toBeCloseTo(nz, 6);
    for (const l of j.layers) for (const k of ['input_density_after', 'output_density_after']) expect(l[k]).toBeGreaterThan(0), expect(l[k]).toBeLessThanOrEqual(1);
    // The all-dense energy is above the trained network's (its ReLU zeros are gated and compressed).
    expect(j.energy.all_dense).toBeGreaterThan(j.energy.before);
    // The ONNX file carries the pruned weights: its densities are the report's.
    const net = importOnnx(new Uint8Array(readFileSync(join(out, 'model.onnx'))), 'model.onnx');
    const withWeights = net.layers.filter((l) => l.kind !== 'other');
    expect(withWeights.map((l) => l.name)).toEqual(j.layers.map((l: { name: string }) => l.name));
    withWeights.forEach((l, i) => expect((l as { weightDensity?: number }).weightDensity).toBeCloseTo(j.layers[i].density_after, 10));
    const a = await runCli(['analyze', join(out, 'model.onnx'), '--arch', 'eyeriss', '--evaluations', '500', '--json']);
    expect(a.code).toBe(0);
    const aj = JSON.parse(a.stdout);
    const pruned = aj.layers.filter((l: { weight_density?: number }) => l.weight_density !== undefined && l.weight_density < 1);
    expect(pruned.length).toBeGreaterThan(0);
    for (const l of pruned) expect(l.energy).toBeLessThan(l.dense_energy);
  }, 300_000);

  it('bad inputs: one line naming the flag, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['prune', '--model', join(dir, 'nowhere')], /--model: expected lenet5 or cnn, or a directory with model\.json/],
      [['prune', '--model', base, '--arch', 'tpu9'], /--arch: expected a built-in architecture/],
      [['prune', '--model', base, '--method', 'random'], /--method: expected energy-aware or magnitude, found random/],
      [['prune', '--model', base, '--max-accuracy-drop', '-1'], /--max-accuracy-drop: expected a number from 0 to 100, found -1/],
      [['prune', '--model', base, '--activation-l1', 'lots'], /--activation-l1: expected a number from 0 to 1, found lots/],
      [['prune', '--model', base, '--activations', 'median'], /--activations: expected average or actual, found median/],
      [['prune', '--model', base, '--activations', 'actual', '--activation-images', '5000'], /--activation-images: expected at most 1000/],
    ];
    // A model that is not an MNIST classifier, and one whose weights file is cut short.
    const tf = await initTf();
    const wrong = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 10 })] });
    await OutputSet.run((out) => saveModel(tf, wrong, join(dir, 'cifar'), out));
    cases.push([['prune', '--model', join(dir, 'cifar')], /cifar\/model\.json: input shape: expected an MNIST image input \[28, 28, 1\], found \[32,32,3\]/]);
    cpSync(base, join(dir, 'cut'), { recursive: true });
    truncateSync(join(dir, 'cut', 'weights.bin'), 1000);
    cases.push([['prune', '--model', join(dir, 'cut')], /cut\/weights\.bin: expected \d+ bytes \(the weights model\.json's weightsManifest lists\), found 1000 bytes/]);
    for (const [args, msg] of cases) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);
});
