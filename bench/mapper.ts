/**
 * Mapper benchmarks (part of `npm run bench`):
 * - mappings evaluated per second, 1 and 2 threads, on the VGG-16 layer of
 *   v4-tl-06 (Eyeriss-like) under that case's constraints;
 * - time and evaluations to reach the reference mapping's energy there;
 * - every dense mapper case of the Timeloop reference set: found objective
 *   against the reference mapping's (both evaluated by dnnergy's model),
 *   time, evaluations, gap to the lower bound, and what the random-sampling
 *   baseline finds in the same budget and seed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadInputs } from '../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../src/interop/timeloop/constraints.js';
import { lowerBound } from '../src/mapper/bound.js';
import { runMapper } from '../src/mapper/run.js';
import { score, search, type Objective } from '../src/mapper/search.js';
import { MapSpace } from '../src/mapper/space.js';
import { planEnergy } from '../src/model/cost.js';
import { evaluate } from '../src/model/model.js';
import { caseInputs, isDense, loadRefs, REFERENCE_DIR } from '../test/helpers/reference.js';

function setup(name: string) {
  const r = loadRefs().find((x) => x.name === name)!;
  const { inputs, ert } = caseInputs(r);
  const convention = r.snapshot === 'v4' ? 'v4' : 'v3';
  const inp = loadInputs(inputs, ert);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const plan = planEnergy(inp.arch, inp.energy!, convention);
  // Timeloop's default metric is EDP.
  const objective: Objective = objectiveFrom(inp.sections) ?? 'edp';
  const ref = evaluate(inp.workload, inp.arch, inp.mapping!, inp.energy!, { convention });
  return { r, inp, constraints, plan, objective, ref, convention: convention as 'v4' | 'v3' };
}

export async function mapperBench(budget = 60000): Promise<void> {
  if (!existsSync(join(REFERENCE_DIR, 'refs.json'))) { console.log('reference cases not found; mapper bench skipped'); return; }
  const vgg = setup('v4-tl-06-mapper-eyeriss-vgg02-layer5');
  for (const threads of [1, 2]) {
    const t0 = performance.now();
    const run = await runMapper(vgg.inp.workload, vgg.inp.arch, vgg.constraints, vgg.plan, { objective: 'energy', seed: 1, threads, evaluations: 200000, analysis: { convention: 'v4' } });
    const s = (performance.now() - t0) / 1000;
    console.log(`mapper on the v4-tl-06 VGG layer, ${threads} thread(s): ${Math.round(run.stats.evaluated / s).toLocaleString('en-US')} mappings/s (${run.stats.evaluated.toLocaleString('en-US')} in ${s.toFixed(2)} s, ${run.stats.pruned.toLocaleString('en-US')} pruned)`);
  }
  // Time to reach the reference mapping's quality under the case's own
  // objective (delay, then energy): its cycles and its energy, both.
  const space = new MapSpace(vgg.inp.workload, vgg.inp.arch, vgg.constraints);
  const times: number[] = [];
  const evals: number[] = [];
  const target = (e: number, c: number) => c <= vgg.ref.cycles && e <= vgg.ref.energyPJ;
  for (let seed = 1; seed <= 5; seed++) {
    const res = search(vgg.inp.workload, vgg.inp.arch, space, vgg.plan, { objective: 'delay', seed, evaluations: 2_000_000, stopWhen: target });
    times.push(res.stats.timeMs);
    evals.push(target(res.energyPJ, res.cycles) ? res.stats.evaluated : NaN);
  }
  console.log(`time to reach the reference mapping (${vgg.ref.cycles.toLocaleString('en-US')} cycles, ${(vgg.ref.energyPJ / 1e6).toFixed(1)} uJ) on v4-tl-06, objective delay then energy, 5 seeds: ${times.map((t) => (t / 1000).toFixed(3) + ' s').join(', ')} (${evals.map((e) => e.toLocaleString('en-US')).join(', ')} evaluations)`);
  // And how far the search gets below it in the same budget as Timeloop's run would take one second for.
  const deep = search(vgg.inp.workload, vgg.inp.arch, space, vgg.plan, { objective: 'energy', seed: 1, evaluations: 200000 });
  console.log(`best energy on v4-tl-06 in 200,000 evaluations (${(deep.stats.timeMs / 1000).toFixed(2)} s): ${(deep.energyPJ / 1e6).toFixed(1)} uJ = ${(deep.energyPJ / vgg.ref.energyPJ).toFixed(3)} × the reference mapping's; lower bound ${(lowerBound(vgg.inp.workload, vgg.inp.arch, vgg.plan, 'energy').energyPJ / 1e6).toFixed(1)} uJ`);

  console.log(`\nevery dense mapper case, ${budget.toLocaleString('en-US')} evaluations, 1 thread, seed 1 (score = the case's objective; ratio = found / reference mapping, both by dnnergy's model):`);
  console.log('| case | objective | ratio | energy ratio | time | evaluations | gap to bound | random: ratio | random: energy ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const cases = loadRefs().filter((r) => r.tool === 'mapper' && isDense(r) && (r.snapshot === 'v4' || r.snapshot === 'v3') && r.name !== 'v3-bd-simple_pim');
  for (const r of cases) {
    const c = setup(r.name);
    const t0 = performance.now();
    const run = await runMapper(c.inp.workload, c.inp.arch, c.constraints, c.plan, { objective: c.objective, seed: 1, threads: 1, evaluations: budget, analysis: { convention: c.convention } });
    const s = (performance.now() - t0) / 1000;
    const found = score(c.objective, run.energyPJ, run.cycles);
    const refScore = score(c.objective, c.ref.energyPJ, c.ref.cycles);
    const lb = lowerBound(c.inp.workload, c.inp.arch, c.plan, c.objective);
    // The baseline: random sampling, same budget, seed 1, one thread.
    const space = new MapSpace(c.inp.workload, c.inp.arch, c.constraints);
    const rnd = search(c.inp.workload, c.inp.arch, space, c.plan, { objective: c.objective, seed: 1, evaluations: budget, analysis: { convention: c.convention }, strategy: 'random' });
    const rndRatio = rnd.best ? `${(score(c.objective, rnd.energyPJ, rnd.cycles) / refScore).toFixed(3)} | ${(rnd.energyPJ / c.ref.energyPJ).toFixed(3)}` : 'none legal | –';
    console.log(`| ${r.name} | ${c.objective} | ${(found / refScore).toFixed(3)} | ${(run.energyPJ / c.ref.energyPJ).toFixed(3)} | ${s.toFixed(2)} s | ${run.stats.evaluated.toLocaleString('en-US')} | ${(found / lb.score).toFixed(2)}× | ${rndRatio} |`);
  }
}
