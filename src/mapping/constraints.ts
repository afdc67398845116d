/**
 * Mapspace constraints per storage level: what a mapping must respect
 * beyond the architecture's own limits. Read from Timeloop's constraint
 * sections (`interop/timeloop/constraints.ts`) or set by a built-in design.
 */
import type { Arch } from '../arch/arch.js';

/** Constraints of one storage level (dimension and data-space indices of the workload). */
export interface LevelConstraints {
  /** Fixed temporal factors; 0 means "the remainder of the bound". */
  readonly temporalFactors: Map<number, number>;
  /** Dimensions that take the innermost temporal positions, in order. */
  readonly temporalOrder: number[];
  /** Fixed spatial factors; 0 means "the remainder of the bound". */
  readonly spatialFactors: Map<number, number>;
  /** Spatial dimensions in order (innermost first); with `split`, the first `split` go to X. */
  readonly spatialOrder: number[];
  readonly split: number | undefined;
  /** Data spaces the level must keep. */
  readonly keep: Set<number>;
  /** Data spaces the level must bypass. */
  readonly bypass: Set<number>;
  /**
   * Bounds on factors (Timeloop's `N<=128`, `M>=2`), dimension → bound;
   * absent when none was given. The mapspace keeps every mapping within
   * them (a spatial bound applies to the X × Y factor of the dimension).
   */
  readonly temporalMin?: Map<number, number>;
  readonly temporalMax?: Map<number, number>;
  readonly spatialMin?: Map<number, number>;
  readonly spatialMax?: Map<number, number>;
}

/** Constraints of a whole mapping, one entry per storage level (innermost first). */
export interface Constraints {
  readonly levels: LevelConstraints[];
  /**
   * Let the mapspace propose imperfect factors (a loop's last pass runs
   * fewer iterations) on awkward dimensions: see `MapSpace` (mapper/space.ts).
   * Candidates are then ranked by the exact partial-tile cost.
   */
  readonly imperfect?: boolean;
  /**
   * Spatial factors may exceed a level's fanout: spatial skipping checks
   * the fanout it leaves (src/sparse/spatial-skip.ts), and Timeloop's mapper
   * then drops its fanout filter (mapper.cpp:290, `filter_spatial_fanout`).
   */
  readonly overFanout?: boolean;
}

/** No constraints on one level. */
export function freeLevel(): LevelConstraints {
  return { temporalFactors: new Map(), temporalOrder: [], spatialFactors: new Map(), spatialOrder: [], split: undefined, keep: new Set(), bypass: new Set() };
}

/** No constraints at all on `arch`. */
export function emptyConstraints(arch: Arch): Constraints {
  return { levels: arch.storage.map(() => freeLevel()) };
}
