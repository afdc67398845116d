/**
 * The loop structure the sparse analysis reads (Timeloop's
 * `complete_loop_nest`): per storage level, innermost first, a spatial part
 * (one loop per dimension, when the level fans out) inside a temporal part
 * (one loop per dimension), trivial loops included; and the operation-space
 * box ("mold") that each loop closes. Also the fixed-structured density
 * model with Timeloop's floor/ceil rule, optionally conditioned on a
 * parent tile's occupancy.
 */
import type { Mapping } from '../mapping/mapping.js';
import type { DataSpace, Workload } from '../workload/workload.js';

/** One loop of the complete nest. */
export interface NestLoop {
  readonly dim: number;
  readonly factor: number;
  readonly spatial: boolean;
  readonly level: number;
}

/**
 * The complete nest: loops per level (innermost first) and each loop's
 * mold (extent per dimension, inclusive of the loop), flat: the mold of
 * loop i of level l starts at `moldAt[l][i]` in `molds` (D entries).
 * `molds` is a scratch buffer the next call overwrites: read it before then.
 */
export interface CompleteNest {
  readonly levels: readonly (readonly NestLoop[])[];
  readonly molds: Float64Array;
  readonly moldAt: readonly (readonly number[])[];
}

/**
 * Build the complete nest of a mapping. `spatialLevels[l]`: whether level l
 * fans out to its children (Timeloop then has a spatial tiling level there).
 * Trivial loops fill each part after the mapping's own loops.
 */
export function completeNest(w: Workload, m: Mapping, spatialLevels: readonly boolean[]): CompleteNest {
  const D = w.dims.length;
  const levels: NestLoop[][] = [];
  const moldAt: number[][] = [];
  const ext = EXT.length >= D ? EXT : (EXT = new Float64Array(D));
  ext.fill(1, 0, D);
  const seen = SEEN.length >= D ? SEEN : (SEEN = new Uint8Array(D));
  const total = (m.levels.length * 2 * D + 1) * D;
  // The molds live only as long as the pass that asked for them: one buffer, grown, serves every call.
  const molds = MOLDS.length >= total ? MOLDS : (MOLDS = new Float64Array(total));
  // A trivial loop closes the same mold as the loop before it: it points at that one, so only non-trivial loops write.
  for (let d = 0; d < D; d++) molds[d] = 1;
  let at = D, last = 0;
  for (let l = 0; l < m.levels.length; l++) {
    const lm = m.levels[l];
    const loops: NestLoop[] = [];
    const part = (given: readonly { dim: number; factor: number }[], spatial: boolean) => {
      seen.fill(0, 0, D);
      for (const g of given) { loops.push({ dim: g.dim, factor: g.factor, spatial, level: l }); seen[g.dim] = 1; }
      for (let d = 0; d < D; d++) if (!seen[d]) loops.push(trivialLoop(l, spatial, d));
    };
    if (spatialLevels[l] || lm.spatial.length > 0) part(lm.spatial, true);
    part(lm.temporal, false);
    const ms: number[] = new Array(loops.length);
    for (let i = 0; i < loops.length; i++) {
      const lp = loops[i];
      if (lp.factor !== 1) {
        ext[lp.dim] *= lp.factor;
        for (let d = 0; d < D; d++) molds[at + d] = ext[d];
        last = at;
        at += D;
      }
      ms[i] = last;
    }
    levels.push(loops);
    moldAt.push(ms);
  }
  return { levels, molds, moldAt };
}

let MOLDS = new Float64Array(0);
let EXT = new Float64Array(0);
let SEEN = new Uint8Array(0);
// Trivial loops are immutable and the same in every nest: made once.
const TRIVIAL: NestLoop[][][] = [];
function trivialLoop(level: number, spatial: boolean, dim: number): NestLoop {
  const byLevel = TRIVIAL[level] ?? (TRIVIAL[level] = [[], []]);
  const row = byLevel[spatial ? 1 : 0];
  return row[dim] ?? (row[dim] = { dim, factor: 1, spatial, level });
}

/** Dimensions a data space's coordinates depend on (computed once per data space; do not mutate). */
export function dimsOf(ds: DataSpace, D: number): boolean[] {
  let out = DIMS.get(ds);
  if (out && out.length === D) return out;
  out = new Array<boolean>(D).fill(false);
  for (const r of ds.ranks) for (const t of r) if (t.coef !== 0) out[t.dim] = true;
  DIMS.set(ds, out);
  return out;
}
const DIMS = new WeakMap<DataSpace, boolean[]>();

/** Size of a data space's tile over an operation box of the given extents (Timeloop's AAHR projection), read at `offset`. */
export function tileOf(ds: DataSpace, ext: ArrayLike<number>, offset = 0): number {
  let size = 1;
  for (const rank of ds.ranks) {
    let span = 1;
    for (const t of rank) span += t.coef * (ext[offset + t.dim] - 1);
    size *= span;
  }
  return size;
}

/**
 * Fixed-structured occupancy probability of a tile of `shape` points:
 * `shape × density` non-zeros, floor or ceiling in proportion to the
 * fraction. `density` is the tensor's, or the parent tile's occupancy over
 * its shape when conditioned on it.
 */
export function fixedProbability(shape: number, density: number, occupancy: number): number {
  const exact = shape * density;
  const fl = Math.floor(exact);
  const pc = exact - fl;
  if (fl === occupancy) return 1 - pc;
  if (Math.ceil(exact) === occupancy) return pc;
  return 0;
}

/** Occupancy at confidence 1 (the worst case): the ceiling, unless exact. */
export function fixedMaxOccupancy(shape: number, density: number): number {
  const exact = shape * density;
  const pf = 1 - (exact - Math.floor(exact));
  return 1 <= pf ? Math.floor(exact) : Math.ceil(exact);
}

/** Smallest occupancy a tile can have. */
export function fixedMinOccupancy(shape: number, density: number): number {
  if (shape === 0) return 0;
  const minDensity = Math.floor(shape * density) / shape;
  return Math.floor(minDensity * shape);
}
