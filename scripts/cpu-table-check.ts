// Does the latency:cpu table predict whole networks? Builds networks from a
// trained model's graph (default models/mobilenet) at width multipliers
// 1.0 … 0.25 and at seeded random per-layer widths (multiples of 4; seeded
// weights: latency does not depend on their values), times every table entry
// they need (codesign/netadapt-cpu.ts: slopes of k-copy models, all entries
// interleaved), then the whole networks interleaved, and prints each one's
// table sum, measured whole (lowest and median of the rounds) and the error.
//   npx tsx scripts/cpu-table-check.ts [model dir] [random networks]
//   env: WARMUP (20), RUNS (5), ROUNDS (60), SPAN_MS (20000: each timing's rounds spread over at least this)
import { loadavg } from 'node:os';
import { cpuSource } from '../src/codesign/netadapt-cpu.js';
import { shrinkableLayers } from '../src/codesign/netadapt-channels.js';
import { channelsOf } from '../src/codesign/netadapt.js';
import { costTable } from '../src/codesign/netadapt-lut.js';
import { shrink } from '../src/network/graph.js';
import type { Network } from '../src/network/network.js';
import type { LayerValues } from '../src/network/onnx/export.js';
import { timeInterleaved } from '../src/io/ort.js';
import { initTf } from '../src/train/backend.js';
import { loadModel } from '../src/train/io.js';
import { networkOf } from '../src/train/network.js';
import { Rng } from '../src/util/rng.js';

const dir = process.argv[2] ?? 'models/mobilenet';
const randomNets = Number(process.argv[3] ?? 3);
const env = (k: string, d: number) => Number(process.env[k] ?? d);
const timing = { warmup: env('WARMUP', 20), runs: env('RUNS', 5), rounds: env('ROUNDS', 60), spanMs: env('SPAN_MS', 20000) };
const tf = await initTf();
const net0 = networkOf(await loadModel(tf, dir));
const layers = shrinkableLayers(net0);
const full = layers.map((l) => channelsOf(net0, l));

const withWidths = (w: readonly number[]): Network => layers.reduce((n, l, i) => (w[i] === full[i] ? n : shrink(n, l, w[i])), net0);
const nets: { name: string; widths: number[] }[] = [];
for (const a of [1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25]) nets.push({ name: `α ${a}`, widths: full.map((c) => Math.max(4, Math.round((c * a) / 4) * 4)) });
const rng = new Rng(15);
for (let r = 0; r < randomNets; r++) nets.push({ name: `random ${r + 1}`, widths: full.map((c) => 4 * (1 + rng.int(c / 4))) });

// Seeded weights, a ReLU after every convolution, softmax after the classifier: the trained model's activations.
const valuesOf = (n: Network): Map<string, LayerValues> => {
  const rngW = new Rng(7);
  const seeded = (k: number) => Float32Array.from({ length: k }, () => (rngW.next() - 0.5) * 0.2);
  const v = new Map<string, LayerValues>();
  for (const l of n.layers) {
    if (l.kind === 'conv') v.set(l.name, { weight: seeded((l.outC * l.inC * l.kH * l.kW) / l.groups), bias: seeded(l.outC), activation: 'relu' });
    else if (l.kind === 'fc') v.set(l.name, { weight: seeded(l.inFeatures * l.outFeatures), bias: seeded(l.outFeatures), activation: 'softmax' });
  }
  return v;
};

const built = nets.map((n) => ({ ...n, net: withWidths(n.widths) }));
const load0 = loadavg();
const t0 = performance.now();
const source = await cpuSource((cases) => timeInterleaved(cases, timing));
await source.prime(built.map((b) => b.net));
const tTable = performance.now();
const table = costTable(source);
const sums = await Promise.all(built.map(async (b) => (await table.cost(b.net)).total));
const loadMid = loadavg();
const measured = await source.measureAll(built.map((b) => ({ net: b.net, values: valuesOf(b.net) })));
const load1 = loadavg();

console.log(`| network | widths (${layers.join(', ')}) | table sum (ms) | measured whole (ms): lowest / median of ${timing.rounds} rounds | error vs lowest (as the entries) | error vs median |`);
console.log('|---|---|---|---|---|---|');
const errs: number[] = [];
for (const [i, b] of built.entries()) {
  const m = measured[i], e = sums[i] / m.medianMs - 1, em = sums[i] / m.medianOfRoundsMs! - 1;
  errs.push(e);
  console.log(`| ${b.name} | ${b.widths.join(', ')} | ${sums[i].toFixed(4)} | ${m.medianMs.toFixed(4)} / ${m.medianOfRoundsMs!.toFixed(4)} | ${(e * 100).toFixed(1)}% | ${(em * 100).toFixed(1)}% |`);
}
const abs = errs.map(Math.abs);
const fits = source.timed.map((t) => t.fitError).sort((a, b) => a - b);
console.log(`\n${built.length} networks: |error| ≤ 10% for ${abs.filter((e) => e <= 0.1).length}, mean |error| ${((abs.reduce((a, b) => a + b, 0) / abs.length) * 100).toFixed(1)}%, worst ${(Math.max(...abs) * 100).toFixed(1)}%`);
console.log(`table: ${source.timed.length} entries in ${((tTable - t0) / 1000).toFixed(1)} s (${timing.rounds} rounds × ${timing.runs} runs, warm-up ${timing.warmup}; copies 1–4 per entry), call overhead ${source.overheadMs.toFixed(4)} ms, graph output ${(source.outputMs * 1000).toFixed(2)} µs per copy; fit error (RMS/slope) median ${(fits[fits.length >> 1] * 100).toFixed(1)}%, worst ${(fits[fits.length - 1] * 100).toFixed(1)}%; re-timed ${source.timed.filter((t) => t.retimes > 0).length}`);
console.log(`load average (1/5/15 min): start ${load0.map((x) => x.toFixed(2)).join('/')}, after table ${loadMid.map((x) => x.toFixed(2)).join('/')}, end ${load1.map((x) => x.toFixed(2)).join('/')}; ${new Date().toISOString()}`);
