/**
 * The sparse cost as a search's objective: what the mapper needs to rank a
 * candidate by its sparse energy and cycles and to check its compressed
 * tiles against the capacities. Everything that does not depend on the
 * mapping is resolved once, in {@link sparseObjective}; {@link SparseRanker}
 * holds the scratch that its evaluations recycle.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { planEnergy, type EnergyPlan } from '../model/cost.js';
import type { CompiledMapping } from '../model/compile.js';
import type { CountBuffers } from '../model/counts.js';
import type { Workload } from '../workload/workload.js';
import { OptimizationError } from './actions.js';
import { SparseScratch, sparseCounts } from './analysis.js';
import { planSparseEnergy, sparseTotals, type SparsePlan } from './cost.js';
import { RepresentationError } from './representation.js';
import { hasOptimizations, hasSpatialSkipping, type SparseSpec } from './spec.js';

/** What a search prices a candidate with under sparsity (plain data: it crosses to worker threads). */
export interface SparseObjective {
  readonly spec: SparseSpec;
  /** Sparseloop prices every action at its own ERT energy, also on v0.3 inputs (as `evaluateSparse`). */
  readonly plan: EnergyPlan;
  readonly sparsePlan: SparsePlan;
  readonly convention?: 'v4' | 'v3';
}

/** The objective of a sparse run, or null when the spec changes nothing (no optimization: the dense model is exact). */
export function sparseObjective(w: Workload, arch: Arch, energy: EnergyTable, spec: SparseSpec | null | undefined, convention?: 'v4' | 'v3'): SparseObjective | null {
  if (!spec || !hasOptimizations(spec)) return null;
  return {
    spec,
    plan: planEnergy(arch, energy, 'v4', w.dataSpaces.map((d) => d.name)),
    sparsePlan: planSparseEnergy(arch, energy, convention),
    ...(convention ? { convention } : {}),
  };
}

/** Ranks candidates of one (workload, arch) under a sparse objective; one per search. */
export class SparseRanker {
  private readonly scratch = new SparseScratch();
  private readonly out = { energyPJ: 0, cycles: 0 };
  private readonly S: number;
  private readonly prices: { read: ArrayLike<number>; convention?: 'v4' | 'v3' };
  /** Whether {@link cost} needs the candidate as a mapping (spatial skipping reads its loops' axes). */
  readonly needsMapping: boolean;
  constructor(private readonly w: Workload, private readonly arch: Arch, private readonly o: SparseObjective) {
    this.S = w.dataSpaces.length;
    this.needsMapping = hasSpatialSkipping(o.spec);
    this.prices = { read: o.plan.read, convention: o.convention };
  }

  /**
   * Sparse energy and cycles of a counted candidate, or null when it is
   * illegal under sparsity: its compressed tiles or metadata overflow a
   * level, or its loops cannot hold a tensor's representation (Timeloop
   * fails such an evaluation). The returned object is reused by the next call.
   * The candidate may be given as the compiled loops the counts came from
   * (no mapping object to make) unless {@link needsMapping}.
   */
  cost(mapping: Mapping | CompiledMapping, counts: CountBuffers): { readonly energyPJ: number; readonly cycles: number } | null {
    const { w, arch, o } = this;
    let sc;
    try {
      sc = sparseCounts(w, arch, mapping, counts, o.spec, this.prices, this.scratch, true);
    } catch (e) {
      if (e instanceof RepresentationError || e instanceof OptimizationError) return null;
      throw e;
    }
    if (sc.capacityErrors.length > 0) return null;
    return sparseTotals(arch, o.spec, counts, sc, o.plan, o.sparsePlan, this.S, this.out);
  }
}
