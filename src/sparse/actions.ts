/**
 * Action optimizations at storage levels (Timeloop's `storage-gs-analyzer`):
 * for gating or skipping a target tensor's accesses conditioned on other
 * tensors, the probability that the condition tensors' tile at the
 * optimization's granularity is empty, i.e. the share of the target's
 * accesses that are gated or skipped; among the options of a group, the
 * one that saves the most read energy.
 */
import type { Workload } from '../workload/workload.js';
import type { ConditionedOn, SparseSpec } from './spec.js';
import type { TileState } from './representation.js';
import { dimsOf, emptyProbabilityOfBox, tileOf, type CompleteNest, type NestLoop } from './tiles.js';

/** The effect of one option: at which level it acts and on what share of the target's accesses. */
export interface ReadImpact {
  readonly target: number;
  readonly level: number;
  readonly probability: number;
  readonly expectedTargetOccupancy: number;
}

/** Per level and data space: which optimization applies and with what probability. */
export interface Masks {
  readonly gate: Uint8Array;
  readonly skip: Uint8Array;
  readonly prob: Float64Array;
}

/** Why an optimization cannot apply (Timeloop fails the evaluation). */
export class OptimizationError extends Error {}

/** Timeloop's ComputeIneffectualReadImpact for one option at storage level `level`. */
export function readImpact(w: Workload, spec: SparseSpec, nest: CompleteNest, tiles: TileState[][], level: number, opt: ConditionedOn, blockSize: (l: number) => number, mdRatio: (l: number) => number): ReadImpact {
  const D = w.dims.length;
  const L = tiles.length;
  const tgt = opt.target;
  const tdims = dimsOf(w.dataSpaces[tgt], D);
  let tl = level;
  if (tiles[level][tgt].shape === 0) {
    let l = level + 1;
    for (; l < L; l++) if (tiles[l][tgt].shape > 0) { tl = l; break; }
    if (l === L) throw new OptimizationError(`gating/skipping of ${w.dataSpaces[tgt].name} at level ${level}: no level above keeps it`);
  }
  const child = tiles[tl][tgt].child;
  const loops = nest.levels;
  let found = false;
  let scalar = false;
  let target: NestLoop | null = null;
  let tLevel = 0, tId = 0;
  for (let l = child + 1; l <= tl && !found; l++) {
    for (let i = 0; i < loops[l].length && !found; i++) {
      const lp = loops[l][i];
      if (child !== -1) {
        if (lp.factor > 1 && tdims[lp.dim]) found = true;
      } else {
        const nextLoop = loops[l][i + 1];
        if (nextLoop === undefined || !nextLoop.spatial) {
          found = true;
          if (!lp.spatial) scalar = true;
        } else if (tdims[lp.dim] && lp.factor > 1) found = true;
      }
      if (found) { target = lp; tLevel = l; tId = i; }
    }
  }
  if (!found) {
    tLevel = tl;
    tId = loops[tl].length - 1;
    target = loops[tl][tId];
  }
  // Molds and factors live only in this call: one buffer, [moldHigh | condMold | cMold | coFactors], serves every call.
  if (BUF.length < 4 * D) { BUF = new Float64Array(4 * D); CO = new Uint8Array(D); }
  const B = BUF, HI = 0, CM = D, CC = 2 * D, CF = 3 * D;
  if (scalar) B.fill(1, HI, HI + D);
  else { const at = nest.moldAt[tLevel][tId]; for (let d = 0; d < D; d++) B[HI + d] = nest.molds[at + d]; }
  const isSpatial = target!.spatial;
  const relevantLoops: NestLoop[] = [target!];
  for (let d = 0; d < D; d++) B[CM + d] = B[HI + d];
  let locate = !isSpatial;
  for (let l = tLevel; l <= tl; l++) {
    for (let i = l === tLevel ? tId + 1 : 0; i < loops[l].length; i++) {
      const u = loops[l][i];
      if (u.factor <= 1) continue;
      const aboveSpatial = !locate && !u.spatial && child !== -1 && !tdims[u.dim];
      if (u.spatial || aboveSpatial) { B[CM + u.dim] *= u.factor; relevantLoops.push(u); }
      if (isSpatial && !u.spatial && (child === -1 || tdims[u.dim])) locate = true;
    }
  }
  const targetDs = w.dataSpaces[tgt];
  const granularity = tileOf(targetDs, B, HI);
  let effectual = 1;
  for (const c of opt.conditionOn) {
    const cdims = dimsOf(w.dataSpaces[c], D);
    for (let d = 0; d < D; d++) { B[CC + d] = B[CM + d]; B[CF + d] = 1; CO[d] = 0; }
    let ineffective = false, isCo = false;
    let agg = 1;
    if (!scalar) for (const r of relevantLoops) {
      if (isSpatial && isCo && cdims[r.dim]) { ineffective = true; break; }
      if (tdims[r.dim] && cdims[r.dim]) {
        B[CF + r.dim] *= r.factor; CO[r.dim] = 1;
        agg *= r.factor;
        isCo = true;
      }
    }
    if (ineffective) continue;
    let scaling = Math.ceil(blockSize(tl) / (granularity / agg));
    // Co-iterated dimensions in ascending order, as Timeloop's ordered map.
    for (let dim = 0; dim < D; dim++) {
      if (!CO[dim]) continue;
      const f = B[CF + dim];
      const eff = f / scaling;
      B[CC + dim] = Math.ceil(B[CC + dim] / eff);
      scaling = scaling / f;
    }
    if (scaling > 1) B[CC + target!.dim] *= scaling;
    const cg = tileOf(w.dataSpaces[c], B, CC);
    effectual *= 1 - emptyProbabilityOfBox(spec.densities[c], cg, w.dataSpaces[c], B, CC);
  }
  const t = tiles[tl][tgt];
  const l = child === -1 ? tl : child;
  let mdOcc = 0;
  const ct = tiles[l][tgt];
  if (ct.hasMetadata) for (const o of ct.expectedMetadata) mdOcc += o.metadataUnits + o.payloadUnits;
  return { target: tgt, level: tl, probability: 1 - effectual, expectedTargetOccupancy: t.expectedOccupancy + mdOcc * mdRatio(tl) };
}

let BUF = new Float64Array(0);
let CO = new Uint8Array(0);

/** Apply one group: keep the option that saves the most; a stronger later optimization of the same tensor and level replaces a weaker one. */
export function applyGroup(masks: Masks, S: number, impacts: readonly ReadImpact[], readEnergy: (l: number) => number, blockSize: (l: number) => number, kind: 'gate' | 'skip'): void {
  let best = 0, option = 0;
  impacts.forEach((im, i) => {
    const savings = (readEnergy(im.level) / blockSize(im.level)) * im.expectedTargetOccupancy * im.probability;
    best = savings >= best ? savings : best;
    option = savings >= best ? i : option;
  });
  const im = impacts[option];
  const i = im.level * S + im.target;
  if (masks.gate[i] || masks.skip[i]) {
    if (masks.prob[i] < im.probability) {
      masks.gate[i] = 0; masks.skip[i] = 0;
      masks.prob[i] = im.probability;
      (kind === 'gate' ? masks.gate : masks.skip)[i] = 1;
    }
  } else {
    (kind === 'gate' ? masks.gate : masks.skip)[i] = 1;
    masks.prob[i] = im.probability;
  }
}
