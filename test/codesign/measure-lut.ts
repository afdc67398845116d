/**
 * What the fast look-up table costs and loses (not a test: `npx tsx
 * test/codesign/measure-lut.ts [evaluations] [variant evaluations] [reference evaluations] [arch] [energy|latency]`).
 * It walks NetAdapt's schedule on the shipped MobileNet-style network (budget
 * reduction 0.05 of the original, decay 0.96, granularity 4, to 0.3 of the
 * cost) with a seeded choice among the proposals standing in for accuracy,
 * so the table is asked for the variants a run asks for. Each entry is made
 * twice: by the table (full search for the original network's shapes, short
 * warm-started searches for the variants) and by a full search of its own
 * (the table before, with `reference evaluations`, default the same
 * budget), each timed in CPU time. Prints ms per entry for both
 * and the cost ratio (table / full search) per entry and per network walked.
 */
import { cpus, loadavg } from 'node:os';
import { propose } from '../../src/codesign/netadapt.js';
import { shrinkableLayers } from '../../src/codesign/netadapt-channels.js';
import { costTable, modelSource, type CostTable, type LayerCostSource } from '../../src/codesign/netadapt-lut.js';
import { resolveDesign } from '../../src/designs/resolve.js';
import { loadArchitecture } from '../../src/io/inputs.js';
import { layerMacs, shapeKey, type ConvLayer, type FcLayer, type Network } from '../../src/network/network.js';
import { familyKey } from '../../src/codesign/netadapt-mapping.js';
import { initTf } from '../../src/train/backend.js';
import { loadModel } from '../../src/train/io.js';
import { networkOf } from '../../src/train/network.js';
import { Rng } from '../../src/util/rng.js';

const evaluations = Number(process.argv[2] ?? 2000);
const variantEvaluations = Number(process.argv[3] ?? 32);
const reference = Number(process.argv[4] ?? evaluations);
const arch = process.argv[5] ?? 'eyeriss';
const metric = (process.argv[6] ?? 'energy') as 'energy' | 'latency';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const design = resolveDesign(arch, undefined, loadArchitecture);
const tf = await initTf();
const net0 = networkOf(await loadModel(tf, 'models/mobilenet'));
const load0 = loadavg()[0];

// ANCHORS=family: only the layer with the most MACs of each family is searched in full (the others re-fitted from it).
const anchors = process.env.ANCHORS !== 'family' ? net0.layers : [...new Map(net0.layers.filter((l): l is ConvLayer | FcLayer => l.kind === 'conv' || l.kind === 'fc')
  .sort((a, b) => layerMacs(b) - layerMacs(a)).reverse().map((l) => [familyKey(l), l])).values()];
const asked: (ConvLayer | FcLayer)[] = [];
const fast = modelSource(design, { metric, evaluations, seed: 1, platform: arch, anchors, variantEvaluations });
const recording: LayerCostSource = { ...fast, layerCost: (l) => { asked.push(l); return fast.layerCost(l); } };
const table = costTable(recording, { cpu });

// NetAdapt's walk, a seeded pick standing in for the most accurate proposal.
const layers = shrinkableLayers(net0);
async function walk(t: CostTable): Promise<{ walked: Network[]; ratio: number }> {
  const rng = new Rng(7);
  const original = (await t.cost(net0)).total;
  const walked: Network[] = [net0];
  let net = net0, cost = original, reduction = 0.05 * original;
  for (let it = 0; it < 40 && cost > 0.3 * original; it++, reduction *= 0.96) {
    const budget = Math.max(cost - reduction, 0.3 * original);
    const found = [];
    for (const l of layers) { const p = await propose(net, l, budget, t, 4); if (p) found.push(p); }
    if (found.length === 0) break;
    const p = found[rng.int(found.length)];
    net = p.net; cost = p.cost;
    walked.push(net);
  }
  return { walked, ratio: cost / original };
}
const { walked, ratio } = await walk(table);
const s = table.stats();
const searches = fast.searches();
// The same walk on a fresh table in this process, now that the evaluator is compiled (the steady state).
const again = costTable(modelSource(design, { metric, evaluations, seed: 1, platform: arch, anchors, variantEvaluations }), { cpu });
await walk(again);
const sAgain = again.stats();

// The same entries, each by a full search of its own.
const alone = costTable(modelSource(design, { metric, evaluations: reference, seed: 1, platform: arch }), { cpu });
const ratios: number[] = [];
for (const l of asked) {
  const a = (await alone.cost({ name: 'one', input: [0, 0, 0], inputTensor: '', layers: [l], tensors: new Map(), edges: [{ inputs: [], output: l.name }] })).total;
  ratios.push((await fast.layerCost(l)) / a);
}
const sAlone = alone.stats();
const nets = [];
for (const n of walked) nets.push((await table.cost(n)).total / (await alone.cost(n)).total);
const sorted = [...ratios].sort((a, b) => a - b);
const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
console.log(`anchors: ${anchors.map((l) => l.name).join(', ')}`);
console.log(`${metric} on ${arch}, mobilenet, full search ${evaluations} evaluations, variant search ${variantEvaluations}, reference full search ${reference}; load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`);
console.log(`table: ${s.entries} entries (${searches.fullSearches} full searches, ${searches.variantSearches} variant searches, ${searches.fallbacks} fell back), ${s.cpuMsPerEntry!.toFixed(3)} ms CPU per entry (${s.cpuMsTotal!.toFixed(0)} ms), ${s.msPerEntry.toFixed(3)} ms wall`);
console.log(`the same table again in this process (evaluator compiled): ${sAgain.entries} entries, ${sAgain.cpuMsPerEntry!.toFixed(3)} ms CPU per entry (${sAgain.cpuMsTotal!.toFixed(0)} ms)`);
console.log(`full search per entry: ${sAlone.entries} entries, ${sAlone.cpuMsPerEntry!.toFixed(3)} ms CPU per entry (${sAlone.cpuMsTotal!.toFixed(0)} ms), ${sAlone.msPerEntry.toFixed(3)} ms wall`);
console.log(`cost ratio table / full search, per entry: mean ${mean.toFixed(4)}, min ${sorted[0].toFixed(4)}, median ${q(0.5).toFixed(4)}, p90 ${q(0.9).toFixed(4)}, max ${sorted[sorted.length - 1].toFixed(4)}; entries more than 5% dearer: ${ratios.filter((r) => r > 1.05).length}, cheaper: ${ratios.filter((r) => r < 1).length}`);
const worst = ratios.map((r, i) => ({ r, key: shapeKey(asked[i]) })).sort((a, b) => b.r - a.r).slice(0, 5);
console.log(`dearest entries: ${worst.map((x) => `${x.key} ${x.r.toFixed(3)}`).join('; ')}`);
console.log(`per network of the walk (${nets.length}, ${ratio.toFixed(3)} of the original at the end): ratio min ${Math.min(...nets).toFixed(4)}, max ${Math.max(...nets).toFixed(4)}`);
