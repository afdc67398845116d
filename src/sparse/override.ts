/**
 * Densities from outside the inputs (the CLI's `--density`): by tensor
 * name or role, replacing the density of the problem's model. A
 * hypergeometric tensor stays hypergeometric (same tensor size); banded and
 * actual data imply their density, so a density given for them makes the
 * tensor fixed-structured (said in a warning).
 */
import { SpecError } from '../spec/errors.js';
import type { Workload } from '../workload/workload.js';
import { densitiesOnly, hasOptimizations, type DensitySpec, type SparseSpec } from './spec.js';

/**
 * The spec with the given densities (`key`: a tensor name or a role). A
 * key that names no tensor is a user error. Without sparse optimizations
 * the densities change no count (as in Timeloop), which the returned
 * warnings say.
 */
export function withDensities(w: Workload, levels: number, spec: SparseSpec | undefined, given: ReadonlyMap<string, number>, source = '<command line>'): SparseSpec {
  const base = spec ?? densitiesOnly(levels, w.dataSpaces.length, w.dataSpaces.map(() => ({ distribution: 'fixed_structured', density: 1 })));
  const densities = [...base.densities];
  const warnings = [...base.warnings];
  for (const [k, d] of given) {
    const hits = w.dataSpaces.flatMap((ds, s) => (ds.name === k || ds.role === k.toLowerCase().replace(/s$/, '') ? [s] : []));
    if (hits.length === 0) throw new SpecError(source, `--density ${k}`, `a tensor of ${w.name} or a role (${w.dataSpaces.map((x) => x.name).join(', ')}; weight, input, output)`, k);
    for (const s of hits) densities[s] = overridden(densities[s], d, w.dataSpaces[s].name, warnings);
  }
  if (!hasOptimizations(base)) warnings.push('densities given but the design has no sparse optimizations (formats, gating, skipping): every count stays dense, as in Timeloop');
  return { ...base, densities, warnings };
}

function overridden(was: DensitySpec, d: number, name: string, warnings: string[]): DensitySpec {
  if (was.distribution === 'hypergeometric') return { distribution: 'hypergeometric', density: d, tensorSize: was.tensorSize };
  if (was.distribution === 'banded' || was.distribution === 'actual') warnings.push(`--density ${name}=${d} replaces its ${was.distribution} model by fixed-structured at that density`);
  return { distribution: 'fixed_structured', density: d };
}
