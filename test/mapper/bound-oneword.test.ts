/**
 * One-word registers under sliding windows (docs/mapper.md, "R1 for
 * one-word tiles"), the one-keeper rule R6 and the joint capacity of the
 * backing-store rule, on designs built to exercise them: PEs with one-word
 * registers for inputs (and at random weights and outputs) over a
 * scratchpad and a small buffer that keep several tensors, convolutions
 * with windows (R, S up to 3, strides 1–2). Every view a random legal
 * mapping fixes (all, half, none of its dimensions) bounds at most its
 * cost, and each rule raises the bound somewhere.
 */
import { describe, expect, it } from 'vitest';
import { backingStoreLeast, boundContext, boundOf, lowerBound } from '../../src/mapper/bound.js';
import { exactSearch } from '../../src/mapper/exact.js';
import { score, search } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { Evaluator } from '../../src/model/nest.js';
import { operationCount } from '../../src/workload/workload.js';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import { convWorkload } from '../../src/workload/conv.js';
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import type { EnergyTable } from '../../src/energy/table.js';
import type { Objective } from '../../src/mapper/search.js';
import { Rng } from '../../src/util/rng.js';
import { rng } from '../helpers/random.js';
import { viewOf, expectAtMostCost } from './cases.js';


/** A PE design with one-word registers (inputs always, weights and outputs at random) over a scratchpad and a buffer. */
function registerDesign(r: () => number, i: number, small = false) {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const pes = small ? pick([1, 2]) : pick([1, 2, 4]);
  const lv = (name: string, size: number | null, inst: number): StorageLevel => ({ name, className: 'SRAM', instances: inst, meshX: inst, meshY: 1, sizeWords: size, wordBits: 8, blockSize: 1, clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip: size === null });
  const arch: Arch = {
    name: `regs${i}`,
    compute: { name: 'mac', className: 'intmac', instances: pes, meshX: pes, meshY: 1 },
    storage: [lv('out_reg', 1, pes), lv('in_reg', 1, pes), lv('w_reg', 1, pes), lv('spad', pick([8, 16, 64]), pes), lv('buf', pick([32, 128, 512]), 1), lv('DRAM', null, 1)],
  };
  const energy: EnergyTable = {
    source: 'test',
    components: new Map<string, Record<string, number>>([
      ['mac', { compute: 0.5 }],
      ...arch.storage.map((s, l) => { const e = [0.1, 0.1, 0.1, 1, 4, 100][l] * (0.5 + r()); return [s.name, { read: e, write: e, update: e }] as [string, Record<string, number>]; }),
    ]),
  };
  const Wstride = pick([1, 2]);
  const w = convWorkload(`c${i}`, { N: 1, C: small ? pick([1, 2]) : pick([1, 2, 3]), M: small ? pick([1, 2]) : pick([2, 4]), P: small ? pick([1, 2, 3]) : pick([2, 3, 4, 6]), Q: small ? 1 : pick([1, 2, 3]), R: pick([1, 2, 3]), S: small ? 1 : pick([1, 3]), Wstride, Hstride: 1 });
  const c = emptyConstraints(arch);
  const S = w.dataSpaces.length;
  const idx = (role: string) => w.dataSpaces.findIndex((d) => d.role === role);
  const [wi, ii, oi] = [idx('weight'), idx('input'), idx('output')];
  // Each register keeps its own tensor (the weight and output registers only sometimes) and bypasses the rest.
  const regs: [number, number, boolean][] = [[0, oi, r() < 0.6], [1, ii, true], [2, wi, r() < 0.6]];
  for (const [l, s, on] of regs) for (let t = 0; t < S; t++) (t === s && on ? c.levels[l].keep : c.levels[l].bypass).add(t);
  if (r() < 0.5) for (let t = 0; t < S; t++) c.levels[4].keep.add(t);
  const convention = i % 4 === 3 ? ('v3' as const) : ('v4' as const);
  const objective = (['energy', 'edp', 'delay'] as Objective[])[i % 3];
  return { w, arch, energy, c, convention, objective };
}

describe('one-word registers, one keeper, joint capacity', () => {
  it('bound ≤ cost on 120 random register designs with sliding windows; each rule binds somewhere', () => {
    const r = rng(4242);
    let checked = 0, oneWord = 0, oneOrder = 0, cases = 0;
    for (let i = 0; i < 120; i++) {
      const { w, arch, energy, c, convention, objective } = registerDesign(r, i);
      const S = w.dataSpaces.length;
      const plan = planEnergy(arch, energy, convention);
      const space = new MapSpace(w, arch, c);
      const p = compileProblem(w, arch);
      const ev = new Evaluator(p, { convention });
      const ctx = boundContext(w, arch, plan, objective, true);
      const noOne = { ...ctx, oneWord: new Uint8Array(space.L) };
      const g = space.newGenome();
      const rr = new Rng(7000 + i);
      let legal = 0;
      for (let k = 0; k < 120 && legal < 20; k++) {
        space.random(rr, g);
        const counts = ev.run(compileMapping(p, space.toMapping(g)));
        if (!space.fits(counts.utilizedCapacity, counts.kept)) continue;
        legal++;
        const t = totals(arch, counts, plan, S, operationCount(w));
        const cost = score(objective, t.energyPJ, t.cycles);
        for (const set of [Array(space.D).fill(true), Array.from({ length: space.D }, () => rr.next() < 0.5), Array(space.D).fill(false)]) {
          const v = viewOf(space, g, set);
          const b = boundOf(ctx, v);
          const label = `case ${i} (${objective}, ${convention}) mapping ${k} set ${set.map(Number).join('')}`;
          expectAtMostCost(b, t, cost, label);
          if (b.energyPJ > boundOf(noOne, v).energyPJ * (1 + 1e-9)) oneWord++;
          if ((b.parts.oneOrder ?? 0) > 1e-9 * b.energyPJ) oneOrder++;
          checked++;
        }
      }
      if (legal > 0) cases++;
    }
    expect(cases).toBeGreaterThanOrEqual(90);
    expect(checked).toBeGreaterThan(2000);
    // The one-word rule (sliding windows: every case's inputs) and R6 raise the bound in many views.
    expect(oneWord).toBeGreaterThan(200);
    expect(oneOrder).toBeGreaterThan(50);
    console.log(`register designs: ${cases} cases, ${checked} views checked, one-word rule raised ${oneWord}, R6 ${oneOrder}`);
  });

  it('the exact search finds the enumerated optimum of 60 small register designs', () => {
    const r = rng(4343);
    let n = 0, found = 0;
    for (let i = 0; i < 2000 && n < 60; i++) {
      const { w, arch, energy, c, convention, objective } = registerDesign(r, i, true);
      const space = new MapSpace(w, arch, c);
      const size = space.size();
      if (size > 4000) continue;
      n++;
      const plan = planEnergy(arch, energy, convention);
      const label = `case ${i} (${objective}, ${convention}, ${size} mappings)`;
      const all = search(w, arch, space, plan, { objective, seed: 1, evaluations: size, analysis: { convention } });
      expect(all.stats.exhaustive, label).toBe(true);
      const x = exactSearch(w, arch, space, plan, { objective, analysis: { convention } });
      expect(x.complete, label).toBe(true);
      if (!all.best) { expect(x.best, label).toBeNull(); continue; }
      found++;
      expect(score(objective, x.energyPJ, x.cycles), label).toBe(score(objective, all.energyPJ, all.cycles));
      expect(lowerBound(w, arch, plan, objective, c, true).score, label).toBeLessThanOrEqual(score(objective, all.energyPJ, all.cycles) * (1 + 1e-12));
    }
    expect(n).toBe(60);
    expect(found).toBeGreaterThan(40);
  });

  it('joint capacity: the backing store must move more when the tensors share the room than when each has it alone', () => {
    // A 1×1 convolution (a matrix product 16 × 16 × 64) with 96 words on chip: each operand alone
    // could keep a large share, all three together cannot.
    const w = convWorkload('gemm', { N: 1, C: 16, M: 16, P: 8, Q: 8, R: 1, S: 1 });
    const S = w.dataSpaces.length;
    const held = new Float64Array(S).fill(96);
    const price = new Float64Array(S).fill(1);
    const alone = backingStoreLeast(w, held, price, 1);
    const shared = backingStoreLeast(w, held, price, 1, 96);
    const roomy = backingStoreLeast(w, held, price, 1, 3 * 96);
    expect(shared).toBeGreaterThan(alone * 1.05);
    // Room for every tensor's share at once is no constraint at all.
    expect(roomy).toBe(alone);
  });
});
