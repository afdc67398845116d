/**
 * One evaluation end to end: validate the mapping, count, cost, check.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { validateMapping } from '../mapping/validate.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { costOf, planEnergy } from './cost.js';
import { Evaluator, compileMapping, compileProblem, type AnalysisOptions } from './evaluator.js';
import { checkResult, type Result } from './result.js';

/** Evaluate one mapping. `mappingFile` names the mapping's source in errors. */
export function evaluate(
  w: Workload,
  arch: Arch,
  mapping: Mapping,
  energy: EnergyTable,
  options: AnalysisOptions & { mappingFile?: string } = {},
): Result {
  validateMapping(w, arch, mapping, options.mappingFile ?? '<mapping>');
  const plan = planEnergy(arch, energy, options.convention);
  const p = compileProblem(w, arch);
  const ev = new Evaluator(p, options);
  const counts = ev.run(compileMapping(p, mapping));
  const result = costOf(w, arch, counts, plan, operationCount(w));
  checkResult(result);
  return result;
}
