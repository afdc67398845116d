/** Random layers and designs with the knobs the bound's rules and the exact search depend on (deterministic). */
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import type { EnergyTable } from '../../src/energy/table.js';
import { emptyConstraints, type Constraints } from '../../src/mapping/constraints.js';
import type { Objective } from '../../src/mapper/search.js';
import { expect } from 'vitest';
import type { SpaceView } from '../../src/mapper/bound.js';
import type { Genome, MapSpace } from '../../src/mapper/space.js';
import { randomCase } from '../helpers/random.js';

/** A random case with the knobs the bound's rules depend on turned at random. */
export function randomBoundCase(r: () => number, i: number) {
  const base = randomCase(r);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const storage: StorageLevel[] = base.arch.storage.map((lv, l) => ({
    ...lv,
    blockSize: pick([1, 1, 2, 4]),
    clusterSize: lv.instances > 1 ? pick([1, 1, 2]) : 1,
    readBandwidth: r() < 0.3 ? pick([0.5, 1, 2, 4]) : null,
    writeBandwidth: r() < 0.3 ? pick([0.5, 1, 2]) : null,
    sharedBandwidth: r() < 0.2 ? pick([1, 2, 3]) : null,
    // Inner levels small enough that some mappings overflow them.
    sizeWords: l === base.arch.storage.length - 1 ? null : r() < 0.5 ? null : pick([1, 4, 16, 64, 256, 1024]),
  }));
  const arch: Arch = { ...base.arch, storage };
  const energy: EnergyTable = {
    source: 'test',
    components: new Map<string, Record<string, number>>([
      [arch.compute.name, { compute: 0.1 + r() }],
      ...arch.storage.map((s, l) => { const e = (l + 1) * (0.2 + 5 * r()); return [s.name, { read: e, write: e * (0.3 + r()), update: e * (0.3 + r()), leak: r() < 0.5 ? 0 : r() * 0.05 }] as [string, Record<string, number>]; }),
    ]),
  };
  const c: Constraints = emptyConstraints(arch);
  const L = arch.storage.length, S = base.w.dataSpaces.length;
  for (let l = 0; l < L - 1; l++) {
    for (let s = 0; s < S; s++) {
      const x = r();
      if (x < 0.3) c.levels[l].keep.add(s);
      else if (x < 0.5) c.levels[l].bypass.add(s);
    }
  }
  // Order prefixes (Timeloop's `permutation`): the listed dimensions innermost, in order.
  const D = base.w.dims.length;
  for (let l = 0; l < L; l++) {
    if (r() >= 0.3) continue;
    const n = 1 + Math.floor(r() * Math.min(3, D));
    const dims = [...Array(D).keys()];
    for (let k = 0; k < n; k++) { const j = k + Math.floor(r() * (D - k)); [dims[k], dims[j]] = [dims[j], dims[k]]; c.levels[l].temporalOrder.push(dims[k]); }
  }
  const convention = i % 4 === 3 ? ('v3' as const) : ('v4' as const);
  const objective = (['energy', 'delay', 'edp'] as Objective[])[i % 3];
  return { w: base.w, arch, energy, c, convention, objective };
}

/** The view of `space` that fixes g's keeps and the factors of the dimensions in `set`. */
export function viewOf(space: MapSpace, g: Genome, set: readonly boolean[]): SpaceView {
  const { L, D, S } = space;
  const fixed = Float64Array.from(space.fixed);
  const free = [...space.free], primes = [...space.primes];
  for (let d = 0; d < D; d++) {
    if (!set[d]) continue;
    for (let i = 0; i < L * 3; i++) fixed[i * D + d] = g.f[i * D + d];
    free[d] = []; primes[d] = [];
  }
  return { L, D, S, fixed, free, primes, keepFixed: Uint8Array.from(g.keep.subarray(0, L * S)), torder: space.torder };
}

/** A bound is at most the evaluated mapping's energy, cycles and score (with float slack on the sums). */
export function expectAtMostCost(b: { energyPJ: number; cycles: number; score: number }, t: { energyPJ: number; cycles: number }, cost: number, label: string): void {
  expect(b.energyPJ, label).toBeLessThanOrEqual(t.energyPJ * (1 + 1e-9));
  expect(b.cycles, label).toBeLessThanOrEqual(t.cycles);
  expect(b.score, label).toBeLessThanOrEqual(cost * (1 + 1e-9));
}
