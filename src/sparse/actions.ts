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
import { dimsOf, fixedProbability, tileOf, type CompleteNest, type NestLoop } from './tiles.js';

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
  const moldHigh = scalar ? new Float64Array(D).fill(1) : nest.molds.slice(nest.moldAt[tLevel][tId], nest.moldAt[tLevel][tId] + D);
  const isSpatial = target!.spatial;
  const relevantLoops: NestLoop[] = [target!];
  const condMold = Float64Array.from(moldHigh);
  let locate = !isSpatial;
  for (let l = tLevel; l <= tl; l++) {
    for (let i = l === tLevel ? tId + 1 : 0; i < loops[l].length; i++) {
      const u = loops[l][i];
      if (u.factor <= 1) continue;
      const aboveSpatial = !locate && !u.spatial && child !== -1 && !tdims[u.dim];
      if (u.spatial || aboveSpatial) { condMold[u.dim] *= u.factor; relevantLoops.push(u); }
      if (isSpatial && !u.spatial && (child === -1 || tdims[u.dim])) locate = true;
    }
  }
  const targetDs = w.dataSpaces[tgt];
  let effectual = 1;
  for (const c of opt.conditionOn) {
    const cdims = dimsOf(w.dataSpaces[c], D);
    const co = tdims.map((x, d) => x && cdims[d]);
    const tMold = Float64Array.from(moldHigh);
    const cMold = Float64Array.from(condMold);
    let ineffective = false, isCo = false;
    const coFactors = new Map<number, number>();
    let agg = 1;
    if (!scalar) for (const r of relevantLoops) {
      if (isSpatial && isCo && cdims[r.dim]) { ineffective = true; break; }
      if (co[r.dim]) {
        coFactors.set(r.dim, (coFactors.get(r.dim) ?? 1) * r.factor);
        agg *= r.factor;
        isCo = true;
      }
    }
    if (ineffective) continue;
    const granularity = tileOf(targetDs, moldHigh);
    let scaling = Math.ceil(blockSize(tl) / (granularity / agg));
    for (const [dim, f] of [...coFactors].sort((a, b) => a[0] - b[0])) {
      const eff = f / scaling;
      tMold[dim] = Math.ceil(tMold[dim] / eff);
      cMold[dim] = Math.ceil(cMold[dim] / eff);
      scaling = scaling / f;
    }
    if (scaling > 1) { cMold[target!.dim] *= scaling; tMold[target!.dim] *= scaling; }
    const cg = tileOf(w.dataSpaces[c], cMold);
    effectual *= 1 - fixedProbability(cg, spec.densities[c].density, 0);
  }
  const t = tiles[tl][tgt];
  const l = child === -1 ? tl : child;
  let mdOcc = 0;
  const ct = tiles[l][tgt];
  if (ct.hasMetadata) for (const o of ct.expectedMetadata) mdOcc += o.metadataUnits + o.payloadUnits;
  return { target: tgt, level: tl, probability: 1 - effectual, expectedTargetOccupancy: t.expectedOccupancy + mdOcc * mdRatio(tl) };
}

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
