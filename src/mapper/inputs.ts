/** What a mapper run takes from Timeloop-style inputs: constraints and the objective. */
import type { Arch } from '../arch/arch.js';
import type { Merged } from '../interop/timeloop/v4.js';
import { isObj } from '../spec/read.js';
import type { Workload } from '../workload/workload.js';
import { readConstraints, type Constraints } from './constraints.js';
import type { Objective } from './search.js';

/** Constraints from the `architecture_constraints`, `mapspace_constraints` and `constraints` sections. */
export function constraintsFrom(sections: Merged, w: Workload, arch: Arch): Constraints {
  const found = ['architecture_constraints', 'mapspace_constraints', 'constraints'].map((k) => sections.get(k)).filter((x) => x !== undefined);
  return readConstraints(found, w, arch);
}

/**
 * The first optimisation metric of a `mapper` section (v0.3 or v0.4
 * spelling); a mapper section that names none means Timeloop's default, EDP.
 * Undefined without a mapper section.
 */
export function objectiveFrom(sections: Merged): Objective | undefined {
  const mapper = sections.get('mapper')?.value;
  if (!isObj(mapper)) return undefined;
  const m = mapper.optimization_metrics ?? mapper['optimization-metrics'] ?? mapper.optimization_metric;
  const first = Array.isArray(m) ? m[0] : m;
  if (first === 'delay' || first === 'energy' || first === 'edp') return first;
  if (first === 'last_level_accesses') return 'energy';
  return 'edp';
}
