/**
 * Bounds on partial mappings (docs/mapper.md, "Refetch bounds"): the bound
 * of a view that fixes a mapping's keeps and some or all of its factors —
 * what the exact search prunes with — never exceeds that mapping's cost,
 * over random layers, designs, keeps, conventions and objectives; and the
 * refetch rule does bind (the view's bound rises above the whole space's).
 */
import { describe, expect, it } from 'vitest';
import { boundContext, boundOf, refetchFills } from '../../src/mapper/bound.js';
import { score } from '../../src/mapper/search.js';
import { MapSpace, SX, SY } from '../../src/mapper/space.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { Evaluator } from '../../src/model/nest.js';
import { operationCount } from '../../src/workload/workload.js';
import { Rng } from '../../src/util/rng.js';
import { rng } from '../helpers/random.js';
import { randomBoundCase, viewOf, expectAtMostCost } from './cases.js';


describe('bounds on partial mappings', () => {
  it('never exceed the cost of the mapping they fix part of: 240 random cases, full and partial views', () => {
    const r = rng(1919);
    let checked = 0, tighter = 0, refetching = 0, pureChecked = 0, readsChecked = 0, coupled = 0, oneOrder = 0;
    for (let i = 0; i < 240; i++) {
      const { w, arch, energy, c, convention, objective } = randomBoundCase(r, i);
      const plan = planEnergy(arch, energy, convention);
      const space = new MapSpace(w, arch, c);
      const p = compileProblem(w, arch);
      const ev = new Evaluator(p, { convention });
      const ctx = boundContext(w, arch, plan, objective, true);
      const whole = boundOf(ctx, space);
      const g = space.newGenome();
      const rr = new Rng(5000 + i);
      for (let k = 0; k < 40; k++) {
        space.random(rr, g);
        const counts = ev.run(compileMapping(p, space.toMapping(g)));
        if (!space.fits(counts.utilizedCapacity, counts.kept)) continue;
        const t = totals(arch, counts, plan, w.dataSpaces.length, operationCount(w));
        const cost = score(objective, t.energyPJ, t.cycles);
        const all = space.D;
        const sets = [Array(all).fill(true), Array.from({ length: all }, () => rr.next() < 0.5), Array(all).fill(false)];
        for (const set of sets) {
          const v = viewOf(space, g, set);
          const b = boundOf(ctx, v);
          const label = `case ${i} (${objective}, ${convention}) mapping ${k} set ${set.map(Number).join('')}`;
          expectAtMostCost(b, t, cost, label);
          // The refetch rule: a keeper's fills per instance (when its parent
          // level passes no tiles between neighbours), and its next keeper's
          // reads or updates per instance, are at least the walked tiles.
          const rf = refetchFills(ctx, v);
          const L = space.L, S = space.S;
          for (let s = 0; s < S; s++) {
            const rw = w.dataSpaces[s].readWrite;
            for (let l = 0; l < L - 1; l++) {
              const t = rf.tiles[s * L + l];
              if (!counts.kept[l * S + s] || t === 0) continue;
              let q = l + 1;
              while (q < L && !counts.kept[q * S + s]) q++;
              if (q === L) continue;
              const at = `${label} level ${l} tensor ${s}`;
              if (rf.sameTiles[s * L + l + 1]) {
                // v4 elides an output's first fill: its fills are the walk's minus the partition.
                const slack = rw ? counts.partitionSize[l * S + s] : 0;
                expect(counts.fills[l * S + s] + slack, at).toBeGreaterThanOrEqual(t * (1 - 1e-12));
                // Over all instances: the free dimensions' spatial factors counted once, in the walk or the instances.
                const inst = counts.utilizedInstances[l];
                expect((counts.fills[l * S + s] + slack) * inst, `${at} fills over instances`).toBeGreaterThanOrEqual(rf.fills[s * L + l] * rf.above[l] * (1 - 1e-12));
              }
              // Through bypassed levels, times the distinct child tiles of each level above one.
              let through = t, mult = 1;
              for (let f = l + 2; f <= q; f++) { through *= rf.distinct[s * L + f]; mult *= rf.distinct[s * L + f]; }
              const served = rw ? counts.updates[q * S + s] : counts.reads[q * S + s];
              expect(served, `${at} served by ${q}`).toBeGreaterThanOrEqual(through * (1 - 1e-12));
              expect(served * counts.utilizedInstances[q], `${at} served by ${q}, all instances`).toBeGreaterThanOrEqual(rf.up[s * L + l] * mult * rf.above[q] * (1 - 1e-12));
              if (t * rf.above[l] > ctx.words[s] * (1 + 1e-9)) refetching++;
            }
          }
          // The innermost keeper serves the operations over the children that share a tile at each level up to it.
          for (let s = 0; s < S; s++) {
            let k = 0;
            while (k < L && !counts.kept[k * S + s]) k++;
            const D = space.D;
            const fan0 = Array.from({ length: D }, (_, d) => g.f[(0 * 3 + SX) * D + d] * g.f[(0 * 3 + SY) * D + d]).reduce((a, b) => a * b, 1);
            if (k === L || !(fan0 <= 1 || rf.pureFan[s * L])) continue;
            let share = 1;
            for (let j = 0; j <= k; j++) for (let d = 0; d < D; d++) if (ctx.role[s * D + d] !== 1) share *= g.f[(j * 3 + SX) * D + d] * g.f[(j * 3 + SY) * D + d];
            const i = k * S + s;
            const n = (w.dataSpaces[s].readWrite ? counts.updates[i] : counts.reads[i]) * counts.utilizedInstances[k];
            expect(n, `${label} innermost keeper ${k} of tensor ${s}`).toBeGreaterThanOrEqual((operationCount(w) / share) * (1 - 1e-12));
            if (share < counts.utilizedCompute) pureChecked++;
          }
          // An output's reads at a keeper: its updates less the partitions, at most the box times the children sharing a tile above.
          for (let s = 0; s < S; s++) {
            if (!w.dataSpaces[s].readWrite || !ctx.allPure[s]) continue;
            const D = space.D;
            for (let l = 0; l < L; l++) {
              const i = l * S + s;
              if (!counts.kept[i]) continue;
              let up = 1;
              for (let f = l + 1; f < L; f++) for (let d = 0; d < D; d++) if (ctx.role[s * D + d] !== 1) up *= g.f[(f * 3 + SX) * D + d] * g.f[(f * 3 + SY) * D + d];
              const u = counts.updates[i] * counts.utilizedInstances[l];
              expect(counts.reads[i] * counts.utilizedInstances[l], `${label} output reads at ${l}`).toBeGreaterThanOrEqual(u - ctx.box[s] * up - 1e-6 * u);
              readsChecked++;
            }
          }
          if (b.energyPJ > whole.energyPJ * (1 + 1e-9)) tighter++;
          if ((b.parts.coupled ?? 0) > 1e-9 * b.energyPJ) coupled++;
          if ((b.parts.oneOrder ?? 0) > 1e-9 * b.energyPJ) oneOrder++;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3000);
    expect(refetching).toBeGreaterThan(100);
    expect(tighter).toBeGreaterThan(100);
    expect(pureChecked).toBeGreaterThan(100);
    expect(readsChecked).toBeGreaterThan(1000);
    expect(coupled).toBeGreaterThan(50);
    // R6 binds in views checked above (the one-word rule: test/mapper/bound-oneword.test.ts).
    expect(oneOrder).toBeGreaterThan(50);
  });
});
