/**
 * R5's joint cap (docs/mapper.md, R5, "joint cap") on designs built to
 * exercise it: a row-stationary-like PE with one scratchpad per tensor, a
 * buffer that keeps inputs and outputs while weights bypass it (as on the
 * built-in `eyeriss`), small capacities. Every view a random legal mapping
 * fixes (all, half, the first two, none of its dimensions) bounds at most
 * its cost, and the cap raises the bound in some of them.
 */
import { describe, expect, it } from 'vitest';
import { boundContext, boundOf } from '../../src/mapper/bound.js';
import { score } from '../../src/mapper/search.js';
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

/** Per-tensor scratchpads under a buffer that weights bypass, over DRAM. */
function bypassDesign(r: () => number, i: number) {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const pes = pick([1, 2, 4, 8]);
  const lv = (name: string, size: number | null, inst: number): StorageLevel => ({ name, className: 'SRAM', instances: inst, meshX: inst, meshY: 1, sizeWords: size, wordBits: 8, blockSize: pick([1, 1, 2]), clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip: size === null });
  const arch: Arch = {
    name: `bypass${i}`,
    compute: { name: 'mac', className: 'intmac', instances: pes, meshX: pes, meshY: 1 },
    storage: [lv('psum_spad', pick([2, 4, 8]), pes), lv('w_spad', pick([4, 8, 16, 32]), pes), lv('in_spad', pick([2, 4, 12]), pes), lv('buf', pick([16, 32, 64, 128, 256]), 1), lv('DRAM', null, 1)],
  };
  const energy: EnergyTable = {
    source: 'test',
    components: new Map<string, Record<string, number>>([
      ['mac', { compute: 0.5 }],
      ...arch.storage.map((s, l) => { const e = [1, 1, 1, 6, 200][l] * (0.5 + r()); return [s.name, { read: e, write: e, update: e }] as [string, Record<string, number>]; }),
    ]),
  };
  const w = convWorkload(`c${i}`, { N: 1, C: pick([1, 2, 4]), M: pick([2, 4, 8]), P: pick([2, 4, 6, 8]), Q: pick([1, 2, 4]), R: pick([1, 3]), S: pick([1, 3]), Wstride: pick([1, 1, 2]), Hstride: 1 });
  const c = emptyConstraints(arch);
  const S = w.dataSpaces.length;
  const idx = (role: string) => w.dataSpaces.findIndex((d) => d.role === role);
  const [wi, ii, oi] = [idx('weight'), idx('input'), idx('output')];
  // Each scratchpad keeps its own tensor; the buffer keeps inputs and outputs, weights bypass it.
  for (const [l, s] of [[0, oi], [1, wi], [2, ii]]) for (let t = 0; t < S; t++) (t === s ? c.levels[l].keep : c.levels[l].bypass).add(t);
  c.levels[3].keep.add(ii); c.levels[3].keep.add(oi); c.levels[3].bypass.add(wi);
  const convention = i % 4 === 3 ? ('v3' as const) : ('v4' as const);
  const objective = (['energy', 'edp', 'delay'] as Objective[])[i % 3];
  return { w, arch, energy, c, convention, objective };
}

describe('R5 joint cap: weights bypassing the buffer', () => {
  it('bound ≤ cost on 120 random bypass designs; the joint cap raises the bound in some views', () => {
    const r = rng(5151);
    let checked = 0, raised = 0, cases = 0;
    for (let i = 0; i < 120; i++) {
      const { w, arch, energy, c, convention, objective } = bypassDesign(r, i);
      const S = w.dataSpaces.length;
      const plan = planEnergy(arch, energy, convention);
      const space = new MapSpace(w, arch, c);
      const p = compileProblem(w, arch);
      const ev = new Evaluator(p, { convention });
      const ctx = boundContext(w, arch, plan, objective, true);
      const noCap = { ...ctx, pairCap: false };
      const g = space.newGenome();
      const rr = new Rng(9100 + i);
      let legal = 0;
      for (let k = 0; k < 400 && legal < 20; k++) {
        space.random(rr, g);
        const counts = ev.run(compileMapping(p, space.toMapping(g)));
        if (!space.fits(counts.utilizedCapacity, counts.kept)) continue;
        legal++;
        const t = totals(arch, counts, plan, S, operationCount(w));
        const cost = score(objective, t.energyPJ, t.cycles);
        const sets = [Array(space.D).fill(true), Array.from({ length: space.D }, () => rr.next() < 0.5), Array.from({ length: space.D }, (_, d) => d < 2), Array(space.D).fill(false)];
        for (const set of sets) {
          const v = viewOf(space, g, set);
          const b = boundOf(ctx, v);
          expectAtMostCost(b, t, cost, `case ${i} (${objective}, ${convention}) mapping ${k} set ${set.map(Number).join('')}`);
          if (b.energyPJ > boundOf(noCap, v).energyPJ * (1 + 1e-9)) raised++;
          checked++;
        }
      }
      if (legal > 0) cases++;
    }
    console.log(`bypass designs: ${cases} cases with a legal mapping, ${checked} views checked, joint cap raised ${raised}`);
    expect(cases).toBeGreaterThanOrEqual(100);
    expect(checked).toBeGreaterThan(2000);
    expect(raised).toBeGreaterThan(20);
  });
});
