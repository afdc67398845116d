/**
 * The exact search (src/mapper/exact.ts): on small layers whose whole
 * mapspace can be enumerated, it returns the true optimum every time, its
 * proven bounds never exceed any evaluated mapping's cost, its answer does
 * not depend on the incumbent it starts from or on how many searches share
 * the queue, and a budget that stops it leaves an open bound below the
 * optimum. Unit loops, which the search never reorders, change nothing.
 */
import { describe, expect, it } from 'vitest';
import { exactSearch, exactShared } from '../../src/mapper/exact.js';
import { lowerBound } from '../../src/mapper/bound.js';
import { score, search } from '../../src/mapper/search.js';
import { MapSpace, T } from '../../src/mapper/space.js';
import { runMapper } from '../../src/mapper/run.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { CompiledBuffer, compileProblem } from '../../src/model/compile.js';
import { Evaluator } from '../../src/model/nest.js';
import { convWorkload } from '../../src/workload/conv.js';
import { operationCount } from '../../src/workload/workload.js';
import { Rng } from '../../src/util/rng.js';
import { rng } from '../helpers/random.js';
import { randomBoundCase } from './cases.js';

/** Small random cases (random designs, capacities, keeps, conventions, objectives) with a tiny layer each. */
function* smallCases(seed: number, want: number, maxSize: number) {
  const r = rng(seed);
  const pick = (xs: number[]) => xs[Math.floor(r() * xs.length)];
  let n = 0;
  for (let i = 0; i < 20 * want && n < want; i++) {
    const { arch, energy, c, convention, objective } = randomBoundCase(r, i);
    const w = convWorkload(`tiny${i}`, { N: pick([1, 2]), C: pick([1, 2, 3, 4]), M: pick([1, 2, 4]), P: pick([1, 2, 3, 4]), Q: pick([1, 2]), R: pick([1, 3]), S: 1, Wstride: pick([1, 2]) });
    const space = new MapSpace(w, arch, c);
    const size = space.size();
    if (size > maxSize) continue;
    n++;
    yield { i, w, arch, c, convention, objective, space, size, plan: planEnergy(arch, energy, convention) };
  }
}

const tol = 1 + 1e-12;

describe('exact search', () => {
  it('finds the true optimum of 200 random small mapspaces, and no bound exceeds any evaluated cost', () => {
    let cases = 0, withMapping = 0;
    for (const { i, w, arch, c, convention, objective, space, size, plan } of smallCases(191, 200, 4000)) {
      const label = `case ${i} (${objective}, ${convention}, ${size} mappings)`;
      const all = search(w, arch, space, plan, { objective, seed: 1, evaluations: size, analysis: { convention } });
      expect(all.stats.exhaustive, label).toBe(true);
      const x = exactSearch(w, arch, space, plan, { objective, analysis: { convention } });
      expect(x.complete, label).toBe(true);
      expect(x.openBound, label).toBe(Infinity);
      cases++;
      if (!all.best) { expect(x.best, label).toBeNull(); continue; }
      withMapping++;
      expect(x.best, label).not.toBeNull();
      expect(score(objective, x.energyPJ, x.cycles), label).toBe(score(objective, all.energyPJ, all.cycles));
      expect(x.energyPJ, label).toBe(all.energyPJ);
      // Seeded with the optimum itself, every node block and node the bound puts past it is dropped unbounded: the same optimum.
      const seeded = exactSearch(w, arch, space, plan, { objective, analysis: { convention }, incumbent: { genome: all.best, energyPJ: all.energyPJ, cycles: all.cycles } });
      expect(seeded.complete, label).toBe(true);
      expect([seeded.energyPJ, seeded.cycles], label).toEqual([x.energyPJ, x.cycles]);
      if (seeded.bestNode !== Infinity) expect(space.toMapping(seeded.best!), label).toEqual(space.toMapping(x.best!));
      const lb = lowerBound(w, arch, plan, objective, c, true);
      expect(lb.score, label).toBeLessThanOrEqual(score(objective, all.energyPJ, all.cycles) * tol);
      // Everything counted: evaluated, over capacity or in a pruned subtree (upper counts), never fewer than the legal leaves.
      expect(x.evaluated + x.illegal + x.prunedByBound, label).toBeGreaterThanOrEqual(1);
    }
    expect(cases).toBe(200);
    expect(withMapping).toBeGreaterThan(150);
  });

  it('stopped by a budget, leaves an open bound no higher than the optimum', () => {
    let stopped = 0;
    for (const { i, w, arch, convention, objective, space, size, plan } of smallCases(77, 60, 20000)) {
      if (size < 500) continue;
      const full = exactSearch(w, arch, space, plan, { objective, analysis: { convention } });
      if (!full.best) continue;
      const cut = exactSearch(w, arch, space, plan, { objective, analysis: { convention }, evaluations: 20 });
      if (cut.complete) continue;
      stopped++;
      const opt = score(objective, full.energyPJ, full.cycles);
      expect(cut.openBound, `case ${i}`).toBeLessThanOrEqual(opt * tol);
      if (cut.best) expect(score(objective, cut.energyPJ, cut.cycles), `case ${i}`).toBeGreaterThanOrEqual(opt / tol);
    }
    expect(stopped).toBeGreaterThan(5);
  });

  it('returns the same mapping whatever the incumbent it starts from and however many searches share the queue', async () => {
    let checked = 0;
    for (const { w, arch, c, convention, objective, space, plan } of smallCases(5, 25, 4000)) {
      const plain = exactSearch(w, arch, space, plan, { objective, analysis: { convention } });
      if (!plain.best) continue;
      const a = search(w, arch, space, plan, { objective, seed: 3, evaluations: 50, analysis: { convention } });
      const seeded = exactSearch(w, arch, space, plan, { objective, analysis: { convention }, incumbent: a.best ? { genome: a.best, energyPJ: a.energyPJ, cycles: a.cycles } : null });
      expect([seeded.energyPJ, seeded.cycles, seeded.bestNode]).toEqual([plain.energyPJ, plain.cycles, plain.bestNode]);
      expect(space.toMapping(seeded.best!)).toEqual(space.toMapping(plain.best));
      // Two searches on one shared queue (here one after the other): the second finds the queue empty.
      const shared = exactShared();
      const s1 = exactSearch(w, arch, space, plan, { objective, analysis: { convention }, shared });
      const s2 = exactSearch(w, arch, space, plan, { objective, analysis: { convention }, shared });
      expect(s2.evaluated).toBe(0);
      expect(space.toMapping(s1.best!)).toEqual(space.toMapping(plain.best));
      const run = await runMapper(w, arch, c, plan, { objective, seed: 1, threads: 2, evaluations: Infinity, strategy: 'exact', analysis: { convention } });
      expect(run.stats.exact!.complete).toBe(true);
      expect(run.energyPJ).toBe(plain.energyPJ);
      expect(run.cycles).toBe(plain.cycles);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('unit loops change nothing: any order of them gives the same counts (why the search does not reorder them)', () => {
    let checked = 0;
    for (const { w, arch, convention, space, plan } of smallCases(9, 40, 1e9)) {
      const p = compileProblem(w, arch);
      const ev = new Evaluator(p, { convention });
      const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
      const g = space.newGenome(), h = space.newGenome();
      const r = new Rng(checked + 1);
      const { L, D } = space;
      const cost = (x: typeof g) => { space.compile(x, cm); const t = totals(arch, ev.run(cm), plan, w.dataSpaces.length, operationCount(w)); return [t.energyPJ, t.cycles]; };
      for (let k = 0; k < 10; k++) {
        space.random(r, g);
        space.copy(g, h);
        // Move the unit loops of every level to random places among the others.
        for (let l = 0; l < L; l++) {
          const pre = space.torder[l].length;
          const order = Array.from(h.perm.subarray(l * D + pre, l * D + D));
          const nonUnit = order.filter((d) => h.f[(l * 3 + T) * D + d] > 1);
          const unit = order.filter((d) => h.f[(l * 3 + T) * D + d] <= 1);
          const out = [...nonUnit];
          for (const d of unit) out.splice(r.int(out.length + 1), 0, d);
          out.forEach((d, j) => { h.perm[l * D + pre + j] = d; });
        }
        expect(cost(h)).toEqual(cost(g));
        checked++;
      }
    }
    expect(checked).toBe(400);
  });

  it('honours factor bounds from the constraints (N<=k, M>=k): every mapping the searches return is within them, and the exact optimum is the enumerated one', () => {
    let checked = 0;
    const r = new Rng(4);
    for (const { i, w, arch, c, convention, objective, plan } of smallCases(31, 80, 4000)) {
      const L = arch.storage.length;
      // A max and a min on two dimensions at random levels (the min at the backing store, where the rest can go).
      const d1 = w.bounds.findIndex((b) => b >= 2);
      if (d1 < 0) continue;
      const l1 = r.int(L);
      const lc = c.levels[l1] as { temporalMax?: Map<number, number> };
      lc.temporalMax = new Map([[d1, 1 + r.int(2)]]);
      const top = c.levels[L - 1] as { temporalMin?: Map<number, number> };
      top.temporalMin = new Map([[d1, 2]]);
      let space: MapSpace;
      try { space = new MapSpace(w, arch, c); } catch { continue; }
      const size = space.size();
      const all = search(w, arch, space, plan, { objective, seed: 1, evaluations: size, analysis: { convention } });
      const x = exactSearch(w, arch, space, plan, { objective, analysis: { convention } });
      const a = all.best ? search(w, arch, space, plan, { objective, seed: 2, evaluations: 300, strategy: 'random', analysis: { convention } }) : { best: null };
      const D = space.D;
      for (const g of [all.best, x.best, a.best]) {
        if (!g) continue;
        expect(g.f[(l1 * 3 + T) * D + d1], `case ${i}`).toBeLessThanOrEqual(lc.temporalMax.get(d1)!);
        expect(g.f[((L - 1) * 3 + T) * D + d1], `case ${i}`).toBeGreaterThanOrEqual(2);
      }
      expect(x.best === null, `case ${i}`).toBe(all.best === null);
      if (all.best) expect(x.energyPJ, `case ${i}`).toBe(all.energyPJ);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });
});
