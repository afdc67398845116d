/**
 * A search recycles one scratch over its candidates, and the scratch keeps
 * what repeats (the loop nest's unchanged levels, the tiles' occupancies
 * by shape): over a search-like sequence of candidates — random ones, and
 * neighbours that keep most levels — the recycled scratch must give the
 * full sparse result of fresh objects, to the byte, under fixed-structured
 * and hypergeometric densities — given, as the search gives it, the compiled
 * loops rather than the mapping.
 */
import { describe, expect, it } from 'vitest';
import { constraintsFrom } from '../../src/interop/timeloop/constraints.js';
import { loadInputs } from '../../src/io/inputs.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { movesOf } from '../../src/mapper/moves.js';
import { MapSpace } from '../../src/mapper/space.js';
import { CompiledBuffer, compileProblem } from '../../src/model/compile.js';
import { planEnergy } from '../../src/model/cost.js';
import { Evaluator } from '../../src/model/nest.js';
import { resultToJSON } from '../../src/model/result.js';
import { sparseCounts, SparseScratch } from '../../src/sparse/analysis.js';
import { sparseObjective, SparseRanker } from '../../src/sparse/objective.js';
import { planSparseEnergy, sparseCostOf } from '../../src/sparse/cost.js';
import type { SparseSpec } from '../../src/sparse/spec.js';
import { tileOf } from '../../src/sparse/tiles.js';
import { Rng } from '../../src/util/rng.js';
import { operationCount } from '../../src/workload/workload.js';
import { caseInputs, loadRefs, referenceAvailable } from '../helpers/reference.js';

const CASES = ['v4-ex-sparseloop-04.2.2-eyeriss-like-gating-mapspace-search', 'v4-ex-sparseloop-04.2.3-eyeriss-like-onchip-compression', 'v4-ex-sparseloop-02.2.2-spMspM-tiled'];

describe.runIf(referenceAvailable())('a recycled scratch over a search', () => {
  it('v4-ex-sparseloop-04.2.3-eyeriss-like-onchip-compression: the ranker of a search prices 500 random candidates as fresh rankers do', () => {
    // Random candidates whose tiles all keep their shapes while the nest changes are rare (1 in 500
    // here, candidate 103): the representations must follow the nest, not the shapes alone.
    const r = loadRefs().find((x) => x.name === 'v4-ex-sparseloop-04.2.3-eyeriss-like-onchip-compression')!;
    const { inputs, ert } = caseInputs(r);
    const inp = loadInputs(inputs, ert);
    const { workload: w, arch } = inp;
    const space = new MapSpace(w, arch, constraintsFrom(inp.sections, w, arch));
    const obj = sparseObjective(w, arch, inp.energy!, inp.sparse, 'v4')!;
    const ranker = new SparseRanker(w, arch, obj);
    const ev = new Evaluator(compileProblem(w, arch));
    const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
    const rng = new Rng(7);
    const g = space.newGenome();
    const price = (t: { energyPJ: number; cycles: number } | null) => (t === null ? 'illegal' : `${t.energyPJ} pJ, ${t.cycles} cycles`);
    for (let i = 0; i < 500; i++) {
      space.random(rng, g);
      space.compile(g, cm);
      const counts = ev.run(cm);
      expect(price(ranker.cost(cm, counts)), `candidate ${i}`).toBe(price(new SparseRanker(w, arch, obj).cost(space.toMapping(g), counts)));
    }
  });
  for (const name of CASES) {
    for (const model of ['fixed_structured', 'hypergeometric'] as const) {
      it(`${name}, ${model}: every candidate's result is a fresh evaluation's`, () => {
        const r = loadRefs().find((x) => x.name === name)!;
        const ci = caseInputs(r);
        const inp = loadInputs(ci.inputs.filter((f) => !f.endsWith('.map.yaml')), ci.ert);
        const { workload: w, arch, energy } = inp;
        const spec: SparseSpec = model === 'fixed_structured' ? inp.sparse! : {
          ...inp.sparse!,
          densities: inp.sparse!.densities.map((d, s) => (d.density < 1 ? { distribution: 'hypergeometric' as const, density: d.density, tensorSize: tileOf(w.dataSpaces[s], w.bounds) } : d)),
        };
        const space = new MapSpace(w, arch, constraintsFrom(inp.sections, w, arch));
        const p = compileProblem(w, arch);
        const ev = new Evaluator(p);
        const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
        const plan = planEnergy(arch, energy!, 'v4', w.dataSpaces.map((d) => d.name));
        const sp = planSparseEnergy(arch, energy!);
        const ops = operationCount(w);
        const scratch = new SparseScratch();
        const rng = new Rng(5);
        const g = space.newGenome();
        const moves = movesOf(space);
        let compared = 0;
        space.random(rng, g);
        for (let i = 0; i < 200; i++) {
          // Candidates: new ones, neighbours by the annealer's own moves (a prime moved, loops swapped or
          // reordered, a bypass flipped: the nest and tiles change from some level up), and the same one again.
          const move = rng.next();
          if (move < 0.3) space.random(rng, g);
          else if (move < 0.9) { for (let tries = 0; tries < 20 && !moves[Math.floor(rng.next() * moves.length)].apply(rng, g); tries++); }
          space.compile(g, cm);
          const counts = ev.run(cm);
          const m = space.toMapping(g);
          const result = (s?: SparseScratch, given: Mapping | CompiledBuffer = m): string => {
            try {
              const sc = sparseCounts(w, arch, given, counts, spec, { read: plan.read }, s);
              return JSON.stringify(resultToJSON(sparseCostOf(w, arch, spec, counts, sc, plan, sp, ops))) + JSON.stringify(sc.capacityErrors);
            } catch (e) {
              return `${(e as Error).constructor.name}: ${(e as Error).message}`;
            }
          };
          // The search gives the compiled loops the counts came from, not a mapping object.
          const recycled = result(scratch, cm);
          expect(recycled).toBe(result());
          if (!recycled.includes('Error:')) compared++;
        }
        expect(compared).toBeGreaterThan(20);
      });
    }
  }
});
