/**
 * The two-stage search of an imperfect mapspace (padded.ts): the perfect
 * kernel on the padded workload ranks, the exact partial-tile rule re-ranks
 * the survivors, and the answer carries the exact cost.
 */
import { describe, expect, it } from 'vitest';
import { pe16, pe16Energy } from '../helpers/pe16.js';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import { validateMapping } from '../../src/mapping/validate.js';
import { CompiledBuffer, compileProblem } from '../../src/model/compile.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { evaluate } from '../../src/model/model.js';
import { Evaluator } from '../../src/model/nest.js';
import { paddedSearch } from '../../src/mapper/padded.js';
import { score } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { Rng } from '../../src/util/rng.js';
import { operationCount } from '../../src/workload/workload.js';
import { convWorkload } from '../../src/workload/conv.js';

const arch = pe16;
const energy = pe16Energy;
// 37 tokens (prime) and 11 outputs (prime): both dimensions get pads.
const w = convWorkload('t', { N: 1, C: 3, M: 11, P: 37, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1 });
const space = new MapSpace(w, arch, { ...emptyConstraints(arch), imperfect: true });
const plan = planEnergy(arch, energy, 'v4', w.dataSpaces.map((d) => d.name));

describe('two-stage imperfect search', () => {
  it('returns a legal mapping whose cost is the exact rule evaluated from scratch', () => {
    for (const objective of ['delay', 'energy', 'edp'] as const) {
      const r = paddedSearch(w, arch, space, plan, { objective, seed: 5, evaluations: 3000 });
      expect(r.best).not.toBeNull();
      const m = space.toMapping(r.best!);
      validateMapping(w, arch, m, 'best');
      const full = evaluate(w, arch, m, energy, { partialTiles: 'exact' });
      expect(r.cycles).toBe(full.cycles);
      expect(r.energyPJ).toBeCloseTo(full.energyPJ, 6);
    }
  });

  it('is deterministic for a seed, and re-ranking more survivors is never worse than the proxy’s best alone', () => {
    for (const seed of [1, 2, 3, 4]) {
      const a = paddedSearch(w, arch, space, plan, { objective: 'delay', seed, evaluations: 2000 });
      const b = paddedSearch(w, arch, space, plan, { objective: 'delay', seed, evaluations: 2000 });
      expect(JSON.stringify(space.toMapping(a.best!))).toBe(JSON.stringify(space.toMapping(b.best!)));
      const one = paddedSearch(w, arch, space, plan, { objective: 'delay', seed, evaluations: 2000, keep: 1 });
      expect(score('delay', a.energyPJ, a.cycles)).toBeLessThanOrEqual(score('delay', one.energyPJ, one.cycles));
    }
  });

  it('uses more of the PE array than perfect factors can on prime bounds', () => {
    const r = paddedSearch(w, arch, space, plan, { objective: 'delay', seed: 1, evaluations: 3000 });
    // Perfect factors: 11 (M) or 3 (C) PEs at best; 37·3·11 = 1221 MACs on 16 PEs need ≥ 77 cycles.
    const perfect = paddedSearch(w, arch, new MapSpace(w, arch, emptyConstraints(arch)), plan, { objective: 'delay', seed: 1, evaluations: 3000 });
    expect(perfect.cycles).toBeGreaterThanOrEqual(Math.ceil(1221 / 11));
    expect(r.cycles).toBeLessThan(perfect.cycles);
    expect(r.best!.pad.some((k) => k !== 0)).toBe(true);
  });

  it('the padded proxy never reports fewer cycles than the exact rule (random genomes)', () => {
    const rng = new Rng(9);
    const g = space.newGenome();
    const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
    const exact = new Evaluator(compileProblem(w, arch), { partialTiles: 'exact' });
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      space.random(rng, g);
      const bounds = w.bounds.map((b, d) => space.pads[d][g.pad[d]] ?? b);
      const pw = { ...w, bounds };
      space.compile(g, cm);
      const e = exact.run(cm);
      const te = totals(arch, e, plan, w.dataSpaces.length, operationCount(w));
      for (let j = 0; j < cm.n; j++) cm.residual[j] = cm.factor[j];
      cm.imperfect = 0;
      const px = new Evaluator(compileProblem(pw, arch), {}).run(cm);
      const tp = totals(arch, px, plan, w.dataSpaces.length, operationCount(pw));
      expect(tp.cycles, `genome ${i}`).toBeGreaterThanOrEqual(te.cycles);
      compared++;
    }
    expect(compared).toBe(400);
  });
});
