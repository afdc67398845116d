/**
 * Spatial skipping (Timeloop's `skipping_spatial`, storage-gs-analyzer.cpp
 * `InitializeSpatialInstances`, `CalculateSpatialOptimizationImpact`,
 * `SummarizeAndPropagateSpatialCapacityReduction`, and its branch of the
 * combiner's `PropagateImpactOfExplicitlyOptimizedRead`): the instances a
 * level's spatial loops fan out to are only those whose condition tiles
 * hold non-zeros, so a mapping may fan out wider than the hardware as long
 * as the reduced fanout fits. Per tensor and architecture level (0: compute,
 * l + 1: storage level l) it keeps the max X/Y expansion and the average
 * share of instances in use; from them the utilised instances (max and
 * average) of every tile and of compute, the relaxed fanout check, and the
 * skipped share that the combiner takes off the levels below and off the
 * computes. The rules, with Timeloop's file:line, are in docs/model.md
 * ("Spatial skipping").
 *
 * Runs only for a spec with spatial skipping (`SparseProgram.spatialSkipping`):
 * the pass calls it and its own propagation instead of the plain one, so a
 * spec without it does no extra work.
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import type { CountBuffers } from '../model/counts.js';
import { OptimizationError } from './actions.js';
import { propagate } from './combine.js';
import type { FlatNest } from './nest.js';
import { tileSize, type SparseProgram } from './program.js';
import type { DensitySpec } from './spec.js';
import type { SparseScratch } from './state.js';
import { emptyProbability, emptyProbabilityOfBox, maxOccupancy } from './tiles.js';

/**
 * Spatial skipping that cannot apply (Timeloop fails the evaluation or
 * asserts): where (`field`, under `mapping.` or `sparse_optimizations.`),
 * what was expected, what was found.
 */
export class SpatialSkipError extends OptimizationError {
  constructor(readonly field: string, readonly expected: string, readonly got: string) {
    super(`${field}: ${expected}, got ${got}`);
  }
}

/** A mapping whose fanout, reduced by spatial skipping, still exceeds the hardware. */
export class SpatialFanoutError extends SpatialSkipError {
  constructor(level: string, field: string, expected: string, got: string) {
    super(`mapping.${level}.${field}`, expected, got);
  }
}

/** What spatial skipping leaves per tile (`l * S + s`) and at compute, for the cost. */
export interface SpatialState {
  /** Whether tile i's level skips the tensor spatially, and the share skipped (Timeloop's prob_explicitly_spatially_optimized_read). */
  mask: Uint8Array;
  prob: Float64Array;
  /** Utilised instances of tile i: max (X × Y expansion) and average (replication × share in use). */
  maxInstances: Float64Array;
  avgInstances: Float64Array;
  computeMax: number;
  computeAvg: number;
}

const STATES = new WeakMap<SparseScratch, SpatialState>();

/** The spatial state of the scratch's last evaluation (only a spec with spatial skipping has one). */
export function spatialOf(st: SparseScratch): SpatialState {
  let s = STATES.get(st);
  if (!s) { s = { mask: new Uint8Array(0), prob: new Float64Array(0), maxInstances: new Float64Array(0), avgInstances: new Float64Array(0), computeMax: 0, computeAvg: 0 }; STATES.set(st, s); }
  return s;
}

// Per tensor s and architecture level a (0..L), at s * (L + 1) + a: max X/Y expansion, share in use, whether
// the level's own spatial loops reduced it; per tile: the current X/Y of the level (Timeloop's max_x/y_expansion).
let EX = new Float64Array(0), EY = new Float64Array(0), RATIO = new Float64Array(0), REDUCED = new Uint8Array(0);
let TX = new Float64Array(0), TY = new Float64Array(0), OX = new Float64Array(0), OY = new Float64Array(0);
let DX = new Float64Array(0), DY = new Float64Array(0);
let BOX = new Float64Array(0), FIBER = new Float64Array(0);
let PER_COND = new Float64Array(0), HAS_COND = new Uint8Array(0);

/**
 * GetMaxNumElementByConfidence (confidence 1) of the density models:
 * non-empty elements of `element` points a fiber of `fiber` points holds at
 * most. Fixed-structured and hypergeometric: min(max non-zeros of the
 * fiber, elements in it); banded: ⌈elements × P(empty element | fiber at its
 * max occupancy)⌉, as banded-distribution.cpp:342 writes it. Actual data
 * (not in Timeloop) follows the fixed-structured rule.
 */
export function maxNonEmptyElements(d: DensitySpec, fiber: number, element: number): number {
  const n = Math.floor(fiber / element);
  const occ = maxOccupancy(d, fiber);
  if (d.distribution === 'banded') return Math.ceil(n * emptyProbability(d, element, { shape: fiber, occupancy: occ }));
  return occ > n ? n : occ;
}

/** Index in `nest.molds` of the box before loop k of level l (Timeloop's mold_high for that loop; `rel` past the level's end is an error). */
function moldBefore(nest: FlatNest, l: number, rel: number): number {
  const n = nest.start[l + 1] - nest.start[l];
  if (rel === 0) return l === 0 ? 0 : nest.moldAt[nest.start[l] - 1];
  if (rel - 1 >= n) throw new SpatialSkipError('sparse_optimizations.skipping_spatial.condition_on', 'one tensor with spatial loops at the level (Timeloop reads past the level\'s loop nest for a second)', 'more');
  return nest.moldAt[nest.start[l] + rel - 1];
}

function copyBox(nest: FlatNest, at: number, D: number, into: Float64Array): void {
  for (let d = 0; d < D; d++) into[d] = nest.molds[at + d];
}

/**
 * The spatial skipping analysis of one evaluation: the masks, shares and
 * utilised instances in {@link spatialOf}(st), the average instances of
 * every kept tile in `st.avgReplication`. Throws {@link SpatialFanoutError}
 * when the reduced fanout does not fit.
 */
export function spatialSkipping(pg: SparseProgram, st: SparseScratch, nest: FlatNest, arch: Arch, mapping: Mapping, counts: CountBuffers): void {
  const { L, S, D } = pg;
  const A = L + 1, N = L * S;
  const w = pg.w, rel = pg.relevant, { start, dim, factor, spatial } = nest;
  const ss = spatialOf(st);
  if (ss.mask.length < N) { ss.mask = new Uint8Array(N); ss.prob = new Float64Array(N); ss.maxInstances = new Float64Array(N); ss.avgInstances = new Float64Array(N); }
  if (EX.length < S * A) { EX = new Float64Array(S * A); EY = new Float64Array(S * A); RATIO = new Float64Array(S * A); REDUCED = new Uint8Array(S * A); }
  if (TX.length < N) { TX = new Float64Array(N); TY = new Float64Array(N); }
  if (OX.length < L) { OX = new Float64Array(L); OY = new Float64Array(L); DX = new Float64Array(L); DY = new Float64Array(L); }
  if (BOX.length < D) { BOX = new Float64Array(D); FIBER = new Float64Array(D); }
  if (PER_COND.length < S) { PER_COND = new Float64Array(S); HAS_COND = new Uint8Array(S); }
  const { mask, prob } = ss;
  for (let i = 0; i < N; i++) { mask[i] = 0; prob[i] = 0; }
  // Axis of loop k: the mapping's spatial loops come first in their level's spatial part.
  const axisX = (l: number, k: number) => mapping.levels[l].spatial[k - start[l]]?.axis === 'X';
  // Dense expansions (InitializeMaxRequiredSpatialExpansion, sparse-analysis.cpp:115): storage level l fans out
  // over the spatial loops of the levels above it, compute over all of them.
  let x = 1, y = 1;
  for (let l = L - 1; l >= 0; l--) {
    DX[l] = x; DY[l] = y;
    for (let k = start[l]; k < start[l + 1]; k++) if (spatial[k] && factor[k] > 1) { if (axisX(l, k)) x *= factor[k]; else y *= factor[k]; }
  }
  const cx = x, cy = y;
  for (let s = 0; s < S; s++) for (let l = 0; l < L; l++) { TX[l * S + s] = DX[l]; TY[l * S + s] = DY[l]; }
  const shape = st.shape, hasMd = st.hasMetadata;
  // A spatial loop of level u over a tensor c's dimension: its share of non-empty instances, from the box
  // before it (in BOX) and its fiber (storage-gs-analyzer.cpp:588 and :850).
  const fiberRatio = (c: number, k: number, ctShape: number) => {
    for (let d = 0; d < D; d++) FIBER[d] = BOX[d];
    FIBER[dim[k]] *= factor[k];
    const num = maxNonEmptyElements(pg.densitySpec[c], tileSize(pg, c, FIBER, 0), ctShape);
    return num / factor[k];
  };
  // InitializeSpatialInstances (storage-gs-analyzer.cpp:502): every tensor whose nearest keeper at or above a
  // level has metadata needs only the instances its non-empty tiles reach.
  for (let s = 0; s < S; s++) {
    const o = s * A;
    EX[o] = cx; EY[o] = cy; RATIO[o] = 1; REDUCED[o] = 0;
    for (let u = 0; u < L; u++) {
      let ld = u;
      while (shape[ld * S + s] === 0 && ld < L - 1) ld++;
      if (hasMd[ld * S + s]) {
        let innermost = true, eff = 1;
        for (let k = start[u]; k < start[u + 1]; k++) {
          if (!spatial[k] || factor[k] <= 1 || !rel[s * D + dim[k]]) continue;
          copyBox(nest, moldBefore(nest, u, k - start[u]), D, BOX);
          const ct = tileSize(pg, s, BOX, 0);
          if (innermost) { eff = 1 - emptyProbabilityOfBox(pg.densitySpec[s], ct, w.dataSpaces[s], BOX, 0); innermost = false; }
          const r = fiberRatio(s, k, ct);
          if (axisX(u, k)) EX[o + u] = Math.trunc(EX[o + u] * r); else EY[o + u] = Math.trunc(EY[o + u] * r);
        }
        RATIO[o + u] = eff;
        if (eff !== 1) REDUCED[o + u] = 1;
      }
      EX[o + u + 1] = DX[u]; EY[o + u + 1] = DY[u]; RATIO[o + u + 1] = 1; REDUCED[o + u + 1] = 0;
    }
    for (let a = L; a > 0; a--) {
      const t = (a - 1) * S + s;
      const xr = EX[o + a] / TX[t], yr = EY[o + a] / TY[t];
      if (xr === 1 && yr === 1) continue;
      TX[t] = EX[o + a]; TY[t] = EY[o + a];
      let cross = false;
      for (let i = a - 1; i >= 0; i--) {
        EX[o + i] = Math.trunc(EX[o + i] * xr); EY[o + i] = Math.trunc(EY[o + i] * yr);
        if (REDUCED[o + i]) cross = true;
        if (!cross) RATIO[o + i] *= RATIO[o + a];
      }
    }
  }
  // CalculateSpatialOptimizationImpact (storage-gs-analyzer.cpp:694), level by level, group by group.
  for (let u = 0; u < L; u++) {
    for (const g of pg.spec.levels[u].spatialSkipping) {
      if (g.length !== 1) throw new SpatialSkipError(`sparse_optimizations.${arch.storage[u].name}.skipping_spatial.options`, 'one option per spatial skipping (Timeloop asserts it)', String(g.length));
      const t = g[0].target, o = t * A;
      let child = u - 1;
      while (child >= 0 && shape[child * S + t] === 0) child--;
      for (let c = 0; c < S; c++) HAS_COND[c] = 0;
      // Timeloop's loop counter runs on across the condition tensors.
      let loopId = -1;
      for (const c of g[0].conditionOn) {
        let lc = u;
        while (lc < L && shape[lc * S + c] === 0) lc++;
        if (lc === L || !hasMd[lc * S + c]) { PER_COND[c] = 1; HAS_COND[c] = 1; continue; }
        let captured = false;
        for (let k = start[u]; k < start[u + 1]; k++) {
          loopId++;
          if (!spatial[k] || factor[k] <= 1 || !rel[c * D + dim[k]]) continue;
          copyBox(nest, moldBefore(nest, u, loopId), D, BOX);
          // A co-iterated spatial loop under a level that keeps the target: the target tile stays while the
          // temporal loops above it that do not move the target run, so the condition tile grows with them.
          if (child !== -1 && rel[t * D + dim[k]]) {
            let ts = u;
            while (shape[ts * S + t] === 0 && ts < L - 1) ts++;
            let found = false;
            for (let l = u; l <= ts && !found; l++) {
              for (let j = start[l]; j < start[l + 1] && !found; j++) {
                if (spatial[j] || factor[j] <= 1) continue;
                if (rel[t * D + dim[j]]) found = true;
                else BOX[dim[j]] *= factor[j];
              }
            }
          }
          const ct = tileSize(pg, c, BOX, 0);
          if (!captured) { PER_COND[c] = 1 - emptyProbabilityOfBox(pg.densitySpec[c], ct, w.dataSpaces[c], BOX, 0); HAS_COND[c] = 1; captured = true; }
          const r = fiberRatio(c, k, ct);
          if (axisX(u, k)) EX[o + u] = Math.trunc(EX[o + u] * r); else EY[o + u] = Math.trunc(EY[o + u] * r);
        }
      }
      // The condition tensors' shares multiply, in data-space order (Timeloop's std::map).
      let agg = 1;
      for (let c = 0; c < S; c++) if (HAS_COND[c]) agg *= PER_COND[c];
      RATIO[o + u] = agg;
      mask[u * S + t] = 1;
    }
  }
  // SummarizeAndPropagateSpatialCapacityReduction (storage-gs-analyzer.cpp:923).
  let computeMaxX = 0, computeMaxY = 0, computeAvg = 0;
  for (let s = 0; s < S; s++) {
    const o = s * A;
    for (let l = 0; l < L; l++) { OX[l] = TX[l * S + s]; OY[l] = TY[l * S + s]; }
    for (let a = L; a >= 0; a--) {
      const mx = EX[o + a], my = EY[o + a], avg = RATIO[o + a];
      let xr = 1, yr = 1;
      if (a !== 0) {
        const l = a - 1, i = l * S + s;
        TX[i] = mx; TY[i] = my;
        ss.maxInstances[i] = mx * my;
        ss.avgInstances[i] = counts.utilizedInstances[l] * avg;
        yr = my / OY[l]; xr = mx / OX[l];
      } else {
        const rep = counts.utilizedCompute * avg;
        if (s === 0) { computeMaxX = mx; computeMaxY = my; computeAvg = rep; } else {
          if (computeMaxX < mx) computeMaxX = mx;
          if (computeMaxY < my) computeMaxY = my;
          if (computeAvg < rep) computeAvg = rep;
        }
      }
      if (a < L) prob[a * S + s] = 1 - avg;
      if (xr !== 1 || yr !== 1) {
        let cross = false;
        for (let i = a - 1; i >= 0; i--) {
          if (mask[i * S + s]) cross = true;
          if (!cross) RATIO[o + i] *= avg;
          EX[o + i] = Math.trunc(EX[o + i] * xr); EY[o + i] = Math.trunc(EY[o + i] * yr);
        }
      }
    }
  }
  ss.computeMax = computeMaxX * computeMaxY;
  ss.computeAvg = computeAvg;
  for (let q = 0; q < st.nKept; q++) { const i = st.kept[q]; st.avgReplication[i] = ss.avgInstances[i]; }
  checkFanout(arch, S, L, computeMaxX, computeMaxY, ss);
}

/**
 * The checks that replace the dense fanout check: per tensor, the reduced
 * fanout of every level (storage-gs-analyzer.cpp:1036); per storage level
 * over its tensors, the reduced expansions against its mesh and the average
 * instances against its instances (buffer.cpp:1367); the same at compute
 * (arithmetic.cpp:311).
 */
function checkFanout(arch: Arch, S: number, L: number, computeX: number, computeY: number, ss: SpatialState): void {
  const A = L + 1;
  for (let s = 0; s < S; s++) {
    for (let a = L - 1; a >= 0; a--) {
      const fo = fanout(arch, a), name = arch.storage[a].name;
      const fx = Math.trunc(EX[s * A + a] / EX[s * A + a + 1]), fy = Math.trunc(EY[s * A + a] / EY[s * A + a + 1]);
      if (fx > fo.x) throw new SpatialFanoutError(name, 'spatial.X', `a spatial X fanout of at most ${fo.x} under ${name} after spatial skipping`, String(fx));
      if (fy > fo.y) throw new SpatialFanoutError(name, 'spatial.Y', `a spatial Y fanout of at most ${fo.y} under ${name} after spatial skipping`, String(fy));
    }
  }
  for (let l = 0; l < L; l++) {
    const lv = arch.storage[l];
    let mx = 0, my = 0, avg = 0;
    for (let s = 0; s < S; s++) { const i = l * S + s; mx = Math.max(mx, TX[i]); my = Math.max(my, TY[i]); avg = Math.max(avg, ss.avgInstances[i]); }
    if (avg > lv.instances) throw new SpatialFanoutError(lv.name, 'spatial', `at most ${lv.instances} instances of ${lv.name} after spatial skipping`, String(avg));
    if (mx > lv.meshX) throw new SpatialFanoutError(lv.name, 'spatial.X', `an X expansion of at most ${lv.meshX} at ${lv.name} after spatial skipping`, String(mx));
    if (my > lv.meshY) throw new SpatialFanoutError(lv.name, 'spatial.Y', `a Y expansion of at most ${lv.meshY} at ${lv.name} after spatial skipping`, String(my));
  }
  const c = arch.compute;
  if (computeX * computeY > c.instances) throw new SpatialFanoutError(c.name, 'spatial', `at most ${c.instances} ${c.name} instances after spatial skipping`, String(computeX * computeY));
  if (computeX > c.meshX) throw new SpatialFanoutError(c.name, 'spatial.X', `an X expansion of at most ${c.meshX} at ${c.name} after spatial skipping`, String(computeX));
  if (computeY > c.meshY) throw new SpatialFanoutError(c.name, 'spatial.Y', `a Y expansion of at most ${c.meshY} at ${c.name} after spatial skipping`, String(computeY));
}

/**
 * The combiner's propagation with spatial skipping
 * (storage-optimization-combiner.cpp:136, PropagateImpactOfExplicitlyOptimizedRead):
 * combine.ts's `propagate` with this evaluation's spatial masks, after
 * refusing a tile both gated or skipped and spatially skipped, as Timeloop
 * does. Returns the computes left.
 */
export function propagateSpatial(pg: SparseProgram, st: SparseScratch, computes: number, denseUpdates: Float64Array): number {
  const { L, S } = pg;
  const ss = spatialOf(st);
  for (let s = 0; s < S; s++) for (let l = L - 1; l >= 0; l--) {
    const i = l * S + s;
    if (ss.mask[i] && (st.gate[i] || st.skip[i]) && st.prob[i] !== 0) {
      throw new SpatialSkipError(`sparse_optimizations.${pg.arch.storage[l].name}.skipping_spatial`, `no gating or skipping of ${pg.w.dataSpaces[s].name} there too (Timeloop: not implemented)`, 'both');
    }
  }
  return propagate(pg, st, computes, denseUpdates, ss.mask, ss.prob);
}
