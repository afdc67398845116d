// dnnergy as a library: map one AlexNet layer onto the built-in Eyeriss and
// evaluate a Timeloop-style layer given as text. Run: node examples/library.mjs
import { readFileSync } from 'node:fs';
import { builtinArch, documentsFromText, evaluate, layerWorkload, loadModelInputs, mapLayer, zooNetwork } from 'dnnergy';

const eyeriss = builtinArch('eyeriss');
const conv3 = zooNetwork('alexnet').layers.find((l) => l.name === 'conv3');
const w = layerWorkload(conv3, 1);
const m = await mapLayer(w, eyeriss.arch, eyeriss.energy, eyeriss.constraints(w), { objective: 'energy', seed: 1, evaluations: 20000, baseline: true });
console.log(`alexnet conv3 on eyeriss: ${(m.result.energyPJ / m.result.computes).toFixed(3)} MAC-eq/MAC, ${m.result.cycles} cycles; ` +
  `within ${m.gap.toFixed(2)}× of the lower bound; random search with the same budget: ${m.baseline.ratio.toFixed(2)}× worse`);

const text = readFileSync(new URL('./eyeriss_like_vgg_conv.yaml', import.meta.url), 'utf8');
const inp = loadModelInputs(documentsFromText([{ name: 'eyeriss_like_vgg_conv.yaml', text }]));
const r = evaluate(inp.workload, inp.arch, inp.mapping, inp.energy);
console.log(`${inp.workload.name} on ${inp.arch.name}: ${(r.energyPJ / 1e6).toFixed(3)} uJ, ${r.cycles} cycles`);
