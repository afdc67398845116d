// Every adapted model on every platform, measured in one process: the model's
// energy on Eyeriss (the look-up table's sum, exact for the model), and the
// whole network's CPU latency (onnxruntime, interleaved: A, B, C, A, B, C, ...
// so that other load hits every model alike; the lowest round's median, the
// estimator the table's entries use), against the CPU table's sum (entries:
// codesign/netadapt-cpu.ts, all of them timed interleaved first).
//   npx tsx scripts/netadapt-platforms.ts <model dir> ...
//   env: REPEATS (rounds, 60), RUNS (5), SPAN_MS (20000), as scripts/cpu-table-check.ts
import { builtinArch } from '../src/designs/builtin.js';
import { cpuSource } from '../src/codesign/netadapt-cpu.js';
import { costTable, modelSource } from '../src/codesign/netadapt-lut.js';
import { timeInterleaved } from '../src/io/ort.js';
import { initTf } from '../src/train/backend.js';
import { loadModel } from '../src/train/io.js';
import { networkOf, onnxValues } from '../src/train/network.js';

const dirs = process.argv.slice(2);
const repeats = Number(process.env.REPEATS ?? 60);
const timing = { warmup: 20, runs: Number(process.env.RUNS ?? 5), rounds: repeats, spanMs: Number(process.env.SPAN_MS ?? 20000) };
const tf = await initTf();
const eyeriss = builtinArch('eyeriss')!;
const energy = costTable(modelSource(eyeriss, { metric: 'energy', evaluations: 1000, seed: 1, platform: 'eyeriss' }));
const cpu = await cpuSource((cases) => timeInterleaved(cases, timing));
const table = costTable(cpu);
const models = await Promise.all(dirs.map(async (d) => {
  const model = await loadModel(tf, d);
  const net = networkOf(model);
  return { dir: d, net, values: onnxValues(model, net) };
}));
await cpu.prime(models.map((m) => m.net));
const measured = await cpu.measureAll(models.map((m) => ({ net: m.net, values: m.values })));
console.log(`| model | channels | Eyeriss energy (MAC-eq.) | CPU table (ms) | CPU measured (ms): lowest / median of ${repeats} rounds | table error (vs lowest, as the table's entries) |`);
console.log('|---|---|---|---|---|---|');
for (const [i, m] of models.entries()) {
  const e = (await energy.cost(m.net)).total, t = (await table.cost(m.net)).total, ms = measured[i].medianMs, med = measured[i].medianOfRoundsMs!;
  const ch = m.net.layers.filter((l) => l.kind === 'conv' && l.groups === 1).map((l) => (l.kind === 'conv' ? l.outC : 0)).join(', ');
  console.log(`| ${m.dir} | ${ch} | ${e.toExponential(4)} | ${t.toFixed(4)} | ${ms.toFixed(4)} / ${med.toFixed(4)} | ${((t / ms - 1) * 100).toFixed(1)}% |`);
}
console.log(`CPU table: ${table.stats().entries} entries, ${table.stats().msPerEntry.toFixed(1)} ms per entry, call overhead ${cpu.overheadMs.toFixed(4)} ms; Eyeriss table: ${energy.stats().entries} entries, ${energy.stats().msPerEntry.toFixed(1)} ms per entry`);
