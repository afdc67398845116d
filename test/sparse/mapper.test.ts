/**
 * The mapper under sparsity: ranked by the sparse cost, a search finds
 * mappings whose sparse cost is at most that of the dense-ranked winner,
 * strictly lower where skipping or compression changes which mapping wins,
 * and a mapping whose tiles fit only compressed is legal.
 */
import { describe, expect, it } from 'vitest';
import { fanout } from '../../src/arch/arch.js';
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom } from '../../src/interop/timeloop/constraints.js';
import { validateMapping } from '../../src/mapping/validate.js';
import { mapLayer } from '../../src/mapper/map.js';
import { runMapper } from '../../src/mapper/run.js';
import { MapSpace } from '../../src/mapper/space.js';
import { planEnergy } from '../../src/model/cost.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import { sparseObjective } from '../../src/sparse/objective.js';
import { caseInputs, loadRefs, referenceAvailable } from '../helpers/reference.js';

function load(name: string) {
  const r = loadRefs().find((x) => x.name === name)!;
  const ci = caseInputs(r);
  // The problem, architecture and sparse optimizations, not the reference's mapping: the mapper finds its own.
  const inp = loadInputs(ci.inputs.filter((f) => !f.endsWith('.map.yaml')), ci.ert);
  return { inp, constraints: constraintsFrom(inp.sections, inp.workload, inp.arch) };
}

describe.runIf(referenceAvailable())('mapper under sparsity', () => {
  for (const name of ['v4-ex-sparseloop-03.2.1-conv1d', 'v4-ex-sparseloop-02.2.2-spMspM-tiled']) {
    it(`${name}: the sparse-ranked winner costs less under sparsity than the dense-ranked one`, async () => {
      const { inp, constraints } = load(name);
      const { workload: w, arch, energy, sparse } = inp;
      const o = { objective: 'energy' as const, seed: 3, evaluations: 10_000 };
      const s = await mapLayer(w, arch, energy!, constraints, { ...o, sparse });
      const d = await mapLayer(w, arch, energy!, constraints, o);
      // Both spaces were enumerated: each winner is the optimum under its own ranking.
      expect(s.stats.exhaustive && d.stats.exhaustive).toBe(true);
      const dAtSparse = evaluateSparse(w, arch, d.mapping, energy!, sparse);
      expect(s.result.energyPJ).toBeLessThan(dAtSparse.energyPJ);
      expect(s.score).toBe(s.result.energyPJ);
      // No dense bound is claimed under sparsity.
      expect(s.proven).toBe(0);
      expect(s.optimal).toBe(false);
    });
  }

  it('spMspM-tiled: the sparse winner fits its buffer only compressed, and is legal', async () => {
    const { inp, constraints } = load('v4-ex-sparseloop-02.2.2-spMspM-tiled');
    const { workload: w, arch, energy, sparse } = inp;
    const s = await mapLayer(w, arch, energy!, constraints, { objective: 'energy', seed: 3, evaluations: 10_000, sparse });
    expect(() => validateMapping(w, arch, s.mapping, 'x')).toThrow(/tiles that fit/);
    expect(s.result.warnings.some((x) => x.startsWith('capacity'))).toBe(false);
  });

  it('eyeriss-like mapspace search: over the same random samples, the sparse ranking never does worse, and the search prices as the full evaluation', async () => {
    const { inp, constraints } = load('v4-ex-sparseloop-04.2.2-eyeriss-like-gating-mapspace-search');
    const { workload: w, arch, energy, sparse } = inp;
    const plan = planEnergy(arch, energy!, 'v4', w.dataSpaces.map((x) => x.name));
    const obj = sparseObjective(w, arch, energy!, sparse)!;
    expect(obj).not.toBeNull();
    // Random sampling draws the same candidates whatever the ranking.
    const run = (sp: typeof obj | null) => runMapper(w, arch, constraints, plan, { objective: 'edp', seed: 11, threads: 1, evaluations: 1500, strategy: 'random', sparse: sp });
    const rs = await run(obj), rd = await run(null);
    const space = new MapSpace(w, arch, constraints);
    const atSparse = (g: NonNullable<typeof rs.best>) => evaluateSparse(w, arch, space.toMapping(g), energy!, sparse);
    const s = atSparse(rs.best!), d = atSparse(rd.best!);
    expect(s.energyPJ * s.cycles).toBeLessThanOrEqual(d.energyPJ * d.cycles);
    expect(Math.abs(rs.energyPJ - s.energyPJ)).toBeLessThanOrEqual(1e-9 * s.energyPJ);
    expect(rs.cycles).toBe(s.cycles);
  });

  it('the exact strategy does not rank under sparsity', async () => {
    const { inp, constraints } = load('v4-ex-sparseloop-03.2.1-conv1d');
    const { workload: w, arch, energy, sparse } = inp;
    const plan = planEnergy(arch, energy!);
    await expect(runMapper(w, arch, constraints, plan, { objective: 'energy', seed: 1, threads: 1, evaluations: 100, strategy: 'exact', sparse: sparseObjective(w, arch, energy!, sparse) })).rejects.toThrow(/exact/);
    const m = await mapLayer(w, arch, energy!, constraints, { objective: 'energy', seed: 1, evaluations: 100, strategy: 'exact', sparse });
    expect(m.stats.exact).toBeUndefined();
  });

  it('spatial skipping: the mapspace may exceed the fanout, as Timeloop\'s mapper drops its fanout filter; the search finds Timeloop\'s mapper result', async () => {
    const r = loadRefs().find((x) => x.name === 'v3-bd-sparse_tensor_core_like')!;
    const ci = caseInputs(r);
    const files = ci.inputs.filter((f) => !f.endsWith('.map.txt'));
    const inp = loadInputs(files, ci.ert);
    const { workload: w, arch, energy, sparse } = inp;
    // The constraints fix RF's spatial factors at 16 × 32 = 512 over a fanout of 256: only spatial skipping makes them legal.
    expect(() => constraintsFrom(inp.sections, w, arch)).toThrow(/fits the fanout of RF \(256\)/);
    const constraints = constraintsFrom(inp.sections, w, arch, true);
    const m = await mapLayer(w, arch, energy!, constraints, { objective: 'delay', seed: 1, evaluations: 5000, sparse, convention: 'v3' });
    const rf = arch.storage.findIndex((l) => l.name === 'RF');
    const wide = m.mapping.levels[rf].spatial.reduce((p, x) => p * x.factor, 1);
    expect(wide).toBeGreaterThan(fanout(arch, rf).total);
    expect(m.result.cycles).toBe(r.metrics.cycles);
    expect(Math.abs(m.result.energyPJ - r.metrics.energy_total_pJ_sum_of_detailed_stats!) / m.result.energyPJ).toBeLessThan(1e-4);
    // Without spatial skipping the same wide mapping is refused by the model.
    const dense = { ...sparse!, levels: sparse!.levels.map((l) => ({ ...l, spatialSkipping: [] })) };
    expect(() => evaluateSparse(w, arch, m.mapping, energy!, dense, { convention: 'v3' })).toThrow(/fanout/);
  });
});
