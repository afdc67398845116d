/**
 * Properties of the sparse engine on every sparse v4 reference design, at
 * many densities:
 * - all densities 1: exactly the dense counts and computes (formats and
 *   optimizations present but nothing to gate, skip or compress);
 * - actual + gated + skipped = algorithmic at a level that optimizes a
 *   tensor itself and holds it uncompressed; otherwise at most algorithmic
 *   (a compressed tile moves `algorithmic − ⌊algorithmic × (1 − d)⌋`, d its
 *   expected density — Timeloop's rounding, one above `algorithmic × d` at
 *   most — and below an optimized level the removed share is counted
 *   nowhere; the parity test pins the exact figures);
 * - skipping never raises a count: every count of a run whose gating is
 *   turned into skipping is at most the gated run's, and so are its cycles.
 */
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import { evaluate } from '../../src/model/model.js';
import type { Result } from '../../src/model/result.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import type { SparseSpec } from '../../src/sparse/spec.js';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { planEnergy } from '../../src/model/cost.js';
import { Evaluator } from '../../src/model/nest.js';
import { sparseCounts, SparseScratch } from '../../src/sparse/analysis.js';
import { planSparseEnergy, sparseCostOf, sparseTotals } from '../../src/sparse/cost.js';
import { operationCount } from '../../src/workload/workload.js';
import { caseInputs, loadRefs, referenceAvailable } from '../helpers/reference.js';

const refs = referenceAvailable() ? loadRefs().filter((r) => r.snapshot === 'v4' && /sparseloop/.test(r.name)) : [];
const cases = refs.map((r) => ({ name: r.name, inp: loadInputs(caseInputs(r).inputs, caseInputs(r).ert) })).filter((c) => c.inp.sparse);

const withDensity = (s: SparseSpec, d: (i: number) => number): SparseSpec => ({ ...s, densities: s.densities.map((x, i) => ({ ...x, density: d(i) })) });
const run = (c: (typeof cases)[number], s: SparseSpec): Result => evaluateSparse(c.inp.workload, c.inp.arch, c.inp.mapping!, c.inp.energy!, s);
const OPS = ['reads', 'fills', 'updates'] as const;

describe.runIf(referenceAvailable())('sparse engine properties', () => {
  it('has the sparse designs', () => { expect(cases.length).toBe(10); });
  it("a recycled scratch gives the same totals as fresh objects, case after case", () => {
    const scratch = new SparseScratch();
    for (let round = 0; round < 2; round++) for (const c of cases) {
      const { workload: w, arch, mapping, energy } = c.inp;
      const p = compileProblem(w, arch);
      const counts = new Evaluator(p).run(compileMapping(p, mapping!));
      const plan = planEnergy(arch, energy!);
      const sp = planSparseEnergy(arch, energy!);
      for (const d of [0.2, 1, 0.55]) {
        const s = withDensity(c.inp.sparse!, (i) => (i === 1 ? d : c.inp.sparse!.densities[i].density));
        const fresh = sparseTotals(arch, s, counts, sparseCounts(w, arch, mapping!, counts, s, { read: plan.read }), plan, sp, w.dataSpaces.length);
        const again = sparseTotals(arch, s, counts, sparseCounts(w, arch, mapping!, counts, s, { read: plan.read }, scratch), plan, sp, w.dataSpaces.length);
        expect(again.energyPJ, c.name).toBe(fresh.energyPJ);
        expect(again.cycles, c.name).toBe(fresh.cycles);
      }
    }
  });
  for (const c of cases) {
    it(`${c.name}: the search's totals equal the report's`, () => {
      const { workload: w, arch, mapping, energy } = c.inp;
      const p = compileProblem(w, arch);
      const counts = new Evaluator(p).run(compileMapping(p, mapping!));
      const plan = planEnergy(arch, energy!);
      const sp = planSparseEnergy(arch, energy!);
      for (const d of [0.1, 0.37, 0.8, 1]) {
        const s = withDensity(c.inp.sparse!, (i) => (i === 0 ? d : c.inp.sparse!.densities[i].density));
        const sc = sparseCounts(w, arch, mapping!, counts, s, { read: plan.read });
        const full = sparseCostOf(w, arch, s, counts, sc, plan, sp, operationCount(w));
        const t = sparseTotals(arch, s, counts, sc, plan, sp, w.dataSpaces.length);
        expect(t.cycles).toBe(full.cycles);
        expect(Math.abs(t.energyPJ - full.energyPJ)).toBeLessThanOrEqual(1e-12 * full.energyPJ);
      }
    });
    it(`${c.name}: densities 1 give the dense counts`, () => {
      const dense = evaluate(c.inp.workload, c.inp.arch, c.inp.mapping!, c.inp.energy!);
      const ones = run(c, withDensity(c.inp.sparse!, () => 1));
      expect(ones.levels[0].computeCounts!.actual).toBe(dense.computes);
      dense.levels.slice(1).forEach((l, li) => l.dataSpaces.forEach((d, di) => {
        const m = ones.levels[li + 1].dataSpaces[di];
        for (const k of [...OPS, 'temporalReductions', 'utilizedCapacity'] as const) expect(m[k], `${l.name}.${d.name}.${k}`).toBe(d[k]);
        for (const op of OPS) { expect(m.sparse!.gated[op]).toBe(0); expect(m.sparse!.skipped[op]).toBe(0); }
      }));
    });
    it(`${c.name}: actual + gated + skipped against algorithmic, and skipping never raises a count`, () => {
      const spec = c.inp.sparse!;
      for (const a of [0.05, 0.1, 0.25, 0.3, 0.43, 0.5, 0.77, 0.9]) for (const b of [0.2, 0.6, 1]) {
        const s = withDensity(spec, (i) => (i % 2 === 0 ? a : b));
        const res = run(c, s);
        const cc = res.levels[0].computeCounts!;
        expect(cc.actual + cc.gated + cc.skipped).toBeLessThanOrEqual(cc.algorithmic);
        res.levels.slice(1).forEach((l, li) => l.dataSpaces.forEach((d) => {
          const s0 = c.inp.workload.dataSpaces.findIndex((x) => x.name === d.name);
          const lvl = s.levels[li];
          const own = [...lvl.gating, ...lvl.skipping].some((g) => g.some((o) => o.target === s0));
          for (const op of OPS) {
            const alg = d.sparse!.algorithmic[op];
            const sum = d[op] + d.sparse!.gated[op] + d.sparse!.skipped[op];
            expect(sum, `${l.name}.${d.name}.${op} at ${a}/${b}`).toBeLessThanOrEqual(alg);
            if (own && d.sparse!.format.length === 0 && op !== 'fills') {
              // Exact unless an optimization further out already took its share.
              const outer = s.levels.slice(li + 1).some((x) => [...x.gating, ...x.skipping].some((g) => g.some((o) => o.target === s0)));
              if (!outer) expect(sum, `${l.name}.${d.name}.${op}`).toBe(alg);
            }
          }
        }));
        // Gating turned into skipping: no count, and no cycle count, goes up.
        if (spec.levels.some((x) => x.gating.length > 0)) {
          const skip: SparseSpec = { ...s, levels: s.levels.map((x) => ({ ...x, gating: [], skipping: [...x.skipping, ...x.gating] })) };
          const r2 = run(c, skip);
          expect(r2.cycles).toBeLessThanOrEqual(res.cycles);
          r2.levels.slice(1).forEach((l, li) => l.dataSpaces.forEach((d, di) => {
            const g = res.levels[li + 1].dataSpaces[di];
            for (const op of OPS) expect(d[op] + d.sparse!.gated[op], `${l.name}.${d.name}.${op}`).toBeLessThanOrEqual(g[op] + g.sparse!.gated[op]);
          }));
        }
      }
    });
  }
});
