/**
 * The mapper's seams: the named moves keep genomes legal, every strategy
 * honours its budget and is deterministic for a seed, the random baseline
 * never beats exhaustive search and does not beat annealing on average,
 * and user-caused mapspace failures are typed.
 */
import { describe, expect, it } from 'vitest';
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import { fanout } from '../../src/arch/arch.js';
import { validateMapping } from '../../src/mapping/validate.js';
import { annealStrategy } from '../../src/mapper/anneal.js';
import { emptyConstraints, type Constraints } from '../../src/mapping/constraints.js';
import { UnmappableError } from '../../src/mapper/errors.js';
import { Enumeration } from '../../src/mapper/exhaustive.js';
import { MOVE_NAMES, movesOf } from '../../src/mapper/moves.js';
import { search, searchWith, type Objective } from '../../src/mapper/search.js';
import { MapSpace, smallestPrime, SX, SY, type Genome } from '../../src/mapper/space.js';
import { planEnergy, type EnergyPlan } from '../../src/model/cost.js';
import { Rng } from '../../src/util/rng.js';
import { convWorkload } from '../../src/workload/conv.js';
import type { Workload } from '../../src/workload/workload.js';
import { randomCase, rng } from '../helpers/random.js';

function planFor(arch: Arch): EnergyPlan {
  return planEnergy(arch, {
    source: 'test',
    components: new Map<string, Record<string, number>>([
      [arch.compute.name, { compute: 1 }],
      ...arch.storage.map((s, l) => [s.name, { read: 2 + 10 * l, write: 2 + 10 * l, update: 2 + 10 * l, leak: 0 }] as [string, Record<string, number>]),
    ]),
  });
}

/** A random case with a capacity on the inner levels (so some candidates are illegal) and its space. */
function layer(seed: number, constrained = false) {
  const { w, arch: a } = randomCase(rng(seed));
  const arch: Arch = { ...a, storage: a.storage.map((s, l) => (l < a.storage.length - 1 ? { ...s, sizeWords: 64 << (3 * l) } : s)) };
  const c = emptyConstraints(arch);
  if (constrained) {
    // One fixed factor, an order prefix and a keep, as architecture constraints give.
    const d = w.bounds.findIndex((b) => b > 1);
    c.levels[arch.storage.length - 1].temporalFactors.set(d, w.bounds[d]);
    c.levels[0].temporalOrder.push(0, 1);
    c.levels[0].keep.add(0);
  }
  return { w, arch, c, plan: planFor(arch), space: new MapSpace(w, arch, c) };
}

/** Every invariant a genome of the space must hold (capacity aside: it is checked after evaluation). */
function expectLegal(w: Workload, arch: Arch, c: Constraints, space: MapSpace, g: Genome, label: string) {
  const { L, D, S } = space;
  expect(space.fanoutOk(g), label).toBe(true);
  for (let d = 0; d < D; d++) {
    let prod = 1;
    for (let i = 0; i < L * 3; i++) prod *= g.f[i * D + d];
    expect(prod, `${label}: product of ${w.dims[d]}`).toBe(w.bounds[d]);
  }
  for (let i = 0; i < space.fixed.length; i++) if (space.fixed[i]) expect(g.f[i], `${label}: fixed factor ${i}`).toBe(space.fixed[i]);
  for (let l = 0; l < L; l++) {
    const order = Array.from(g.perm.subarray(l * D, l * D + D));
    expect([...order].sort((a, b) => a - b), `${label}: order of level ${l}`).toEqual([...Array(D).keys()]);
    expect(order.slice(0, c.levels[l].temporalOrder.length)).toEqual(c.levels[l].temporalOrder);
    const fo = fanout(arch, l);
    if (fo.x <= 1) for (let d = 0; d < D; d++) expect(g.f[(l * 3 + SX) * D + d]).toBe(1);
    if (fo.y <= 1) for (let d = 0; d < D; d++) expect(g.f[(l * 3 + SY) * D + d]).toBe(1);
  }
  for (let i = 0; i < L * S; i++) if (space.keepFixed[i] !== 255) expect(g.keep[i], `${label}: keep ${i}`).toBe(space.keepFixed[i]);
  // And the plain mapping reads back as legal (factors and fanouts; capacity aside).
  const m = space.toMapping(g);
  validateMapping(w, { ...arch, storage: arch.storage.map((s) => ({ ...s, sizeWords: null })) }, m, label);
}

describe('named moves', () => {
  it('are the five the annealer mixes, each applied and each leaving a legal genome (or the genome untouched)', () => {
    const applied = new Map<string, number>(MOVE_NAMES.map((n) => [n, 0]));
    for (let seed = 1; seed <= 12; seed++) {
      const { w, arch, c, space } = layer(seed, seed % 2 === 0);
      const moves = movesOf(space);
      expect(moves.map((m) => m.name)).toEqual(MOVE_NAMES);
      const r = new Rng(seed);
      const g = space.newGenome(), before = space.newGenome();
      space.random(r, g);
      for (let k = 0; k < 300; k++) {
        const move = moves[k % moves.length];
        space.copy(g, before);
        if (move.apply(r, g)) {
          applied.set(move.name, applied.get(move.name)! + 1);
          expectLegal(w, arch, c, space, g, `case ${seed}, ${move.name}`);
        } else {
          expect([g.f, g.perm, g.keep].map((a) => Array.from(a)), `case ${seed}, ${move.name} declined`).toEqual([before.f, before.perm, before.keep].map((a) => Array.from(a)));
        }
      }
    }
    // change-pad applies only in spaces with imperfect factors (test/mapper/imperfect.test.ts).
    for (const [name, n] of applied) if (name !== 'change-pad') expect(n, name).toBeGreaterThan(20);
    expect(applied.get('change-pad')).toBe(0);
  });

  it('smallestPrime is trial division: right on small numbers and on a prime near 2^31', () => {
    for (let n = 2; n < 2000; n++) {
      let p = 2;
      while (n % p) p++;
      expect(smallestPrime(n)).toBe(p);
    }
    expect(smallestPrime(2147483647)).toBe(2147483647);
    expect(smallestPrime(46337 * 46337)).toBe(46337);
  });
});

describe('strategies', () => {
  it('anneal and random spend exactly the budget, are deterministic for a seed, and a different seed explores differently', () => {
    for (const strategy of ['anneal', 'random'] as const) {
      const { w, arch, space, plan } = layer(3);
      expect(space.size()).toBeGreaterThan(5000);
      const run = (seed: number) => search(w, arch, space, plan, { objective: 'edp', seed, evaluations: 5000, strategy });
      const a = run(4), b = run(4), other = run(5);
      expect(a.strategy).toBe(strategy);
      expect(a.stats.evaluated).toBe(5000);
      expect(a.stats.exhaustive).toBe(false);
      expect(a.stats.pruned).toBeGreaterThan(0);
      expect(b.energyPJ).toBe(a.energyPJ);
      expect(b.stats).toEqual({ ...a.stats, timeMs: b.stats.timeMs });
      expect(Array.from(b.best!.f)).toEqual(Array.from(a.best!.f));
      expect(Array.from(b.best!.perm)).toEqual(Array.from(a.best!.perm));
      expect(other.stats.bestAt !== a.stats.bestAt || other.energyPJ !== a.energyPJ || other.stats.pruned !== a.stats.pruned).toBe(true);
    }
  });

  it('annealing parameters are parameters: a different schedule gives a different, still budgeted, search', () => {
    const { w, arch, space, plan } = layer(3);
    const opts = { objective: 'edp' as Objective, seed: 4, evaluations: 5000 };
    const base = searchWith(w, arch, space, plan, opts, (ctx) => annealStrategy(ctx));
    const same = search(w, arch, space, plan, opts);
    expect(same.energyPJ).toBe(base.energyPJ);
    expect(same.stats.bestAt).toBe(base.stats.bestAt);
    const hot = searchWith(w, arch, space, plan, opts, (ctx) => annealStrategy(ctx, { samplingMax: 100, temperatureStart: 3, moves: { 'redeal-factors': 1, 'reorder-level': 0, 'move-prime': 0, 'swap-loops': 0, 'flip-bypass': 0, 'change-pad': 0 } }));
    expect(hot.stats.evaluated).toBe(5000);
    expect([hot.energyPJ, hot.stats.bestAt, hot.stats.pruned]).not.toEqual([base.energyPJ, base.stats.bestAt, base.stats.pruned]);
  });

  it('exhaustive visits each mapping within the fanouts once, stays within the budget, and random never beats it', () => {
    const lv = (name: string, size: number | null, n = 1): StorageLevel => ({ name, className: 'SRAM', instances: n, meshX: n, meshY: 1, sizeWords: size, wordBits: 8, blockSize: 1, clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip: size === null });
    const shapes = [{ C: 2, M: 1, R: 3, S: 1, P: 2, Q: 1 }, { C: 1, M: 2, R: 3, S: 1, P: 4, Q: 1 }, { C: 2, M: 2, R: 1, S: 1, P: 3, Q: 1 }];
    let enumerated = 0;
    for (const [i, shape] of shapes.entries()) {
      for (const pes of [1, 2]) {
        const w = convWorkload(`tiny${i}`, shape);
        const arch: Arch = { name: 'two-level', compute: { name: 'mac', className: 'intmac', instances: pes, meshX: pes, meshY: 1 }, storage: [lv('RF', 8, pes), lv('DRAM', null)] };
        const c = emptyConstraints(arch);
        const space = new MapSpace(w, arch, c);
        const plan = planFor(arch);
        const size = space.size();
        expect(size).toBeLessThan(20000);
        // The enumeration: distinct, legal, no more than the size bound.
        const g = space.newGenome();
        const it = new Enumeration(space, g);
        const seen = new Set<string>();
        while (it.next()) {
          expectLegal(w, arch, c, space, g, `tiny${i}`);
          seen.add([g.f, g.perm, g.keep].map((a) => a.join(',')).join('|'));
          enumerated++;
          if (seen.size > size) break;
        }
        expect(seen.size).toBeLessThanOrEqual(size);
        const all = search(w, arch, space, plan, { objective: 'energy', seed: 1, evaluations: size });
        expect(all.strategy).toBe('exhaustive');
        expect(all.stats.exhaustive).toBe(true);
        expect(all.stats.evaluated).toBe(seen.size);
        for (let seed = 1; seed <= 3; seed++) {
          // Random keeps sampling even when the space fits: it stays a baseline.
          const rnd = search(w, arch, space, plan, { objective: 'energy', seed, evaluations: size, strategy: 'random' });
          expect(rnd.strategy).toBe('random');
          expect(rnd.stats.evaluated).toBe(size);
          expect(all.energyPJ).toBeLessThanOrEqual(rnd.energyPJ);
        }
      }
    }
    expect(enumerated).toBeGreaterThan(100);
  });

  it('annealing beats or ties random sampling on average over a few layers (same budget, same seed)', () => {
    let logRatio = 0, wins = 0, losses = 0;
    const n = 8;
    for (let seed = 20; seed < 20 + n; seed++) {
      const { w, arch, space, plan } = layer(seed);
      const opts = { objective: 'edp' as Objective, seed, evaluations: 15000 };
      const sa = search(w, arch, space, plan, opts);
      const rnd = search(w, arch, space, plan, { ...opts, strategy: 'random' });
      expect(sa.best).not.toBeNull();
      const ratio = (sa.energyPJ * sa.cycles) / (rnd.energyPJ * rnd.cycles);
      logRatio += Math.log(ratio);
      if (ratio < 1) wins++;
      if (ratio > 1) losses++;
    }
    expect(logRatio / n).toBeLessThan(0);
    expect(wins).toBeGreaterThan(losses);
  });
});

describe('typed user errors', () => {
  it('constraints that leave a factor nowhere to go raise UnmappableError naming the dimension', () => {
    const { w, arch } = randomCase(rng(5));
    const c = emptyConstraints(arch);
    const d = w.bounds.findIndex((b) => b > 1);
    for (const lc of c.levels) { lc.temporalFactors.set(d, 1); lc.spatialFactors.set(d, 1); }
    expect(() => new MapSpace(w, arch, c)).toThrow(UnmappableError);
    expect(() => new MapSpace(w, arch, c)).toThrow(new RegExp(`remaining factor ${w.bounds[d]} of ${w.dims[d]}`));
  });
});
