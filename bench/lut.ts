/**
 * NetAdapt's model look-up table in a fresh process (`npm run bench` runs it
 * as a child per metric, bundled; alone: `npx tsx bench/lut.ts
 * [energy|latency] [evaluations] [report.json]`). It asks the table for what a run asks:
 * NetAdapt's schedule on the shipped MobileNet-style network (reduction 0.05
 * of the original, decay 0.96, granularity 4, to 0.3), every layer's
 * proposal at every iteration, and the chosen proposal either a seeded pick
 * (standing in for accuracy) or, given a run's report.json, the one that run
 * chose. Prints the CPU time per entry of the first table (the process
 * cold: V8 compiles the model while it runs) and of the same table built
 * again (warm), with the load average.
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { propose, shrinkableLayers } from '../src/codesign/netadapt.js';
import { costTable, modelSource, type CostTable, type LayerCostSource, type TableStats } from '../src/codesign/netadapt-lut.js';
import { resolveDesign } from '../src/designs/resolve.js';
import { loadArchitecture } from '../src/io/inputs.js';
import { shapeKey, type Network } from '../src/network/network.js';
import { initTf } from '../src/train/backend.js';
import { loadModel } from '../src/train/io.js';
import { networkOf } from '../src/train/network.js';
import { Rng } from '../src/util/rng.js';

const metric = (process.argv[2] ?? 'energy') as 'energy' | 'latency';
const evaluations = Number(process.argv[3] ?? 1000);
const follow = process.argv[4] ? (JSON.parse(readFileSync(process.argv[4], 'utf8')) as { iterations: { chosen: { layer: string; to: number } }[] }).iterations : undefined;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const design = resolveDesign('eyeriss', undefined, loadArchitecture);
const tf = await initTf();
const net0 = networkOf(await loadModel(tf, 'models/mobilenet'));
const layers = shrinkableLayers(net0);

async function walk(t: CostTable): Promise<number> {
  const rng = new Rng(7);
  const original = (await t.cost(net0)).total;
  let net: Network = net0, cost = original, reduction = 0.05 * original, it = 0;
  for (; it < 40 && cost > 0.3 * original; it++, reduction *= 0.96) {
    const budget = Math.max(cost - reduction, 0.3 * original);
    const found: { layer: string; channels: number; net: Network; cost: number }[] = [];
    for (const l of layers) { const p = await propose(net, l, budget, t, 4); if (p) found.push({ layer: l, ...p }); }
    if (follow && it >= follow.length) break;
    const pick = follow ? found.find((p) => p.layer === follow[it].chosen.layer && p.channels === follow[it].chosen.to) : found[rng.int(found.length)];
    if (!pick) break;
    net = pick.net; cost = pick.cost;
  }
  return it;
}

const load0 = loadavg()[0];
// The original network's shapes get the full searches; their share of the CPU time is printed apart.
const anchorShapes = new Set(net0.layers.filter((l) => l.kind === 'conv' || l.kind === 'fc').map((l) => shapeKey(l)));
const run = async (): Promise<TableStats & { searches: object; anchorMs: number }> => {
  const source = modelSource(design, { metric, evaluations, seed: 1, platform: 'eyeriss', anchors: net0.layers });
  let anchorMs = 0;
  const timed: LayerCostSource = { ...source, layerCost: async (l) => {
    if (!anchorShapes.has(shapeKey(l))) return source.layerCost(l);
    const c0 = cpu();
    const v = await source.layerCost(l);
    anchorMs += cpu() - c0;
    return v;
  } };
  const t = costTable(timed, { cpu });
  await walk(t);
  return { ...t.stats(), searches: source.searches(), anchorMs };
};
const cold = await run();
const warm = await run();
const ms = (s: TableStats & { anchorMs: number }) => `${s.cpuMsPerEntry!.toFixed(2)} ms (${s.cpuMsTotal!.toFixed(0)} ms, ${s.anchorMs.toFixed(0)} of them in the ${anchorShapes.size} full searches)`;
console.log(`NetAdapt look-up table, ${metric}:eyeriss, mobilenet${follow ? ` (${process.argv[4]}'s choices)` : ''}, ${evaluations} evaluations per anchor: ${cold.entries} entries, CPU per entry fresh process ${ms(cold)}, built again ${ms(warm)}; load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; ${JSON.stringify(cold.searches)}`);
if (warm.entries !== cold.entries) console.log('unexpected: the two tables differ');
