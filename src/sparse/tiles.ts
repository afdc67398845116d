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
import { ActualTensor, TimeloopBanded, type OccupancyTable } from './density.js';
import type { FlatNest } from './nest.js';
import { conditionedEmpty, HypergeometricTensor, type PmfTable } from './hypergeometric.js';
import { sizeOnly, type DensitySpec, type SparseSpec } from './spec.js';

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

// ---------------------------------------------------------------------------
// Density-model dispatch: every query the sparse pass makes of a tensor's
// density, answered by its model (Timeloop's DensityDistribution calls; the
// call sites and rules are in docs/model.md, "Density models").
// Fixed-structured answers first, inline, with the formulas above: the
// mapper's inner loop pays one comparison for the others.

type ModelState = HypergeometricTensor | TimeloopBanded | ActualTensor;
const STATES = new WeakMap<DensitySpec, ModelState>();

function stateOf(d: DensitySpec): ModelState {
  let s = STATES.get(d);
  if (s) return s;
  if (d.distribution === 'hypergeometric') {
    if (!(d.tensorSize !== undefined && Number.isSafeInteger(d.tensorSize) && d.tensorSize >= 1)) throw new RangeError('a hypergeometric density needs the tensor size (points of the whole tensor)');
    s = new HypergeometricTensor(d.density, d.tensorSize);
  } else if (d.distribution === 'banded') {
    const sh = d.shape;
    if (!sh || sh.length !== 2 || sh[0] !== sh[1]) throw new RangeError(`a banded density needs a square matrix (Timeloop's rule), got ${sh ? sh.join('×') : 'no shape'}`);
    s = new TimeloopBanded(sh[0], d.bandWidth ?? 0);
  } else if (d.distribution === 'actual') {
    if (!d.values || !d.shape) throw new RangeError('an actual-data density needs the values and the shape of the tensor');
    s = new ActualTensor(d.values, d.shape);
  } else throw new RangeError(`no model state for ${d.distribution}`);
  STATES.set(d, s);
  return s;
}

/** Per model needing a tile's extents: the extents of each tile size the current nest has (first wins). */
const EXTENTS = new WeakMap<DensitySpec, Map<number, number[]>>();

function extentsOf(d: DensitySpec, shape: number): number[] | null {
  const e = EXTENTS.get(d)?.get(shape);
  if (e) return e;
  return shape === 1 ? new Array<number>(d.shape?.length ?? 1).fill(1) : null;
}

// A tile size no mold of the nest has (not expected: every query comes from a mold) is answered as if the
// tensor's non-zeros were placed at random (hypergeometric, same tensor and density) rather than failing.
const FALLBACK = new WeakMap<DensitySpec, { h: HypergeometricTensor; tables: Map<number, OccupancyTable> }>();
function fallbackTable(d: DensitySpec, st: TimeloopBanded | ActualTensor, shape: number): OccupancyTable {
  let f = FALLBACK.get(d);
  if (!f) {
    let N = 1;
    for (const x of d.shape ?? [shape]) N *= x;
    f = { h: new HypergeometricTensor(st.density, N), tables: new Map() };
    FALLBACK.set(d, f);
  }
  let t = f.tables.get(shape);
  if (!t) {
    const p = f.h.table(shape);
    t = { keys: Array.from(p.p, (_, i) => p.lo + i), probs: Array.from(p.p) };
    f.tables.set(shape, t);
  }
  return t;
}

/** Rank extents of a data space's tile over an operation-space box read at `offset`. */
export function rankExtents(ds: DataSpace, ext: ArrayLike<number>, offset = 0): number[] {
  return ds.ranks.map((rank) => {
    let span = 1;
    for (const t of rank) span += t.coef * (ext[offset + t.dim] - 1);
    return span;
  });
}

const EXTENT_SPACES = new WeakMap<SparseSpec, number[]>();

/**
 * Record, for the models that need a tile's extents (banded, actual), the
 * extents of every tile the nest can ask about (each mold's projection on
 * the tensor, loop by loop over the nest's `L` levels; the whole tensor).
 * Does nothing (one lookup) for specs of fixed-structured and
 * hypergeometric densities only; the pass calls it only when some model
 * needs extents.
 */
export function bindExtents(spec: SparseSpec, w: Workload, nest: FlatNest, L: number): void {
  let spaces = EXTENT_SPACES.get(spec);
  if (!spaces) {
    spaces = [];
    spec.densities.forEach((d, s) => { if (!sizeOnly(d)) spaces!.push(s); });
    EXTENT_SPACES.set(spec, spaces);
  }
  if (spaces.length === 0) return;
  for (const s of spaces) {
    const d = spec.densities[s], ds = w.dataSpaces[s];
    const map = new Map<number, number[]>();
    const add = (e: number[]) => { let n = 1; for (const x of e) n *= x; if (!map.has(n)) map.set(n, e); };
    add(ds.ranks.map(() => 1));
    for (let k = 0, n = nest.start[L]; k < n; k++) add(rankExtents(ds, nest.molds, nest.moldAt[k]));
    add(d.shape ? [...d.shape] : rankExtents(ds, w.bounds));
    EXTENTS.set(d, map);
  }
}

let LAST_D: DensitySpec | null = null, LAST_N = -1, LAST_T: PmfTable | null = null;

function tableProbability(t: OccupancyTable, k: number): number {
  const i = t.keys.indexOf(k);
  return i < 0 ? 0 : t.probs[i];
}

function tableOf(d: DensitySpec, st: TimeloopBanded | ActualTensor, shape: number): OccupancyTable {
  const e = extentsOf(d, shape);
  if (!e) return fallbackTable(d, st, shape);
  return st instanceof TimeloopBanded ? st.table(e[0], e[1]) : st.table(e);
}

/** P(a tile of `shape` points holds `occupancy` non-zeros) (GetTileOccupancyProbability, unconditioned). */
export function tileProbability(d: DensitySpec, shape: number, occupancy: number): number {
  if (d.distribution === 'fixed_structured') return fixedProbability(shape, d.density, occupancy);
  // The occupancy loop asks one tile for every k in turn: its table is kept at hand.
  if (d === LAST_D && shape === LAST_N) { const i = occupancy - LAST_T!.lo; return i < 0 || i >= LAST_T!.p.length ? 0 : LAST_T!.p[i]; }
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) {
    LAST_D = d; LAST_N = shape; LAST_T = st.table(shape);
    return tileProbability(d, shape, occupancy);
  }
  if (shape === 0) return occupancy === 0 ? 1 : 0;
  return tableProbability(tableOf(d, st, shape), occupancy);
}

/**
 * P(a tile of `shape` points is empty), conditioned, when given, on its
 * parent tile (shape, occupancy) — what the format models ask per rank.
 */
export function emptyProbability(d: DensitySpec, shape: number, cond?: { shape: number; occupancy: number }): number {
  if (d.distribution === 'fixed_structured') return fixedProbability(shape, cond ? cond.occupancy / cond.shape : d.density, 0);
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return cond ? conditionedEmpty(cond.shape, cond.occupancy, shape) : st.empty(shape);
  if (!cond) return tileProbability(d, shape, 0);
  if (st instanceof TimeloopBanded) {
    if (shape === 0) return 1;
    const e = extentsOf(d, shape), p = extentsOf(d, cond.shape);
    return e && p ? st.conditionedEmpty(e[0], e[1], p[0], p[1], cond.occupancy) : conditionedEmpty(cond.shape, cond.occupancy, shape);
  }
  const e = extentsOf(d, shape), p = extentsOf(d, cond.shape);
  const v = e && p ? st.conditionedEmpty(e, p, cond.occupancy) : null;
  return v ?? conditionedEmpty(cond.shape, cond.occupancy, shape);
}

/** P(the tensor's tile over an operation-space box, read at `offset`, is empty): the gating/skipping condition. */
export function emptyProbabilityOfBox(d: DensitySpec, shape: number, ds: DataSpace, box: ArrayLike<number>, offset: number): number {
  if (d.distribution === 'fixed_structured') return fixedProbability(shape, d.density, 0);
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return st.empty(shape);
  const e = rankExtents(ds, box, offset);
  const t = st instanceof TimeloopBanded ? st.table(e[0], e[1]) : st.table(e);
  return tableProbability(t, 0);
}

/** The worst-case occupancy (confidence 1) of a tile: what a buffer must hold. */
export function maxOccupancy(d: DensitySpec, shape: number): number {
  if (d.distribution === 'fixed_structured') return fixedMaxOccupancy(shape, d.density);
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return st.maxOccupancy(shape);
  if (shape === 0) return 0;
  const t = tableOf(d, st, shape);
  return t.keys[t.keys.length - 1];
}

/** An occupancy at or below every one the model gives a non-zero probability (the occupancy loop starts no lower). */
export function firstPossibleOccupancy(d: DensitySpec, shape: number): number {
  if (d.distribution === 'fixed_structured') return 0;
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return st.table(shape).first;
  return shape === 0 ? 0 : tableOf(d, st, shape).keys[0];
}

/** An occupancy at or above every one the model gives a non-zero probability. */
export function lastPossibleOccupancy(d: DensitySpec, shape: number): number {
  if (d.distribution === 'fixed_structured') return Infinity;
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return st.table(shape).last;
  if (shape === 0) return 0;
  const t = tableOf(d, st, shape);
  return t.keys[t.keys.length - 1];
}

/** The smallest occupancy the occupancy loop starts from (GetMinDataTileOccupancy). */
export function minOccupancy(d: DensitySpec, shape: number): number {
  if (d.distribution === 'fixed_structured') return fixedMinOccupancy(shape, d.density);
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return st.minOccupancy(shape);
  if (shape === 0) return 0;
  // Timeloop's banded table always holds occupancy 0 (its count may be 0).
  return st instanceof TimeloopBanded ? 0 : tableOf(d, st, shape).keys[0];
}

/** Expected non-zeros of a one-point tile: the operand density compute analysis uses (GetExpectedTileOccupancy of a scalar). */
export function scalarDensity(d: DensitySpec): number {
  if (d.distribution === 'fixed_structured') return d.density;
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) return st.probability(1, 1);
  return st.density;
}

/**
 * Σ over occupancies 1..shape of ceil(occupancy / block) × P(occupancy):
 * the vector accesses a compressed tile takes per tile (Timeloop's
 * block-size ratio in buffer.cpp).
 */
export function blockOccupancyTotal(d: DensitySpec, shape: number, block: number): number {
  let total = 0;
  if (d.distribution === 'fixed_structured') {
    const exact = shape * d.density;
    const fl = Math.floor(exact), ce = Math.ceil(exact);
    const pc = exact - fl;
    // Fixed-structured tiles hold floor or ceil(shape × density) non-zeros.
    if (fl >= 1) total += Math.ceil(fl / block) * (1 - pc);
    if (ce !== fl && ce >= 1) total += Math.ceil(ce / block) * pc;
    return total;
  }
  const st = stateOf(d);
  if (st instanceof HypergeometricTensor) {
    const t = st.table(shape);
    for (let i = 0; i < t.p.length; i++) { const k = t.lo + i; if (k >= 1 && k <= shape) total += Math.ceil(k / block) * t.p[i]; }
    return total;
  }
  const t = tableOf(d, st, shape);
  for (let i = 0; i < t.keys.length; i++) { const k = t.keys[i]; if (k >= 1 && k <= shape) total += Math.ceil(k / block) * t.probs[i]; }
  return total;
}
