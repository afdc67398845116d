/**
 * Action optimizations at storage levels (Timeloop's `storage-gs-analyzer`):
 * for gating or skipping a target tensor's accesses conditioned on other
 * tensors, the probability that the condition tensors' tile at the
 * optimization's granularity is empty, i.e. the share of the target's
 * accesses that are gated or skipped; among the options of a group, the
 * one that saves the most read energy. Works on the pass's flat state.
 */
import type { FlatNest } from './nest.js';
import { tileSize, type ProgramGroup, type SparseProgram } from './program.js';
import type { ConditionedOn } from './spec.js';
import { tileOccupancy } from './representation.js';
import type { SparseScratch } from './state.js';
import { emptyProbabilityOfBox } from './tiles.js';

/** Why an optimization cannot apply (Timeloop fails the evaluation). */
export class OptimizationError extends Error {}

/** The effect of one option: at which level it acts, on what share of the target's accesses, and how much the target holds there. */
interface ReadImpact { level: number; probability: number; expectedTargetOccupancy: number }

// Molds, factors and loops live only in one call: one set of buffers, [moldHigh | condMold | cMold | coFactors], serves every call.
let BUF = new Float64Array(0);
let CO = new Uint8Array(0);
let RELEVANT = new Int32Array(0);
let LEVELS = new Int32Array(0), PROBABILITIES = new Float64Array(0), SAVINGS = new Float64Array(0);
const IMPACT: ReadImpact = { level: 0, probability: 0, expectedTargetOccupancy: 0 };

/** Timeloop's ComputeIneffectualReadImpact for one option at storage level `level` (the result is reused by the next call). */
function readImpact(pg: SparseProgram, st: SparseScratch, nest: FlatNest, level: number, opt: ConditionedOn, block: ArrayLike<number>): ReadImpact {
  const { L, S, D } = pg;
  const w = pg.w;
  const tgt = opt.target;
  const rel = pg.relevant;
  const td = tgt * D;
  let tl = level;
  if (st.shape[level * S + tgt] === 0) {
    let l = level + 1;
    for (; l < L; l++) if (st.shape[l * S + tgt] > 0) { tl = l; break; }
    if (l === L) throw new OptimizationError(`gating/skipping of ${w.dataSpaces[tgt].name} at level ${level}: no level above keeps it`);
  }
  const child = st.child[tl * S + tgt];
  const { start, dim, factor, spatial } = nest;
  let found = false;
  let scalar = false;
  let target = -1;
  for (let l = child < 0 ? 0 : child + 1; l <= tl && !found; l++) {
    const end = start[l + 1];
    for (let k = start[l]; k < end && !found; k++) {
      if (child !== -1) {
        if (factor[k] > 1 && rel[td + dim[k]]) found = true;
      } else if (k + 1 >= end || !spatial[k + 1]) {
        found = true;
        if (!spatial[k]) scalar = true;
      } else if (rel[td + dim[k]] && factor[k] > 1) found = true;
      if (found) target = k;
    }
  }
  if (!found) target = start[tl + 1] - 1;
  if (BUF.length < 4 * D) { BUF = new Float64Array(4 * D); CO = new Uint8Array(D); }
  if (RELEVANT.length < start[L]) RELEVANT = new Int32Array(start[L]);
  const B = BUF, HI = 0, CM = D, CC = 2 * D, CF = 3 * D;
  if (scalar) for (let d = 0; d < D; d++) B[HI + d] = 1;
  else { const at = nest.moldAt[target]; for (let d = 0; d < D; d++) B[HI + d] = nest.molds[at + d]; }
  const isSpatial = spatial[target] === 1;
  const relevantLoops = RELEVANT;
  let nRel = 0;
  relevantLoops[nRel++] = target;
  for (let d = 0; d < D; d++) B[CM + d] = B[HI + d];
  let locate = !isSpatial;
  for (let k = nest.nextBig[target + 1], end = start[tl + 1]; k < end; k = nest.nextBig[k + 1]) {
    const sp = spatial[k] === 1;
    const aboveSpatial = !locate && !sp && child !== -1 && !rel[td + dim[k]];
    if (sp || aboveSpatial) { B[CM + dim[k]] *= factor[k]; relevantLoops[nRel++] = k; }
    if (isSpatial && !sp && (child === -1 || rel[td + dim[k]])) locate = true;
  }
  const granularity = tileSize(pg, tgt, B, HI);
  let effectual = 1;
  for (let ci = 0; ci < opt.conditionOn.length; ci++) {
    const c = opt.conditionOn[ci];
    const cd = c * D;
    for (let d = 0; d < D; d++) { B[CC + d] = B[CM + d]; B[CF + d] = 1; CO[d] = 0; }
    let ineffective = false, isCo = false;
    let agg = 1;
    if (!scalar) for (let q = 0; q < nRel; q++) {
      const k = relevantLoops[q], dk = dim[k];
      if (isSpatial && isCo && rel[cd + dk]) { ineffective = true; break; }
      if (rel[td + dk] && rel[cd + dk]) {
        B[CF + dk] *= factor[k]; CO[dk] = 1;
        agg *= factor[k];
        isCo = true;
      }
    }
    if (ineffective) continue;
    let scaling = Math.ceil(block[tl] / (granularity / agg));
    // Co-iterated dimensions in ascending order, as Timeloop's ordered map.
    for (let d = 0; d < D; d++) {
      if (!CO[d]) continue;
      const f = B[CF + d];
      const eff = f / scaling;
      B[CC + d] = Math.ceil(B[CC + d] / eff);
      scaling = scaling / f;
    }
    if (scaling > 1) B[CC + dim[target]] *= scaling;
    const cg = tileSize(pg, c, B, CC);
    const dc = pg.densitySpec[c];
    let empty: number;
    if (pg.fixedDensity[c] === 1) {
      // Fixed-structured answered here, as tiles.ts fixedProbability(cg, density, 0): a call that
      // returns a double boxes it on every evaluation when the compiler does not inline it.
      const exact = cg * dc.density, fl = Math.floor(exact);
      empty = fl === 0 ? 1 - (exact - fl) : Math.ceil(exact) === 0 ? exact - fl : 0;
    } else empty = emptyProbabilityOfBox(dc, cg, w.dataSpaces[c], B, CC);
    effectual *= 1 - empty;
  }
  const l = child === -1 ? tl : child;
  const ct = l * S + tgt;
  let mdOcc = 0;
  if (st.hasMetadata[ct]) {
    const em = st.expectedMetadata;
    for (let r = 0; r < st.metadataRanks[ct]; r++) { const o = (ct * st.RM + r) * 4; mdOcc += em[o] + em[o + 1]; }
  }
  tileOccupancy(pg, st, tl * S + tgt);
  IMPACT.level = tl;
  IMPACT.probability = 1 - effectual;
  IMPACT.expectedTargetOccupancy = st.expectedOccupancy[tl * S + tgt] + mdOcc * pg.metadataRatio[tl];
  return IMPACT;
}

/**
 * Apply one group: keep the option that saves the most; a stronger later
 * optimization of the same tensor and level replaces a weaker one.
 * `readEnergy`, `block`: per level, what the choice is priced by.
 */
export function applyGroup(pg: SparseProgram, st: SparseScratch, nest: FlatNest, g: ProgramGroup, readEnergy: ArrayLike<number>, block: ArrayLike<number>): void {
  const n = g.options.length;
  if (LEVELS.length < n) { LEVELS = new Int32Array(n); PROBABILITIES = new Float64Array(n); SAVINGS = new Float64Array(n); }
  // Every option is analysed before one is chosen: any of them may fail the evaluation.
  for (let o = 0; o < n; o++) {
    const im = readImpact(pg, st, nest, g.level, g.options[o], block);
    LEVELS[o] = im.level; PROBABILITIES[o] = im.probability;
    SAVINGS[o] = (readEnergy[im.level] / block[im.level]) * im.expectedTargetOccupancy * im.probability;
  }
  let best = 0, option = 0;
  for (let o = 0; o < n; o++) {
    const savings = SAVINGS[o];
    best = savings >= best ? savings : best;
    option = savings >= best ? o : option;
  }
  const level = LEVELS[option], probability = PROBABILITIES[option], target = g.options[option].target;
  const i = level * pg.S + target;
  if (st.gate[i] || st.skip[i]) {
    if (st.prob[i] < probability) {
      st.gate[i] = 0; st.skip[i] = 0;
      st.prob[i] = probability;
      (g.skip ? st.skip : st.gate)[i] = 1;
    }
  } else {
    (g.skip ? st.skip : st.gate)[i] = 1;
    st.prob[i] = probability;
  }
}
