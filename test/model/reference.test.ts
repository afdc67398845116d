/**
 * Every dense Timeloop reference case through the model: counts exact,
 * cycles exact, energy within 0.01%. v4 cases use the default convention,
 * v3 (2020) cases the 'v3' convention (first fill of partial sums counted,
 * largest vector-access energy, shared blocks; see docs/model.md).
 */
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import { evaluate } from '../../src/model/model.js';
import { caseInputs, isDense, loadRefs, referenceAvailable, type RefCase } from '../helpers/reference.js';

const FIELDS = [
  ['reads', 'reads'],
  ['fills', 'fills'],
  ['updates', 'updates'],
  ['temporal_reductions', 'temporalReductions'],
  ['utilized_capacity', 'utilizedCapacity'],
] as const;

function checkEnergy(r: RefCase, res: ReturnType<typeof run>): void {
  const refE = r.metrics.energy_total_pJ_sum_of_detailed_stats!;
  expect(Math.abs(res.energyPJ - refE) / refE).toBeLessThan(1e-4);
  // Per level and tensor too: the stats print energies to 0.01 pJ.
  for (const lv of r.metrics.levels) {
    const mine = res.levels.find((l) => l.name === lv.name)!;
    for (const [ds, ref] of Object.entries(lv.dataspaces ?? {})) {
      if (ref.energy_total_pJ === undefined) continue;
      const e = mine.dataSpaces.find((x) => x.name === ds)!.energyPJ;
      expect(Math.abs(e - ref.energy_total_pJ), `${lv.name}.${ds}`).toBeLessThanOrEqual(Math.max(0.006, 1e-4 * ref.energy_total_pJ));
    }
  }
}

function run(r: RefCase) {
  const { inputs, ert } = caseInputs(r);
  const inp = loadInputs(inputs, ert);
  return evaluate(inp.workload, inp.arch, inp.mapping!, inp.energy!, { convention: r.snapshot === 'v4' ? 'v4' : 'v3' });
}

function compareCounts(r: RefCase, res: ReturnType<typeof run>): string[] {
  const bad: string[] = [];
  for (const lv of r.metrics.levels) {
    if (!lv.dataspaces) continue;
    const mine = res.levels.find((l) => l.name === lv.name);
    if (!mine) { bad.push(`missing level ${lv.name}`); continue; }
    for (const [ds, ref] of Object.entries(lv.dataspaces)) {
      const d = mine.dataSpaces.find((x) => x.name === ds);
      if (!d) { bad.push(`${lv.name}: ${ds} not kept`); continue; }
      for (const [rk, mk] of FIELDS) if (ref[rk] !== undefined && d[mk] !== ref[rk]) bad.push(`${lv.name}.${ds}.${rk}: ${d[mk]} != ${ref[rk]}`);
      if (ref.utilized_instances !== undefined && mine.utilizedInstances !== ref.utilized_instances) bad.push(`${lv.name}.utilized_instances: ${mine.utilizedInstances} != ${ref.utilized_instances}`);
    }
  }
  return bad;
}

const refs = referenceAvailable() ? loadRefs() : [];
const v4 = refs.filter((r) => r.snapshot === 'v4' && isDense(r));
const v3 = refs.filter((r) => r.snapshot === 'v3' && isDense(r));

describe.runIf(referenceAvailable())('Timeloop v4 reference cases (dense)', () => {
  it('covers every dense v4 case', () => {
    expect(v4.length).toBe(20);
  });
  for (const r of v4) {
    it(r.name, () => {
      const res = run(r);
      expect(compareCounts(r, res)).toEqual([]);
      expect(res.cycles).toBe(r.metrics.cycles);
      expect(res.computes).toBe(Number(r.metrics.computes));
      checkEnergy(r, res);
    });
  }
});

describe.runIf(referenceAvailable())('Timeloop v3 reference cases (dense), convention v3', () => {
  it('covers every dense v3 case, the processing-in-memory one included', () => {
    expect(v3.length).toBe(20);
  });
  for (const r of v3) {
    it(r.name, () => {
      const res = run(r);
      expect(compareCounts(r, res)).toEqual([]);
      expect(res.computes).toBe(Number(r.metrics.computes));
      expect(res.cycles).toBe(r.metrics.cycles);
      checkEnergy(r, res);
    });
  }
});
