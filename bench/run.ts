/**
 * Benchmarks (`npm run bench`): figures only, no assertions.
 * - model evaluations per second (counts + energy + cycles) on a compiled
 *   mapping of an Eyeriss-like VGG-16 conv layer (the layer and mapping of
 *   Timeloop's v4-tl-06 case), single thread;
 * - full evaluations per second including validation and the per-level report;
 * - the sparse engine on Sparseloop's Eyeriss-like gating layer and the mapper
 *   ranking by the sparse cost (these in CPU time: the machine is shared);
 * - NetAdapt's model look-up table per entry, in a fresh process (bench/lut.ts).
 */
import { loadInputs } from '../src/io/inputs.js';
import { operationCount } from '../src/workload/workload.js';
import { planEnergy, totals } from '../src/model/cost.js';
import { compileMapping, compileProblem } from '../src/model/compile.js';
import { Evaluator } from '../src/model/nest.js';
import { evaluate } from '../src/model/model.js';

/** `batch(n)` runs n evaluations in its own loop, as a search's inner loop does. */
/** CPU seconds this process has used (user + system): on a shared machine it counts only our own work. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function measure(label: string, batch: (n: number) => void, seconds = 1, rounds = 7, clock: 'wall' | 'cpu' = 'wall'): number {
  // Warm up (the JIT tiers up over the first second or two), then take the
  // median of several timed rounds: a search runs at the steady state.
  // `cpu`: rates per second of this process's CPU time (a shared, loaded machine's other work is not counted).
  const now = clock === 'cpu' ? () => cpuSeconds() * 1000 : () => performance.now();
  const warmEnd = now() + 2000;
  while (now() < warmEnd) batch(1000);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = now();
    const end = t0 + seconds * 1000;
    let t = t0;
    while (t < end) {
      batch(1000);
      n += 1000;
      t = now();
    }
    rates.push(n / ((t - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  console.log(`${label}: ${Math.round(median).toLocaleString('en-US')} /s${clock === 'cpu' ? ' of CPU time' : ''} (${(1e6 / median).toFixed(2)} us each; rounds ${rates.map((x) => Math.round(x / 1000) + 'k').join(' ')})`);
  return median;
}

const inp = loadInputs(['examples/eyeriss_like_vgg_conv.yaml']);
const { workload: w, arch, mapping, energy } = inp;
const p = compileProblem(w, arch);
const ev = new Evaluator(p);
const cm = compileMapping(p, mapping!);
const plan = planEnergy(arch, energy!);
const ops = operationCount(w);
const S = w.dataSpaces.length;
let sink = 0;
const tot = { energyPJ: 0, cycles: 0 };

console.log(`dnnergy bench — node ${process.version}, ${w.name} on ${arch.name} (${ops.toLocaleString('en-US')} MACs, ${cm.n} loops)`);
measure('model evaluations (compiled mapping: counts + energy + cycles, 1 thread)', (n) => {
  for (let i = 0; i < n; i++) {
    ev.run(cm);
    sink += totals(arch, ev.out, plan, S, ops, tot).energyPJ;
  }
});
measure('counts only (nest analysis)', (n) => {
  for (let i = 0; i < n; i++) sink += ev.run(cm).reads[0];
});
measure('full evaluate() (validation + per-level report + checks)', (n) => {
  for (let i = 0; i < n; i++) sink += evaluate(w, arch, mapping!, energy!).energyPJ;
}, 1, 3);
// The sparse engine on Sparseloop's Eyeriss-like gating case (its reference mapping): dense counts, the sparse pass, energy and cycles.
{
  const { REFERENCE_DIR } = await import('../test/helpers/reference.js');
  const { existsSync } = await import('node:fs');
  const dir = `${REFERENCE_DIR}/cases/v4-ex-sparseloop-04.2.1-eyeriss-like-gating/ref/`;
  if (existsSync(dir)) {
    const { sparseCounts, SparseScratch } = await import('../src/sparse/analysis.js');
    const scratch = new SparseScratch();
    const { planSparseEnergy, sparseTotals } = await import('../src/sparse/cost.js');
    const g = loadInputs([`${dir}parsed-processed-input.yaml`, `${dir}timeloop-mapper.map.yaml`], `${dir}timeloop-mapper.ERT.yaml`);
    const gp = compileProblem(g.workload, g.arch);
    const gev = new Evaluator(gp);
    const gcm = compileMapping(gp, g.mapping!);
    const gplan = planEnergy(g.arch, g.energy!);
    const gsp = planSparseEnergy(g.arch, g.energy!);
    const gops = operationCount(g.workload);
    const gS = g.workload.dataSpaces.length;
    // These two lines time CPU, not wall, and take 7 rounds: the machine they run on is shared.
    const prices = { read: gplan.read };
    measure('dense evaluations, Eyeriss-like gating layer (same mapping, no sparsity)', (n) => {
      for (let i = 0; i < n; i++) { gev.run(gcm); sink += totals(g.arch, gev.out, gplan, gS, gops, tot).energyPJ; }
    }, 1, 7, 'cpu');
    measure('sparse evaluations, Eyeriss-like gating layer (counts + sparse pass + energy + cycles)', (n) => {
      for (let i = 0; i < n; i++) {
        const c = gev.run(gcm);
        const sc = sparseCounts(g.workload, g.arch, g.mapping!, c, g.sparse!, prices, scratch);
        sink += sparseTotals(g.arch, g.sparse!, c, sc, gplan, gsp, gS, tot).energyPJ;
      }
    }, 1, 7, 'cpu');
  }
  // The mapper under sparsity on Sparseloop's mapspace-search case: annealing ranked by the sparse cost vs by the dense one.
  const sdir = `${REFERENCE_DIR}/cases/v4-ex-sparseloop-04.2.2-eyeriss-like-gating-mapspace-search/ref/`;
  if (existsSync(sdir)) {
    const { search } = await import('../src/mapper/search.js');
    const { MapSpace } = await import('../src/mapper/space.js');
    const { constraintsFrom } = await import('../src/interop/timeloop/constraints.js');
    const { sparseObjective } = await import('../src/sparse/objective.js');
    const m = loadInputs([`${sdir}parsed-processed-input.yaml`], `${sdir}timeloop-mapper.ERT.yaml`);
    const space = new MapSpace(m.workload, m.arch, constraintsFrom(m.sections, m.workload, m.arch));
    const mplan = planEnergy(m.arch, m.energy!);
    const obj = sparseObjective(m.workload, m.arch, m.energy!, m.sparse);
    // The row above repeats one mapping, and the sparse pass reuses what did not change since the
    // last one (the nest's levels, each tile's representation, a one-entry memo per tile): here
    // the mappings of a random walk over this mapspace, one move apart as the annealer's
    // candidates are, 1,024 legal ones evaluated in turn. About half of the moves change nothing
    // (reordering a level with one loop …: 469 of the 1,023 steps with seed 1), and the sparse pass
    // then reuses all it kept (a search's candidates repeat so too); the row after it keeps only
    // the steps that changed the compiled nest: the figure for changing mappings.
    {
      const { movesOf } = await import('../src/mapper/moves.js');
      const { Rng } = await import('../src/util/rng.js');
      const { sparseCounts, SparseScratch } = await import('../src/sparse/analysis.js');
      const { planSparseEnergy, sparseTotals } = await import('../src/sparse/cost.js');
      const mp = compileProblem(m.workload, m.arch);
      const mev = new Evaluator(mp);
      const rng = new Rng(1);
      const moves = movesOf(space);
      const cur = space.newGenome(), cand = space.newGenome();
      const walk: { mapping: ReturnType<typeof space.toMapping>; cm: ReturnType<typeof compileMapping> }[] = [];
      const legal = (g: typeof cur) => { const cm = compileMapping(mp, space.toMapping(g)); const c = mev.run(cm); return space.fits(c.utilizedCapacity, c.kept) ? cm : null; };
      do space.random(rng, cur); while (!space.fanoutOk(cur) || !legal(cur));
      for (let tries = 0; walk.length < 1024 && tries < 1_000_000; tries++) {
        space.copy(cur, cand);
        if (!moves[rng.int(moves.length)].apply(rng, cand)) continue;
        const cm = legal(cand);
        if (!cm) continue;
        space.copy(cand, cur);
        walk.push({ mapping: space.toMapping(cand), cm });
      }
      const scratch = new SparseScratch();
      const msp = planSparseEnergy(m.arch, m.energy!);
      const mS = m.workload.dataSpaces.length;
      const prices = { read: mplan.read };
      // Evaluates the list's mappings in turn, from where the last call stopped.
      const inTurn = (list: typeof walk) => {
        let j = 0;
        return (n: number) => {
          for (let i = 0; i < n; i++) {
            const e = list[j++ % list.length];
            const c = mev.run(e.cm);
            const sc = sparseCounts(m.workload, m.arch, e.mapping, c, m.sparse!, prices, scratch);
            sink += sparseTotals(m.arch, m.sparse!, c, sc, mplan, msp, mS, tot).energyPJ;
          }
        };
      };
      measure(`sparse evaluations, Eyeriss-like gating mapspace, ${walk.length} mappings of a random walk (one move apart) in turn`, inTurn(walk), 1, 7, 'cpu');
      // The same walk without the steps that left the compiled nest (loops and keeps) as it was.
      const sameNest = (a: ReturnType<typeof compileMapping>, b: ReturnType<typeof compileMapping>) => {
        if (a.n !== b.n) return false;
        for (let i = 0; i < a.n; i++) if (a.level[i] !== b.level[i] || a.spatial[i] !== b.spatial[i] || a.dim[i] !== b.dim[i] || a.factor[i] !== b.factor[i] || a.axisY[i] !== b.axisY[i]) return false;
        return a.keep.every((k, i) => k === b.keep[i]);
      };
      const changed = walk.filter((e, i) => i === 0 || !sameNest(walk[i - 1].cm, e.cm));
      measure(`sparse evaluations, the same walk's ${changed.length} steps that changed the nest, in turn`, inTurn(changed), 1, 7, 'cpu');
    }
    for (const [label, sp] of [['dense ranking', null], ['sparse ranking', obj]] as const) {
      const rates: number[] = [], cpuRates: number[] = [];
      for (let r = 0; r < 5; r++) {
        const c0 = cpuSeconds();
        const res = search(m.workload, m.arch, space, mplan, { objective: 'edp', seed: r, evaluations: 20_000, strategy: 'anneal', sparse: sp });
        cpuRates.push(res.stats.evaluated / (cpuSeconds() - c0));
        rates.push(res.stats.evaluated / (res.stats.timeMs / 1000));
      }
      rates.sort((a, b) => a - b);
      cpuRates.sort((a, b) => a - b);
      console.log(`mapper, Eyeriss-like mapspace search (annealing, ${label}): ${Math.round(cpuRates[2]).toLocaleString('en-US')} mappings/s of CPU time (rounds ${cpuRates.map((x) => Math.round(x / 1000) + 'k').join(' ')}; wall ${Math.round(rates[2]).toLocaleString('en-US')} /s)`);
    }
  }
}
if (!Number.isFinite(sink)) console.log('unexpected');

await (await import('./mapper.js')).mapperBench();

// NetAdapt's model look-up table (bench/lut.ts), each metric in a fresh process: the figure includes V8's warm-up, as a run's does.
{
  const { existsSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const lut = new URL('./lut.js', import.meta.url);
  if (existsSync(lut)) for (const m of ['energy', 'latency']) process.stdout.write(execFileSync(process.execPath, [lut.pathname, m]));
}
