/**
 * One evaluation end to end: validate the mapping, count, cost, check.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { validateMapping } from '../mapping/validate.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { costOf, planEnergy, type EnergyPlan } from './cost.js';
import { compileMapping, compileProblem, type CompiledMapping, type CompiledProblem } from './compile.js';
import { Evaluator, type AnalysisOptions } from './nest.js';
import { checkResult, type Result } from './result.js';
import { SpecError } from '../spec/errors.js';

/** Largest workload (operations) whose counts stay exact in double precision with headroom. */
export const MAX_OPERATIONS = 2 ** 50;

/** Evaluate one mapping. `mappingFile` names the mapping's source in errors. */
export function evaluate(
  w: Workload,
  arch: Arch,
  mapping: Mapping,
  energy: EnergyTable,
  options: AnalysisOptions & { mappingFile?: string; workloadFile?: string } = {},
): Result {
  // Counts must stay exact integers in double precision.
  const ops = operationCount(w);
  if (!(ops <= MAX_OPERATIONS)) {
    throw new SpecError(options.workloadFile ?? '<workload>', 'bounds', `a workload of at most 2^50 operations`, String(ops));
  }
  validateMapping(w, arch, mapping, options.mappingFile ?? '<mapping>');
  const plan = planEnergy(arch, energy, options.convention, w.dataSpaces.map((d) => d.name));
  const p = compileProblem(w, arch);
  const ev = new Evaluator(p, options);
  const compiled = compileMapping(p, mapping);
  const counts = ev.run(compiled);
  let result = costOf(w, arch, counts, plan, operationCount(w));
  if (result.partialTiles !== undefined) result = withOtherRule(w, arch, plan, p, compiled, options, result);
  checkResult(result);
  return result;
}

/**
 * An imperfect mapping's result also carries the other partial-tile rule's
 * totals, and a warning says how far Timeloop's figures are from the true
 * ones.
 */
function withOtherRule(w: Workload, arch: Arch, plan: EnergyPlan, p: CompiledProblem, m: CompiledMapping, options: AnalysisOptions, r: Result): Result {
  const mode = r.partialTiles!.mode;
  const otherMode = mode === 'timeloop' ? 'exact' : 'timeloop';
  const o = costOf(w, arch, new Evaluator(p, { ...options, partialTiles: otherMode }).run(m), plan, operationCount(w));
  const other = { mode: otherMode, computes: o.computes, cycles: o.cycles, energyPJ: o.energyPJ } as const;
  const [tl, ex] = mode === 'timeloop' ? [r, o] : [o, r];
  const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(2)}%`;
  const note = `imperfect factors: Timeloop's rule (${mode === 'timeloop' ? 'used; ' : ''}--partial-tiles timeloop) vs the true partial tiles (${mode === 'exact' ? 'used; ' : ''}--partial-tiles exact): ` +
    `computes ${tl.computes} vs ${ex.computes} (${pct(tl.computes, ex.computes)}), cycles ${tl.cycles} vs ${ex.cycles} (${pct(tl.cycles, ex.cycles)}), energy ${tl.energyPJ.toPrecision(6)} vs ${ex.energyPJ.toPrecision(6)} pJ (${pct(tl.energyPJ, ex.energyPJ)})`;
  return { ...r, partialTiles: { ...r.partialTiles!, other }, warnings: [...r.warnings, note] };
}
