/**
 * `npm run study:dram-compression`: Sparseloop's Eyeriss DRAM-compression
 * study (src/studies/dram-compression.ts) on AlexNet CONV1–5 with the
 * activation densities of examples/alexnet-jssc17-densities.json, as a table
 * (or `--json`).
 */
import { readFileSync } from 'node:fs';
import { builtinArch } from '../src/designs/builtin.js';
import { zooNetwork } from '../src/network/zoo.js';
import { dramCompressionStudy, type ActivationDensities } from '../src/studies/dram-compression.js';

const densFile = new URL('../examples/alexnet-jssc17-densities.json', import.meta.url);
const densities = JSON.parse(readFileSync(densFile, 'utf8')) as ActivationDensities;
const design = builtinArch('eyeriss')!;
const rows = await dramCompressionStudy(zooNetwork('alexnet')!, { ...design, name: 'eyeriss', warnings: [] }, densities, ['conv1', 'conv2', 'conv3', 'conv4', 'conv5'], { evaluations: 5000, seed: 1 });
if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    '| layer | ifmap density | ofmap density | DRAM activation words, uncompressed | RLC payload | RLC runs (5-bit, in 16-bit words) | compression | DRAM energy (all tensors) uncompressed → RLC, runs priced as data words (MAC-eq) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.layer} | ${r.inputDensity} | ${r.outputDensity} | ${f(r.denseWords)} | ${f(r.payloadWords)} | ${f(r.metadataWords)} | ${r.ratio.toFixed(2)}× | ${r.denseDramPJ.toExponential(3)} → ${r.compressedDramPJ.toExponential(3)} (${(r.denseDramPJ / r.compressedDramPJ).toFixed(2)}×) |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
