/**
 * One evaluation end to end: validate the mapping, count, cost, check.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { validateMapping } from '../mapping/validate.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { costOf, planEnergy } from './cost.js';
import { compileMapping, compileProblem } from './compile.js';
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
  const counts = ev.run(compileMapping(p, mapping));
  const result = costOf(w, arch, counts, plan, operationCount(w));
  checkResult(result);
  return result;
}
