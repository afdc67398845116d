/**
 * The lower bound (src/mapper/bound.ts) is computed on the true workload;
 * `analyze --imperfect` puts it beside mappings with imperfect factors
 * (padded bounds, partial last passes), counted by the exact rule. It must
 * hold for those too: an imperfect mapping does at least the true MACs and
 * touches at least the used words (docs/mapper.md, "Bounds on imperfect
 * mappings"). Random small layers with awkward bounds on random designs,
 * keeps and bypasses, conventions and objectives: the bound ≤ the exact cost
 * of every legal random imperfect mapping and of the two-stage search's best.
 */
import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../src/mapper/bound.js';
import { paddedSearch } from '../../src/mapper/padded.js';
import { score } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { CompiledBuffer, compileProblem } from '../../src/model/compile.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { Evaluator } from '../../src/model/nest.js';
import { Rng } from '../../src/util/rng.js';
import { convWorkload } from '../../src/workload/conv.js';
import { operationCount } from '../../src/workload/workload.js';
import { rng } from '../helpers/random.js';
import { randomBoundCase } from './cases.js';

describe('lower bound on imperfect mappings', () => {
  it('never exceeds the exact-rule cost of a padded mapping: 240 random layers, designs, constraints, conventions, objectives', () => {
    const r = rng(191);
    const pick = (xs: number[]) => xs[Math.floor(r() * xs.length)];
    let checked = 0, cases = 0, partial = 0;
    for (let i = 0; i < 240; i++) {
      const { arch, energy, c, convention, objective } = randomBoundCase(r, i);
      // Awkward bounds (primes and near-smooth numbers ≥ 8) get pads; small ones keep their factors.
      const w = convWorkload(`odd${i}`, { N: 1, C: pick([3, 8, 11]), M: pick([2, 9, 13]), P: pick([9, 11, 13, 17]), Q: pick([1, 3, 13]), R: pick([1, 3]), S: 1, Wstride: pick([1, 2]), Hstride: 1, Wdilation: 1, Hdilation: 1 });
      const ci = { ...c, imperfect: true };
      const space = new MapSpace(w, arch, ci);
      expect(space.imperfect, `case ${i}: some bound is padded`).toBe(true);
      const plan = planEnergy(arch, energy, convention);
      const lb = lowerBound(w, arch, plan, objective, ci);
      const ops = operationCount(w);
      const ev = new Evaluator(compileProblem(w, arch), { convention, partialTiles: 'exact' });
      const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
      const g = space.newGenome();
      const rr = new Rng(5000 + i);
      const check = (energyPJ: number, cycles: number, label: string) => {
        expect(lb.energyPJ, label).toBeLessThanOrEqual(energyPJ * (1 + 1e-12));
        expect(lb.cycles, label).toBeLessThanOrEqual(cycles);
        expect(lb.score, label).toBeLessThanOrEqual(score(objective, energyPJ, cycles) * (1 + 1e-12));
        checked++;
      };
      let legal = 0;
      for (let k = 0; k < 12; k++) {
        space.random(rr, g);
        space.compile(g, cm);
        const counts = ev.run(cm);
        if (!space.fits(counts.utilizedCapacity, counts.kept)) continue;
        if (cm.imperfect > 0) partial++;
        const t = totals(arch, counts, plan, w.dataSpaces.length, ops);
        check(t.energyPJ, t.cycles, `case ${i} (${objective}, ${convention}) mapping ${k}`);
        legal++;
      }
      const best = paddedSearch(w, arch, space, plan, { objective, seed: i, evaluations: 400, convention, keep: 4 });
      if (best.best) { check(best.energyPJ, best.cycles, `case ${i}: the two-stage search's best`); legal++; }
      if (legal > 0) cases++;
    }
    expect(cases).toBeGreaterThanOrEqual(200);
    expect(checked).toBeGreaterThan(1500);
    // Most checked mappings really have a partial last pass somewhere.
    expect(partial).toBeGreaterThan(checked / 2);
  });
});
