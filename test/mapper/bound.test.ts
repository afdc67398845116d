/**
 * The lower bound (src/mapper/bound.ts, docs/mapper.md "Lower bounds"):
 * never above the cost of any mapping the model evaluates — random layers,
 * architectures (blocks, clusters, bandwidths, leakage), fixed keeps and
 * bypasses, both conventions, three objectives — nor above the true
 * optimum of small mapspaces enumerated whole; and tighter than the
 * compute-plus-backing-store bound it replaced where on-chip traffic is forced.
 */
import { describe, expect, it } from 'vitest';
import { lowerBound, usedWords } from '../../src/mapper/bound.js';
import { score, search } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { Rng } from '../../src/util/rng.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { Evaluator } from '../../src/model/nest.js';
import { operationCount } from '../../src/workload/workload.js';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import { convWorkload } from '../../src/workload/conv.js';
import type { EnergyTable } from '../../src/energy/table.js';
import { rng } from '../helpers/random.js';
import { randomBoundCase } from './cases.js';

describe('lower bound', () => {
  it("never exceeds the cost of any evaluated mapping (capacity rule on): 240 random layers, designs, constraints, conventions, objectives", () => {
    const r = rng(19);
    let checked = 0, cases = 0, tighter = 0;
    for (let i = 0; i < 240; i++) {
      const { w, arch, energy, c, convention, objective } = randomBoundCase(r, i);
      const plan = planEnergy(arch, energy, convention);
      const space = new MapSpace(w, arch, c);
      const p = compileProblem(w, arch);
      const ev = new Evaluator(p, { convention });
      const lb = lowerBound(w, arch, plan, objective, c, true);
      expect(lb.energyPJ).toBeGreaterThan(0);
      // The capacity rule only ever adds (docs/mapper.md, "Capacity bounds").
      const plain = lowerBound(w, arch, plan, objective, c);
      expect(lb.energyPJ).toBeGreaterThanOrEqual(plain.energyPJ);
      if (lb.energyPJ > plain.energyPJ * (1 + 1e-9)) tighter++;
      const g = space.newGenome();
      const rr = new Rng(1000 + i);
      let legal = 0;
      for (let k = 0; k < 60; k++) {
        space.random(rr, g);
        const counts = ev.run(compileMapping(p, space.toMapping(g)));
        if (!space.fits(counts.utilizedCapacity, counts.kept)) continue;
        const t = totals(arch, counts, plan, w.dataSpaces.length, operationCount(w));
        const label = `case ${i} (${objective}, ${convention}) mapping ${k}`;
        expect(lb.energyPJ, label).toBeLessThanOrEqual(t.energyPJ * (1 + 1e-12));
        expect(lb.cycles, label).toBeLessThanOrEqual(t.cycles);
        expect(lb.score, label).toBeLessThanOrEqual(score(objective, t.energyPJ, t.cycles) * (1 + 1e-12));
        checked++; legal++;
      }
      const found = search(w, arch, space, plan, { objective, seed: i, evaluations: 600, analysis: { convention } });
      if (found.best) {
        expect(lb.score, `case ${i}: the mapper's best`).toBeLessThanOrEqual(score(objective, found.energyPJ, found.cycles) * (1 + 1e-12));
        legal++;
      }
      if (legal > 0) cases++;
    }
    expect(cases).toBeGreaterThanOrEqual(200);
    expect(checked).toBeGreaterThan(4000);
    // Small inner levels (16-1024 words) make the capacity rule bind in some cases, which are then checked above.
    expect(tighter).toBeGreaterThan(0);
  });

  it('never exceeds the true optimum of small mapspaces enumerated whole', () => {
    const r = rng(23);
    let enumerated = 0;
    const pick = (xs: number[]) => xs[Math.floor(r() * xs.length)];
    for (let i = 0; i < 400 && enumerated < 40; i++) {
      const { arch, energy, c, convention, objective } = randomBoundCase(r, i);
      // A tiny layer on the random design: its raw mapspace is small enough to enumerate.
      const w = convWorkload(`tiny${i}`, { N: 1, C: pick([1, 2, 3]), M: pick([1, 2, 4]), P: pick([1, 2, 3]), Q: pick([1, 2]), R: pick([1, 3]), S: 1, Wstride: pick([1, 2]) });
      const space = new MapSpace(w, arch, c);
      const size = space.size();
      if (size > 3000) continue;
      const plan = planEnergy(arch, energy, convention);
      const all = search(w, arch, space, plan, { objective, seed: 1, evaluations: size, analysis: { convention } });
      expect(all.stats.exhaustive).toBe(true);
      enumerated++;
      if (!all.best) continue;
      const lb = lowerBound(w, arch, plan, objective, c, true);
      expect(lb.score, `case ${i}`).toBeLessThanOrEqual(score(objective, all.energyPJ, all.cycles) * (1 + 1e-12));
    }
    expect(enumerated).toBeGreaterThanOrEqual(20);
  });

  it('counts the words some operation touches, not the bounding box', () => {
    // Stride 2, R = 1: P = 4 touches input columns 0, 2, 4, 6 of a 7-wide box.
    const w = convWorkload('gaps', { N: 1, C: 1, M: 1, P: 4, Q: 1, R: 1, S: 1, Wstride: 2 });
    const inputs = w.dataSpaces.find((d) => d.role === 'input')!;
    expect(usedWords(inputs, w.bounds)).toBe(4);
    // Stride 1, R = 3: a sliding window touches P + R − 1 columns.
    const v = convWorkload('window', { N: 1, C: 2, M: 1, P: 4, Q: 1, R: 3, S: 1 });
    expect(usedWords(v.dataSpaces.find((d) => d.role === 'input')!, v.bounds)).toBe(2 * 6);
    // Two terms of one dimension are one loop: 2P + P over P = 4 is 4 words, not 10.
    expect(usedWords({ name: 'x', role: 'input', readWrite: false, ranks: [[{ dim: 0, coef: 2 }, { dim: 0, coef: 1 }]] }, [4])).toBe(4);
    // A dimension on two ranks (a diagonal): at least the larger rank's count.
    expect(usedWords({ name: 'y', role: 'input', readWrite: false, ranks: [[{ dim: 0, coef: 1 }], [{ dim: 0, coef: 1 }]] }, [5])).toBe(5);
  });

  it('a register file every operation must read from: the bound charges it once per operation', () => {
    const w = convWorkload('rf', { N: 1, C: 8, M: 8, P: 8, Q: 1, R: 1, S: 1 });
    const lv = (name: string, size: number | null): StorageLevel => ({ name, className: 'SRAM', instances: 1, meshX: 1, meshY: 1, sizeWords: size, wordBits: 8, blockSize: 1, clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip: size === null });
    const arch: Arch = { name: 'rf', compute: { name: 'mac', className: 'intmac', instances: 1, meshX: 1, meshY: 1 }, storage: [lv('RF', 64), lv('DRAM', null)] };
    const energy: EnergyTable = { source: 'test', components: new Map<string, Record<string, number>>([['mac', { compute: 1 }], ['RF', { read: 1, write: 1, update: 1 }], ['DRAM', { read: 100, write: 100, update: 100 }]]) };
    const plan = planEnergy(arch, energy);
    const c = emptyConstraints(arch);
    const free = lowerBound(w, arch, plan, 'energy', c);
    for (let s = 0; s < 3; s++) c.levels[0].keep.add(s);
    const kept = lowerBound(w, arch, plan, 'energy', c);
    // 512 operations, three tensors each read or updated once per operation
    // in the RF, at 1 pJ (cheaper there than in DRAM, so also without the keeps).
    expect(kept.parts.onChip).toBeGreaterThanOrEqual(3 * 512);
    expect(free.parts.onChip).toBeGreaterThanOrEqual(3 * 512);
    expect(kept.energyPJ).toBeGreaterThanOrEqual(free.energyPJ);
    const found = search(w, arch, new MapSpace(w, arch, c), plan, { objective: 'energy', seed: 1, evaluations: 3000 });
    expect(kept.energyPJ).toBeLessThanOrEqual(found.energyPJ);
  });
});
