/**
 * One sparse evaluation end to end: validate, count (the dense nest),
 * run the sparse pass on the counts, price the result. Dense inputs (no
 * optimization) go through the dense model unchanged.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { validateMapping } from '../mapping/validate.js';
import { compileMapping, compileProblem } from '../model/compile.js';
import { planEnergy } from '../model/cost.js';
import { evaluate, MAX_OPERATIONS } from '../model/model.js';
import { SpecError } from '../spec/errors.js';
import { Evaluator, type AnalysisOptions } from '../model/nest.js';
import { checkResult, type Result } from '../model/result.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { sparseCounts } from './analysis.js';
import { planSparseEnergy } from './cost.js';
import { sparseCostOf } from './cost.js';
import { SpatialFanoutError, SpatialSkipError } from './spatial-skip.js';
import { hasOptimizations, hasSpatialSkipping, type SparseSpec } from './spec.js';

/** Evaluate a mapping under sparsity (Sparseloop's semantics); without optimizations, the dense model's result. */
export function evaluateSparse(
  w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable, spec: SparseSpec | null | undefined,
  options: AnalysisOptions & { mappingFile?: string; workloadFile?: string } = {},
): Result {
  if (!spec || !hasOptimizations(spec)) {
    const r = evaluate(w, arch, mapping, energy, options);
    return spec && spec.warnings.length > 0 ? { ...r, warnings: [...r.warnings, ...spec.warnings] } : r;
  }
  const ops = operationCount(w);
  if (!(ops <= MAX_OPERATIONS)) throw new SpecError(options.workloadFile ?? '<workload>', 'bounds', 'a workload of at most 2^50 operations', String(ops));
  // A mapping whose tiles fit only compressed is legal: capacity is checked on the compressed tiles below;
  // one that fans out wider than the hardware is, under spatial skipping, if the reduced fanout fits (checked below).
  const spatial = hasSpatialSkipping(spec);
  validateMapping(w, arch, mapping, options.mappingFile ?? '<mapping>', { capacity: false, fanout: !spatial });
  // Sparseloop's Timeloop priced every action at its own ERT energy, also on
  // v0.3 inputs: the 2020 largest-access rule of the v3 convention is dense-only.
  const plan = planEnergy(arch, energy, 'v4', w.dataSpaces.map((d) => d.name));
  const p = compileProblem(w, arch);
  const ev = new Evaluator(p, options);
  const counts = ev.run(compileMapping(p, mapping));
  let sc;
  try {
    sc = sparseCounts(w, arch, mapping, counts, spec, { read: plan.read, convention: options.convention });
  } catch (e) {
    if (e instanceof SpatialFanoutError) throw new SpecError(options.mappingFile ?? '<mapping>', e.field, e.expected, e.got);
    if (e instanceof SpatialSkipError) throw new SpecError('<sparse_optimizations>', e.field, e.expected, e.got);
    throw e;
  }
  // Overflowing even compressed: the dense check's error, as before (a metadata overflow alone stays a warning).
  if (sc.capacityErrors.length > 0) validateMapping(w, arch, mapping, options.mappingFile ?? '<mapping>', { fanout: !spatial });
  const result = sparseCostOf(w, arch, spec, counts, sc, plan, planSparseEnergy(arch, energy, options.convention), ops);
  checkResult(result);
  return result;
}
