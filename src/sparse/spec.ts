/**
 * What a sparse evaluation reads besides the dense inputs: the density of
 * each tensor, the representation format of each tensor at each storage
 * level, the action optimizations (gating, skipping) and the compute
 * optimizations — Timeloop v4's `sparse_optimizations` and
 * `problem.instance.densities`, in typed form, indexed by storage level and
 * data space (workload order), never by name.
 */

/** One rank's representation format (Sparseloop's per-rank formats). */
export type RankFormatName = 'UOP' | 'CP' | 'RLE' | 'B' | 'UB';

/** A rank of a tensor's representation at one level. */
export interface RankFormat {
  readonly format: RankFormatName;
  /** Metadata and payload word bits as written (undefined: the level's metadata word width). */
  readonly metadataWordBits?: number;
  readonly payloadWordBits?: number;
  /** Dimension groups (workload dimension indices) this rank may flatten together. */
  readonly flattened: readonly (readonly number[])[];
}

/** The representation of one tensor at one level: ranks outermost first, as written. */
export interface TensorFormat {
  readonly ranks: readonly RankFormat[];
  /** Timeloop's `rank_application_order`: ranks take the loops from the innermost (true) or the outermost. */
  readonly innerToOuter: boolean;
}

/** An action optimization: the target's accesses are gated or skipped when all of `conditionOn` are empty. */
export interface ConditionedOn {
  readonly target: number;
  readonly conditionOn: readonly number[];
}

/** Several options of one optimization: Timeloop keeps the one that saves the most read energy. */
export type OptimizationGroup = readonly ConditionedOn[];

/** Sparse optimizations of one storage level. */
export interface LevelSparsity {
  /** Per data space: its representation, or null (uncompressed, no metadata). */
  readonly formats: readonly (TensorFormat | null)[];
  readonly gating: readonly OptimizationGroup[];
  readonly skipping: readonly OptimizationGroup[];
  readonly spatialSkipping: readonly OptimizationGroup[];
  /** Metadata storage of the level: width in bits (0: none), default metadata word bits, depth (null: unbounded). */
  readonly metadataWidth: number;
  readonly metadataWordBits: number;
  readonly metadataDepth: number | null;
}

/**
 * A tensor's density model as the problem gives it (Timeloop's
 * `density_distribution`s, plus actual data). The engine asks it through
 * the dispatching queries of `tiles.ts`; `density` is always the tensor's
 * overall density (for banded and actual data, the one they imply).
 */
export interface DensitySpec {
  readonly distribution: 'fixed_structured' | 'hypergeometric' | 'banded' | 'actual';
  readonly density: number;
  /** hypergeometric: points of the whole tensor (Timeloop's `workload_tensor_size`; r = ceil(density × it) non-zeros). */
  readonly tensorSize?: number;
  /** banded: diagonals on either side of the main one (0: a diagonal matrix). */
  readonly bandWidth?: number;
  /** banded and actual: extents of the tensor's ranks (the data space's rank order). */
  readonly shape?: readonly number[];
  /** actual: the tensor's values (or a 0/1 mask), row-major over `shape`; non-zero counts. */
  readonly values?: ArrayLike<number>;
}

/** Whether a density model answers from a tile's size alone (the others need its extents per rank). */
export function sizeOnly(d: DensitySpec): boolean {
  return d.distribution === 'fixed_structured' || d.distribution === 'hypergeometric';
}

/** Everything sparse about one evaluation. */
export interface SparseSpec {
  /** Per data space: its density (1 when absent). */
  readonly densities: readonly DensitySpec[];
  /** Per storage level, innermost first (aligned with `Arch.storage`). */
  readonly levels: readonly LevelSparsity[];
  readonly compute: { readonly gateOnZeroOperand: boolean; readonly skipOnNotAlignedOperands: boolean };
  /** What was read but is not modelled, one line each. */
  readonly warnings: readonly string[];
}

/** Whether some level skips spatially (its mappings may then exceed the fanout: spatial-skip.ts checks what is left). */
export function hasSpatialSkipping(s: SparseSpec): boolean {
  return s.levels.some((l) => l.spatialSkipping.length > 0);
}

/** Whether any optimization or format is given (Timeloop's `no_optimization_applied` is the negation). */
export function hasOptimizations(s: SparseSpec): boolean {
  return s.compute.gateOnZeroOperand || s.compute.skipOnNotAlignedOperands ||
    s.levels.some((l) => l.gating.length + l.skipping.length + l.spatialSkipping.length > 0 || l.formats.some((f) => f !== null));
}

/** A spec with the given densities and no optimizations (what `--density` alone gives). */
export function densitiesOnly(levels: number, dataSpaces: number, densities: readonly DensitySpec[]): SparseSpec {
  return {
    densities,
    levels: Array.from({ length: levels }, () => ({
      formats: new Array<TensorFormat | null>(dataSpaces).fill(null), gating: [], skipping: [], spatialSkipping: [],
      metadataWidth: 0, metadataWordBits: 0, metadataDepth: null,
    })),
    compute: { gateOnZeroOperand: false, skipOnNotAlignedOperands: false },
    warnings: [],
  };
}
