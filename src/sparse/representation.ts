/**
 * Representation analysis (Timeloop's `representation-analyzer`): which
 * loops each rank of a tensor's representation covers at a level (ranks
 * taken outer to inner over the level's non-trivial loops; flattening
 * rules let a rank take several), each rank's fiber shape, the expected
 * data and metadata occupancy of the level's tile, and the metadata
 * accesses that follow from the dense reads, fills and updates.
 */
import type { Workload } from '../workload/workload.js';
import { adjustWordBits, rankCompressed, rankOccupancy, type RankOccupancy } from './formats.js';
import type { DensitySpec, LevelSparsity, RankFormat, SparseSpec } from './spec.js';
import { dimsOf, emptyProbability, firstPossibleOccupancy, fixedProbability, lastPossibleOccupancy, maxOccupancy, minOccupancy, tileOf, tileProbability, type CompleteNest, type NestLoop } from './tiles.js';

/** The sparse state of one tensor at one level (kept or not). */
export interface TileState {
  readonly level: number;
  readonly ds: number;
  /** Dense tile size (Timeloop's shape); 0 when the level bypasses the tensor. */
  readonly shape: number;
  /** Nearest inner / outer level keeping the tensor, or -1. */
  readonly child: number;
  readonly parent: number;
  readonly hasMetadata: boolean;
  readonly compressed: boolean;
  /** Ranks innermost first (Timeloop's order) with their word bits. */
  readonly ranks: readonly (RankFormat & { readonly mdBits: number; readonly plBits: number })[];
  /** Loops of each rank and the tile size each rank closes (index 0: a scalar; r + 1: ranks 0..r). */
  subnest: NestLoop[][];
  pointSets: number[];
  fiberShape: number[];
  expectedOccupancy: number;
  expectedDensity: number;
  expectedMetadata: RankOccupancy[];
  avgReplication: number;
  /** Metadata accesses per rank [metadata, payload] as the dense counts imply. */
  formatReads: [number, number][];
  formatFills: [number, number][];
  formatUpdates: [number, number][];
}

/** Why a mapping cannot hold a representation (a failed evaluation, as in Timeloop). */
export class RepresentationError extends Error {}

/** Ranks of a level's format, innermost first, with Timeloop's word-bit rules applied. */
export function levelRanks(lv: LevelSparsity, s: number): TileState['ranks'] {
  const f = lv.formats[s];
  if (!f) return [];
  return [...f.ranks].reverse().map((r) => ({
    ...r,
    mdBits: adjustWordBits(r.metadataWordBits ?? (r.format === 'B' ? 1 : undefined), lv.metadataWordBits, lv.metadataWidth),
    plBits: adjustWordBits(r.payloadWordBits, lv.metadataWordBits, lv.metadataWidth),
  }));
}

/** Probability that a tile of `shape` points is empty, conditioned on (parentShape, parentOccupancy) when given. */
export function pEmpty(shape: number, density: number, cond?: { shape: number; occupancy: number }): number {
  return fixedProbability(shape, cond ? cond.occupancy / cond.shape : density, 0);
}

/**
 * Assign the loops of levels inner..level that move the tensor to its
 * ranks, outer to inner (Timeloop's ApplyRanksOuterToInner). Returns
 * whether non-trivial loops are left over (more ranks needed).
 */
function applyRanksOuterToInner(t: TileState, innerRank: number, nest: NestLoop[], subtile: (k: number) => number): boolean {
  const hasMd = t.hasMetadata;
  const numRanks = hasMd ? t.ranks.length : 1;
  let loopId = nest.length - 1;
  let r = numRanks;
  const trivial = (lp: NestLoop) => lp.factor <= 1;
  let tileSet = 1;
  while (r > innerRank && loopId >= 0) {
    let isTrivial = true;
    while (isTrivial && loopId >= 0) {
      isTrivial = trivial(nest[loopId]);
      if (!isTrivial) break;
      loopId--;
    }
    if (loopId >= 0) {
      r--;
      const flat: NestLoop[] = [];
      const loop = nest[loopId];
      let rule: readonly number[] = [];
      let inFlattened = false;
      if (!isTrivial) {
        const rules = hasMd ? t.ranks[r].flattened : [];
        if (hasMd && rules.length > 0) {
          const found = rules.find((g) => g.includes(loop.dim));
          if (found) { inFlattened = true; rule = found; } else {
            // Timeloop appends an empty rank here and tries the same loop again.
            t.subnest.push([]);
            t.pointSets.push(subtile(0));
            continue;
          }
        }
        if (!hasMd) inFlattened = true;
        flat.push(loop);
        tileSet = subtile(loopId);
      }
      loopId--;
      if (loopId >= 0 && (!hasMd || inFlattened)) {
        let lp = nest[loopId];
        let tr = trivial(lp);
        while (!hasMd || rule.includes(lp.dim) || tr) {
          if (!tr) flat.push(lp);
          loopId--;
          if (loopId < 0) break;
          lp = nest[loopId];
          tr = trivial(lp);
        }
      }
      t.subnest.unshift(flat);
      t.pointSets.unshift(tileSet);
    }
    tileSet = 1;
  }
  while (r > innerRank) {
    r--;
    t.subnest.unshift([]);
    t.pointSets.unshift(nest.length > 0 ? subtile(0) : 1);
  }
  for (; loopId >= 0; loopId--) if (!trivial(nest[loopId])) return true;
  return false;
}

/**
 * Define the representation of every kept tensor at every level, inner
 * levels first (a compressed parent whose child holds more than a point
 * pre-tiles by the child's ranks).
 */
export function defineFormats(w: Workload, nest: CompleteNest, tiles: TileState[][]): void {
  const D = w.dims.length;
  w.dataSpaces.forEach((ds, s) => {
    const relevant = dimsOf(ds, D);
    let level = 0;
    const L = tiles.length;
    while (level < L && level >= 0) {
      const t = tiles[level][s];
      if (t.shape === 0) { level++; continue; }
      // Only tiles with metadata, and children a compressed parent pre-tiles by, need their ranks' loops.
      if (!t.hasMetadata && !(t.parent >= 0 && tiles[t.parent][s].compressed)) { level = t.parent < 0 ? L : t.parent; continue; }
      const child = t.child;
      const innerMost = child < 0 ? 0 : child + 1;
      const numRanks = t.hasMetadata ? t.ranks.length : 1;
      const c = child >= 0 ? tiles[child][s] : null;
      const childRanks = c ? (c.hasMetadata ? c.ranks.length : 1) : 0;
      const preTiling = t.compressed && c !== null && c.shape > 1;
      if (preTiling && c) {
        if (childRanks > numRanks) throw new RepresentationError(`pre-tiling of ${ds.name} needs the format of level ${level} to cover level ${child}'s`);
        if (c.compressed) for (let r = 0; r < childRanks; r++) if (t.ranks[r].format !== c.ranks[r].format) throw new RepresentationError(`pre-tiling of ${ds.name}: formats of levels ${level} and ${child} do not align`);
      }
      const sub: NestLoop[] = [];
      // Mold offsets, not tile sizes: only a few of the tiles are ever read.
      const subtiles: number[] = [];
      // Collected outermost first, then reversed once: innermost first, as Timeloop's singleton nest.
      for (let l = level; l >= innerMost; l--) {
        const loops = nest.levels[l];
        const at = nest.moldAt[l];
        for (let i = loops.length - 1; i >= 0; i--) {
          if (!relevant[loops[i].dim]) continue;
          sub.push(loops[i]);
          subtiles.push(at[i]);
        }
      }
      sub.reverse();
      subtiles.reverse();
      if (!preTiling && innerMost > 0) {
        const sizes = scratchExtents(D);
        for (let l = 0; l < innerMost; l++) for (const lp of nest.levels[l]) sizes[lp.dim] *= lp.factor;
        for (let i = 0; i < sub.length; i++) {
          const lp = sub[i];
          const f = sizes[lp.dim];
          if (f !== 1) { sub[i] = { dim: lp.dim, factor: lp.factor * f, spatial: lp.spatial, level: lp.level }; sizes[lp.dim] = 1; }
        }
      }
      t.subnest = [];
      t.pointSets = [];
      const more = applyRanksOuterToInner(t, preTiling ? childRanks : 0, sub, (k) => tileOf(ds, nest.molds, subtiles[k]));
      if (more && t.hasMetadata) throw new RepresentationError(`${ds.name} at level ${level} needs more ranks than its format has`);
      if (preTiling && c) {
        for (let i = c.subnest.length - 1; i >= 0; i--) { t.subnest.unshift(c.subnest[i]); t.pointSets.unshift(c.pointSets[i + 1]); }
        t.pointSets.unshift(c.pointSets[0]);
      } else t.pointSets.unshift(1);
      if (t.hasMetadata && t.subnest.length !== numRanks) throw new RepresentationError(`${ds.name} at level ${level}: ${t.subnest.length} ranks of loops for a ${numRanks}-rank format`);
      t.fiberShape = t.subnest.map((loops) => {
        const ext = scratchExtents(D);
        for (const lp of loops) ext[lp.dim] *= lp.factor;
        return tileOf(ds, ext);
      });
      level = t.parent < 0 ? L : t.parent;
    }
  });
}

// Extents used and dropped within one call: one buffer serves them all.
let EXTENTS = new Float64Array(0);
function scratchExtents(D: number): Float64Array {
  if (EXTENTS.length < D) EXTENTS = new Float64Array(D);
  EXTENTS.fill(1, 0, D);
  return EXTENTS;
}

/** Metadata occupancy of a tile of (shape, occupancy), per rank innermost first (Timeloop's GetMetaDataTileOccupancyGivenDataTile). */
export function metadataGivenTile(t: TileState, occupancy: number, density: DensitySpec): RankOccupancy[] {
  const R = t.ranks.length;
  const cond = { shape: t.shape, occupancy };
  const out: RankOccupancy[] = new Array(R);
  let maxFibers = 1;
  let cur = t.shape;
  for (let r = R - 1; r >= 0; r--) {
    const fs = t.fiberShape[r];
    const next = t.pointSets[r];
    const rk = t.ranks[r];
    if (fs === 1 && r !== R - 1) out[r] = { metadataUnits: 0, payloadUnits: 0, metadataBits: 0, payloadBits: 0 };
    else out[r] = rankOccupancy(rk.format, maxFibers, fs, emptyProbability(density, cur, cond), emptyProbability(density, next, cond), rk.mdBits, rk.plBits);
    maxFibers *= fs;
    cur = next;
  }
  for (let r = 0; r < R; r++) if (out[r].metadataUnits !== 0 || out[r].payloadUnits !== 0) { out[r].payloadUnits = 0; break; }
  return out;
}

// Occupancy probabilities of one tile at a time: one buffer serves every tile.
let PROBS = new Float64Array(0);
let EXISTS = new Uint8Array(0);

/**
 * Expected occupancy (data and metadata) of every kept tile (Timeloop's
 * CalculateExpectedOccupancy). `emptyTilesIdle`: empty tiles under a
 * parent with metadata are not sent, so fewer instances work on average
 * (Timeloop 2024; the v0.3 artifact kept them all).
 */
export function expectedOccupancy(spec: SparseSpec, tiles: TileState[][], emptyTilesIdle = true): void {
  for (const row of tiles) for (const t of row) {
    const dm = spec.densities[t.ds];
    let total = 0;
    const md: RankOccupancy[] = [];
    if (t.shape !== 0) {
      const maxOcc = maxOccupancy(dm, t.shape);
      const minOcc = minOccupancy(dm, t.shape);
      // Occupancies the model gives probability 0 are masked out: the loops visit only the others' range.
      const from = Math.max(minOcc, firstPossibleOccupancy(dm, t.shape)), to = Math.min(maxOcc, lastPossibleOccupancy(dm, t.shape));
      const n = to - from + 1;
      if (PROBS.length < n) { PROBS = new Float64Array(n); EXISTS = new Uint8Array(n); }
      const probs = PROBS, exists = EXISTS;
      let np = 0;
      for (let k = from; k <= to; k++) {
        const p = tileProbability(dm, t.shape, k);
        exists[k - from] = p !== 0 ? 1 : 0;
        if (p !== 0) probs[np++] = p;
      }
      if (t.parent >= 0 && tiles[t.parent][t.ds].hasMetadata && minOcc === 0) {
        if (emptyTilesIdle) t.avgReplication *= 1 - probs[0];
        const scale = (1 - probs[0]) / 1;
        for (let i = 0; i < np; i++) probs[i] /= scale;
        probs[0] = 0;
      }
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (!exists[i]) continue;
        const p = probs[j++];
        const occ = from + i;
        total += p * occ;
        if (t.hasMetadata) {
          const occs = metadataGivenTile(t, occ, dm);
          for (let r = 0; r < occs.length; r++) {
            const o = occs[r];
            const mu = o.metadataUnits * p, pu = o.payloadUnits * p;
            if (md.length === r) md.push({ metadataUnits: mu, payloadUnits: pu, metadataBits: o.metadataBits, payloadBits: o.payloadBits });
            else { md[r].metadataUnits += mu; md[r].payloadUnits += pu; if (o.metadataBits) md[r].metadataBits = o.metadataBits; if (o.payloadBits) md[r].payloadBits = o.payloadBits; }
          }
        }
      }
    }
    t.expectedDensity = total / t.shape;
    t.expectedMetadata = md;
    t.expectedOccupancy = total;
  }
}

/** Metadata accesses implied by the dense counts (Timeloop's CalculateExpectedMetaDataAccesses). */
export function metadataAccesses(tiles: TileState[][], reads: Float64Array, fills: Float64Array, updates: Float64Array, S: number): void {
  for (const row of tiles) for (const t of row) {
    t.formatReads = []; t.formatFills = []; t.formatUpdates = [];
    if (t.shape === 0 || !t.hasMetadata) continue;
    const i = t.level * S + t.ds;
    const rr = reads[i] / t.shape, fr = fills[i] / t.shape, ur = updates[i] / t.shape;
    for (const o of t.expectedMetadata) {
      t.formatFills.push([Math.ceil(o.metadataUnits * fr), Math.ceil(o.payloadUnits * fr)]);
      t.formatReads.push([Math.ceil(o.metadataUnits * rr), Math.ceil(o.payloadUnits * rr)]);
      t.formatUpdates.push([Math.ceil(o.metadataUnits * ur), Math.ceil(o.payloadUnits * ur)]);
    }
  }
}

/** Whether any rank of a format compresses. */
export function formatCompressed(ranks: readonly RankFormat[]): boolean {
  return ranks.some((r) => rankCompressed(r.format));
}
