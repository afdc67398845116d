/**
 * The densities of examples/mobilenet-sparse-densities.json, measured:
 * the project's trained MobileNet-style network (models/mobilenet,
 * Fashion-MNIST, 82.2% test accuracy) with its pointwise and dense kernels
 * magnitude-pruned to 50% per layer (KEEP=<fraction> to change) (no fine-tuning; depthwise and the
 * first conv kept dense), activation densities (non-zero fraction of every
 * layer's input) measured on 1,000 Fashion-MNIST test images, then carried
 * over to the zoo's mobilenet_v1 by relative depth (block k of 13 takes the
 * small network's block ⌈4k/13⌉). `npx tsx examples/measure-mobilenet-densities.mts`.
 */
import { initTf } from '../src/train/backend.js';
import { loadModel } from '../src/train/io.js';
import { fashionMnist } from '../src/train/datasets.js';
import { activationDensities } from '../src/codesign/prune.js';
import { prunableLayers } from '../src/train/masks.js';

const KEEP = Number(process.env.KEEP ?? 0.5);
const tf = await initTf();
const model = await loadModel(tf, 'models/mobilenet');
const test = fashionMnist().load('test', 0, 1000);
const x = tf.tensor4d(test.images, [test.count, ...test.shape]);
const accuracy = () => {
  const p = (model.predict(x) as import('@tensorflow/tfjs').Tensor).argMax(-1).dataSync();
  let ok = 0;
  for (let i = 0; i < test.count; i++) if (p[i] === test.labels[i]) ok++;
  return ok / test.count;
};
const before = accuracy();
const layers = prunableLayers(model);
const weightDensity = new Map<string, number>();
for (const l of layers) {
  const prune = l.getClassName() === 'Dense' || (l.getClassName() === 'Conv2D' && l.name.startsWith('pw'));
  const [k, ...rest] = l.getWeights();
  const w = k.dataSync() as Float32Array;
  if (prune) {
    const t = [...w].map(Math.abs).sort((a, b) => a - b)[Math.floor(w.length * (1 - KEEP))];
    const m = Float32Array.from(w, (v) => (Math.abs(v) >= t ? v : 0));
    l.setWeights([tf.tensor(m, k.shape), ...rest]);
  }
  const now = l.getWeights()[0].dataSync();
  weightDensity.set(l.name, now.filter((v) => v !== 0).length / now.length);
}
const after = accuracy();
const act = activationDensities(tf, model, layers, test);
const small = layers.map((l) => ({ name: l.name, weights: weightDensity.get(l.name)!, inputs: act.get(l.name)!.inputs, outputs: act.get(l.name)!.outputs }));
console.error(`test accuracy (1,000 images): ${(before * 100).toFixed(1)}% dense → ${(after * 100).toFixed(1)}% with pointwise and dense kernels at ${KEEP * 100}%`);
for (const s of small) console.error(`${s.name}: weights ${s.weights.toFixed(3)} inputs ${s.inputs.toFixed(3)} outputs ${s.outputs.toFixed(3)}`);
const r = (x: number) => Math.round(x * 1000) / 1000;
const get = (n: string) => small.find((s) => s.name === n)!;
const out: Record<string, unknown> = {};
// The first layer reads the camera image: dense (ImageNet's RGB has no zeros; Fashion-MNIST's black background would).
out.conv0 = { weights: r(get('conv0').weights), inputs: 1, outputs: r(get('dw1').inputs) };
for (let k = 1; k <= 13; k++) {
  const b = Math.ceil((4 * k) / 13);
  out[`conv${k}_dw`] = { weights: r(get(`dw${b}`).weights), inputs: r(get(`dw${b}`).inputs), outputs: r(get(`pw${b}`).inputs) };
  out[`conv${k}_pw`] = { weights: r(get(`pw${b}`).weights), inputs: r(get(`pw${b}`).inputs), outputs: r(k < 13 ? get(`dw${Math.ceil((4 * (k + 1)) / 13)}`).inputs : get('fc').inputs) };
}
out.fc = { weights: r(get('fc').weights), inputs: r(get('fc').inputs) };
process.stdout.write('{\n' + Object.entries(out).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n') + '\n}\n');
