/**
 * A mapping: for every storage level (innermost first, aligned with
 * `Arch.storage`), the temporal loops, the spatial loops over the level's
 * fanout, and which data spaces the level keeps.
 */

/**
 * One loop: iterate `factor` times over dimension `dim`. An imperfect loop
 * (Timeloop's `P=9,2`) has a `residual` below its factor: on the last pass
 * of the loops of the same dimension above it, it runs `residual` times
 * instead (docs/model.md, "Imperfect factorisation"). Absent: perfect.
 */
export interface Loop {
  readonly dim: number;
  readonly factor: number;
  readonly residual?: number;
}

/** A loop's residual: its iterations on the last pass (its factor when perfect). */
export function residualOf(l: Loop): number {
  return l.residual ?? l.factor;
}

/** Whether any loop of the mapping is imperfect (residual below factor). */
export function isImperfect(m: Mapping): boolean {
  return m.levels.some((lm) => [...lm.temporal, ...lm.spatial].some((l) => residualOf(l) < l.factor));
}

/** A spatial loop, unrolled over the X or Y axis of the fanout below a level. */
export interface SpatialLoop extends Loop {
  readonly axis: 'X' | 'Y';
}

/** The part of a mapping that belongs to one storage level. */
export interface LevelMapping {
  /** Temporal loops, innermost first. */
  readonly temporal: readonly Loop[];
  /** Spatial loops, innermost first. */
  readonly spatial: readonly SpatialLoop[];
  /** Per data space (workload order): true if this level holds a tile of it. */
  readonly keep: readonly boolean[];
}

/** A complete mapping of a workload onto an architecture. */
export interface Mapping {
  readonly levels: readonly LevelMapping[];
}
